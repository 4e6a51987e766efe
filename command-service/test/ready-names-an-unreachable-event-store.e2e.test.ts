import { fileURLToPath } from 'node:url';
import {
  createTestDatabase,
  deadPort,
  type ServiceProcess,
  startServiceProcess,
} from '@techflow/platform/testing';
import t from 'tap';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

// With EVENT_STORE=eventstoredb and EventStoreDB down, /ready used to answer 200 (it checked
// Postgres alone) while every signup answered 500.
t.test('EventStoreDB down: /ready is 503 naming it, and commands are 503 too', async (t) => {
  const database = await createTestDatabase('tf_cmd_esdb');
  let service: ServiceProcess | undefined;
  t.teardown(async () => {
    await service?.stop();
    await database.drop();
  });
  service = await startServiceProcess(main, {
    DATABASE_URL: database.url,
    EVENT_STORE: 'eventstoredb',
    EVENTSTORE_URL: `esdb://127.0.0.1:${await deadPort()}?tls=false`,
    COMMAND_PORT: '0',
    LOG_LEVEL: 'warn',
  });

  const ready = await fetch(`${service.origin}/ready`);
  t.equal(ready.status, 503);
  t.has(await ready.json(), {
    code: 'not_ready',
    detail: 'not reachable: event store (eventstoredb)',
  });

  const signup = await fetch(`${service.origin}/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      organizationName: 'Acme',
      email: 'owner@acme.test',
      password: 'correct horse battery staple',
      name: 'Owner',
    }),
  });
  t.equal(signup.status, 503, 'a dependency away, not an internal error');
  t.has(await signup.json(), { code: 'not_ready' });
});

t.test('the Postgres event store is checked by /ready too', async (t) => {
  const database = await createTestDatabase('tf_cmd_ready');
  let service: ServiceProcess | undefined;
  t.teardown(async () => {
    await service?.stop();
    await database.drop();
  });
  service = await startServiceProcess(main, {
    DATABASE_URL: database.url,
    EVENT_STORE: 'postgres',
    COMMAND_PORT: '0',
    LOG_LEVEL: 'warn',
  });
  const ready = await fetch(`${service.origin}/ready`);
  t.equal(ready.status, 200);
  t.match(await ready.json(), { checks: ['postgres', 'event store (postgres)'] });
});
