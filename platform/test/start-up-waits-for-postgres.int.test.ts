import t from 'tap';
import { waitForPostgres } from '../src/db/wait-for-postgres.js';
import { createTestDatabase, TEST_PG_SERVER } from '../src/testing/database.js';
import { lateForwarder } from '../src/testing/late-forwarder.js';
import { deadPort } from '../src/testing/ports.js';

function recordingLog() {
  const lines: Array<{ level: string; obj: object; msg: string }> = [];
  return {
    lines,
    warn: (obj: object, msg: string) => lines.push({ level: 'warn', obj, msg }),
    info: (obj: object, msg: string) => lines.push({ level: 'info', obj, msg }),
  };
}

t.test(
  'a Postgres that comes up after the service is waited for, and the wait logged once',
  async (t) => {
    const database = await createTestDatabase('tf_wait_pg');
    t.teardown(() => database.drop());
    const server = new URL(TEST_PG_SERVER);
    // Refuses connections until it starts, then forwards to the real server.
    const proxy = await lateForwarder(server.hostname, Number(server.port || 5432));
    t.teardown(() => proxy.close());
    const url = new URL(database.url);
    url.port = String(proxy.port);

    const log = recordingLog();
    const waiting = waitForPostgres(url.toString(), { timeoutMs: 20_000, log });
    // Up after several refused attempts: the backoff is 100 ms doubling.
    setTimeout(() => proxy.start(), 1500);
    await waiting;
    t.same(
      log.lines.map((l) => l.msg),
      ['waiting for Postgres', 'Postgres reachable'],
      'one line when the wait begins, one when it ends',
    );
  },
);

t.test(
  'a Postgres that never comes gives up in time, naming DATABASE_URL without its password',
  async (t) => {
    const port = await deadPort();
    const log = recordingLog();
    const started = Date.now();
    const error = await waitForPostgres(`postgres://techflow:s3cretpw@127.0.0.1:${port}/techflow`, {
      timeoutMs: 800,
      log,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    t.ok(Date.now() - started < 5000, 'gave up near its bound');
    t.type(error, Error);
    t.match(
      (error as Error).message,
      `cannot reach Postgres at DATABASE_URL postgres://techflow:***@127.0.0.1:${port}/techflow`,
    );
    t.notMatch((error as Error).message, 's3cretpw');
    t.equal(log.lines.length, 1, 'the wait was logged once');
    t.notMatch(JSON.stringify(log.lines), 's3cretpw');
  },
);

t.test('a refusal waiting cannot fix fails at once', async (t) => {
  const database = await createTestDatabase('tf_wait_pg');
  t.teardown(() => database.drop());
  const url = new URL(database.url);
  url.username = 'no_such_role_here';
  const started = Date.now();
  await t.rejects(
    waitForPostgres(url.toString(), { timeoutMs: 20_000 }),
    /cannot prepare the database at DATABASE_URL postgres:\/\/no_such_role_here@.*role "no_such_role_here" does not exist/,
  );
  t.ok(Date.now() - started < 5000, 'no waiting');
});
