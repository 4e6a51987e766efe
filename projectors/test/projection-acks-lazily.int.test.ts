import { randomUUID } from 'node:crypto';
import t from 'tap';
import { durableName } from '../src/runner/consumer.js';
import { appendLog } from './support/append.js';
import { EventLog } from './support/events.js';
import { createInfra, eventually, type Infra } from './support/infra.js';
import { publishEvents } from './support/publish.js';
import { reaches, startRunner } from './support/runner.js';

// The runner acks at most every ackEveryMs (acks only spare JetStream a redelivery; the
// checkpoint decides what is applied). What must hold: an ack is deferred, never lost. The
// last applied message is acked once the interval passes with nothing more arriving, and when
// the runner stops.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function trickle(infra: Infra, count: number) {
  const log = new EventLog();
  const tenant = randomUUID();
  const account = randomUUID();
  log.open(tenant, account);
  for (let k = 1; k < count; k++) log.deposit(tenant, account, BigInt(k));
  return appendLog(infra.eventStore, log);
}

const ackFloor = async (infra: Infra) =>
  (await infra.jsm.consumers.info(infra.nats.stream, durableName('accounts'))).ack_floor.stream_seq;

t.test('the last batch is acked once the interval passes, with nothing more coming', async (t) => {
  const infra = await createInfra();
  t.teardown(() => infra.close());
  const events = await trickle(infra, 5);
  // Long enough for five publish-and-apply rounds on a loaded machine (300 ms was not).
  const runner = startRunner(infra, { catchUpFromStore: false, ackEveryMs: 3000 });
  await runner.start();
  t.teardown(() => runner.stop());
  // One at a time, each applied before the next: five batches inside one interval.
  for (const [i, event] of events.entries()) {
    await publishEvents(infra.js, infra.nats.subjectPrefix, [event]);
    await reaches(infra, event.position);
    if (i === 0) t.equal(await ackFloor(infra), 1, 'the first batch is acked at once');
  }
  t.ok((await ackFloor(infra)) < events.length, 'later batches wait for the interval');
  await eventually('every message acked without another arriving', async () => {
    return (await ackFloor(infra)) === events.length;
  });
  await sleep(50);
  t.equal(runner.status().status, 'running', 'and the runner kept running');
});

t.test('stopping acks what was applied', async (t) => {
  const infra = await createInfra();
  t.teardown(() => infra.close());
  const events = await trickle(infra, 4);
  const runner = startRunner(infra, { catchUpFromStore: false, ackEveryMs: 600_000 });
  await runner.start();
  await publishEvents(infra.js, infra.nats.subjectPrefix, events.slice(0, 1));
  await reaches(infra, events[0]!.position);
  await publishEvents(infra.js, infra.nats.subjectPrefix, events.slice(1));
  await reaches(infra, events.at(-1)!.position);
  t.equal(await ackFloor(infra), 1, 'applied, not yet acked: the interval has not passed');
  await runner.stop();
  t.equal(await ackFloor(infra), events.length, 'stop sent the deferred ack');
});
