import { randomUUID } from 'node:crypto';
import { allEventsSubject, createKysely } from '@techflow/platform';
import t from 'tap';
import {
  loadRelayCheckpoint,
  type RelaySchema,
  saveRelayCheckpoint,
} from '../src/relay/checkpoint.js';
import { createRelay } from '../src/relay/relay.js';
import { appendLog } from './support/append.js';
import { EventLog } from './support/events.js';
import { createInfra, eventually, type Infra } from './support/infra.js';
import { readStream } from './support/stream.js';

let infra: Infra;
t.before(async () => {
  infra = await createInfra();
});
t.teardown(() => infra.close());

const streamCount = async () => (await infra.jsm.streams.info(infra.nats.stream)).state.messages;

t.test('a relay restarted behind what it published adds no duplicates', async (t) => {
  const log = new EventLog();
  const tenant = randomUUID();
  for (let i = 0; i < 5; i++) {
    const a = randomUUID();
    log.open(tenant, a);
    for (let k = 1; k <= 20; k++) log.deposit(tenant, a, BigInt(k));
  }
  const appended = await appendLog(infra.eventStore, log);
  const head = await infra.eventStore.headPosition();
  const relayDb = createKysely<RelaySchema>(infra.pool);
  const deps = {
    db: relayDb,
    eventStore: infra.eventStore,
    nc: infra.nc,
    subjectPrefix: infra.nats.subjectPrefix,
  };

  const first = createRelay(deps, { batchSize: 37 });
  await first.start();
  await eventually('first relay publishes everything', async () => first.position() === head);
  await first.stop();
  t.equal(await streamCount(), appended.length, 'one message per event');

  // As if it had died after publishing but before saving its checkpoint.
  await saveRelayCheckpoint(relayDb, 'main', 0n);
  const second = createRelay(deps, { batchSize: 50 });
  await second.start();
  await eventually('second relay republishes everything', async () => second.position() === head);

  // And it keeps following new commits.
  const more = new EventLog(head);
  const b = randomUUID();
  more.open(tenant, b);
  more.deposit(tenant, b, 9n);
  const added = await appendLog(infra.eventStore, more);
  const newHead = await infra.eventStore.headPosition();
  await eventually('second relay follows new events', async () => second.position() === newHead);
  await second.stop();

  const inStream = await readStream(infra.js, infra.nats.stream);
  t.equal(inStream.length, appended.length + added.length, 'still one message per event');
  t.same(
    inStream.map((e) => e.position),
    [...appended, ...added].map((e) => e.position),
    'in position order',
  );
  t.same(
    inStream.map((e) => e.eventId),
    [...appended, ...added].map((e) => e.eventId),
    'the same events',
  );
  const subjects = await infra.jsm.streams.info(infra.nats.stream, {
    subjects_filter: allEventsSubject(infra.nats.subjectPrefix),
  });
  t.ok(
    Object.keys(subjects.state.subjects ?? {}).every((s) =>
      s.startsWith(`${infra.nats.subjectPrefix}.${tenant}.account.`),
    ),
    'subjects are <prefix>.<tenant>.<category>.<type>',
  );
});

t.test('the checkpoint is written at most every checkpointEveryMs, and on stop', async (t) => {
  const log = new EventLog(await infra.eventStore.headPosition());
  const tenant = randomUUID();
  const a = randomUUID();
  log.open(tenant, a);
  for (let k = 1; k <= 49; k++) log.deposit(tenant, a, BigInt(k));
  const start = await infra.eventStore.headPosition();
  const relayDb = createKysely<RelaySchema>(infra.pool);
  await saveRelayCheckpoint(relayDb, 'throttled', start);
  const relay = createRelay(
    {
      db: relayDb,
      eventStore: infra.eventStore,
      nc: infra.nc,
      subjectPrefix: infra.nats.subjectPrefix,
    },
    { name: 'throttled', batchSize: 10, checkpointEveryMs: 60_000 },
  );
  await relay.start();
  await appendLog(infra.eventStore, log);
  const head = await infra.eventStore.headPosition();
  await eventually('everything acknowledged', async () => relay.position() === head);
  const written = await loadRelayCheckpoint(relayDb, 'throttled');
  t.ok(written < head, `only the first batch's checkpoint was written (${written} < ${head})`);
  await relay.stop();
  t.equal(await loadRelayCheckpoint(relayDb, 'throttled'), head, 'stop writes the last one');
});
