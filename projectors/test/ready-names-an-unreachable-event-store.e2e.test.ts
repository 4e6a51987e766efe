import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  createTestDatabase,
  createTestNats,
  deadPort,
  type ServiceProcess,
  startServiceProcess,
} from '@techflow/platform/testing';
import t, { type Test } from 'tap';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

async function startProjectors(t: Test, env: Record<string, string>): Promise<ServiceProcess> {
  const database = await createTestDatabase('tf_proj_store');
  const nats = createTestNats();
  let service: ServiceProcess | undefined;
  t.teardown(async () => {
    await service?.stop();
    await nats.cleanup();
    await database.drop();
  });
  service = await startServiceProcess(main, {
    DATABASE_URL: database.url,
    NATS_URL: nats.url,
    NATS_STREAM: nats.stream,
    NATS_SUBJECT_PREFIX: nats.subjectPrefix,
    PROJECTORS_PORT: '0',
    LOG_LEVEL: 'error',
    ...env,
  });
  return service;
}

// The projectors built the Postgres store whatever EVENT_STORE said: under docker-compose
// (eventstoredb) the relay read an empty es.events and no read model ever moved.
t.test('EVENT_STORE=eventstoredb is the store read, and /ready names it when away', async (t) => {
  const service = await startProjectors(t, {
    EVENT_STORE: 'eventstoredb',
    EVENTSTORE_URL: `esdb://127.0.0.1:${await deadPort()}?tls=false`,
  });
  // Long enough for the runner's catch-up and several idle periods: a store away is waited
  // out, not taken for a failed projection.
  for (let i = 0; i < 10; i++) {
    const ready = await fetch(`${service.origin}/ready`);
    t.equal(ready.status, 503);
    t.has(
      await ready.json(),
      { detail: 'not reachable: event store (eventstoredb)' },
      'the event store alone',
    );
    await sleep(200);
  }
});

t.test('with the Postgres store, /ready checks it too', async (t) => {
  const service = await startProjectors(t, { EVENT_STORE: 'postgres' });
  const ready = await fetch(`${service.origin}/ready`);
  t.equal(ready.status, 200);
  t.match(await ready.json(), { checks: ['postgres', 'event store (postgres)', 'nats'] });
});
