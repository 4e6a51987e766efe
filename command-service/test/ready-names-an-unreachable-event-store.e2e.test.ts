import { fileURLToPath } from 'node:url';
import {
  createTestDatabase,
  deadPort,
  type ServiceProcess,
  startServiceProcess,
} from '@techflow/platform/testing';
import t, { type Test } from 'tap';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** The command service as its own process, on a database of its own; both go at teardown. */
async function startCommandService(t: Test, env: Record<string, string>): Promise<ServiceProcess> {
  const database = await createTestDatabase('tf_cmd_store');
  let service: ServiceProcess | undefined;
  t.teardown(async () => {
    await service?.stop();
    await database.drop();
  });
  service = await startServiceProcess(main, {
    DATABASE_URL: database.url,
    COMMAND_PORT: '0',
    LOG_LEVEL: 'warn',
    ...env,
  });
  return service;
}

// With EVENT_STORE=eventstoredb and EventStoreDB down, /ready used to answer 200 (it checked
// Postgres alone) while every signup answered 500.
t.test('EventStoreDB down: /ready is 503 naming it, and commands are 503 too', async (t) => {
  const service = await startCommandService(t, {
    EVENT_STORE: 'eventstoredb',
    EVENTSTORE_URL: `esdb://127.0.0.1:${await deadPort()}?tls=false`,
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
  const service = await startCommandService(t, { EVENT_STORE: 'postgres' });
  const ready = await fetch(`${service.origin}/ready`);
  t.equal(ready.status, 200);
  t.match(await ready.json(), { checks: ['postgres', 'event store (postgres)'] });
});
