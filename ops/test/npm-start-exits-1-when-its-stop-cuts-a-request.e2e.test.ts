// `npm start` always exited 0 on SIGTERM, even when SHUTDOWN_GRACE_MS ran out with a request
// still open and it was cut: docs/ARCHITECTURE.md (Shutdown) says such a stop exits 1.

import { createTestDatabase, createTestNats } from '@techflow/platform/testing';
import t from 'tap';
import { Api } from './helpers/api.js';
import { startSystem } from './helpers/system.js';

t.test('a read still waiting at the deadline is cut, and npm start exits 1', async (t) => {
  const db = await createTestDatabase('tf_e2e_stop');
  const nats = createTestNats();
  t.teardown(async () => {
    await nats.cleanup();
    await db.drop();
  });
  const system = await startSystem({
    DATABASE_URL: db.url,
    NATS_STREAM: nats.stream,
    NATS_SUBJECT_PREFIX: nats.subjectPrefix,
    SHUTDOWN_GRACE_MS: '1000',
    // The read below waits for a position no write reaches, far past the grace period.
    MIN_POSITION_WAIT_MS: '60000',
  });
  let stopped = false;
  t.teardown(() => (stopped ? undefined : system.stop()));

  const api = new Api(system.origin);
  await api.signup();
  const { accountId } = await api.openAccount('Main');
  const read = api
    .request('GET', `/v1/accounts/${accountId}`, undefined, { 'x-min-position': '999999999' })
    .then(
      (r) => `answered ${r.status}`,
      () => 'cut',
    );
  // Time for the read to cross the gateway and park in the query service's wait.
  await new Promise((r) => setTimeout(r, 1000));
  const started = performance.now();
  const code = await system.stop();
  stopped = true;
  t.equal(code, 1, 'npm start exits 1');
  t.equal(await read, 'cut', 'the read was cut, not answered');
  t.ok(performance.now() - started < 10_000, 'within seconds, not the read’s minute');
});
