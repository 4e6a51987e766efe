// The supervisor used to poll whatever answered on a child's port: with the port held by
// another process (a second `npm start`), the child died of EADDRINUSE while the supervisor
// logged it ready and proxied to the other process.

import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deadPort } from '@techflow/platform/testing';
import { pino } from 'pino';
import t from 'tap';
import { REPO_ROOT } from '../src/services.js';
import { SupervisedChild } from '../src/supervisor/child.js';
import { waitReady } from '../src/supervisor/wait-ready.js';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/tiny-service.ts');
const log = pino({ level: 'silent' });

function tinyService(port: number): SupervisedChild {
  return new SupervisedChild({
    name: 'tiny',
    command: process.execPath,
    args: ['--import', 'tsx', fixture],
    cwd: REPO_ROOT,
    env: { ...process.env, FIXTURE_PORT: String(port), LOG_LEVEL: 'fatal' },
    log,
    onGiveUp: () => undefined,
  });
}

t.test('another process answering on the port is never taken for the child', async (t) => {
  // Answers /ready with 200, as another `npm start`'s command service would.
  let asked = 0;
  const other = createServer((_, res) => {
    asked++;
    res.end('{"status":"ok"}');
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise((r) => other.close(r)));
  const address = other.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const child = tinyService(port);
  t.teardown(() => child.stop(5000));
  child.start();
  const started = Date.now();
  const error = await waitReady(child, port, { timeoutMs: 30_000 }).then(
    () => null,
    (e: unknown) => e,
  );
  t.type(error, Error, 'not ready');
  t.match(
    (error as Error).message,
    `tiny exited before it was ready (exit code 1): port ${port} (FIXTURE_PORT) on 127.0.0.1 is already in use by another process`,
  );
  t.ok(Date.now() - started < 15_000, 'failed at once, not after the timeout');
  t.equal(asked, 0, 'the other process was never asked');
});

t.test('a child on a free port is ready once it says it listens and answers', async (t) => {
  const port = await deadPort();
  const child = tinyService(port);
  t.teardown(() => child.stop(5000));
  child.start();
  await waitReady(child, port, { timeoutMs: 30_000 });
  t.equal(child.listeningOn, port);
});
