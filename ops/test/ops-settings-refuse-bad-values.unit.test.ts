import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { REPO_ROOT, UI_DIR } from '../src/services.js';
import { startupTimeoutMs, uiDir, urlFromEnv } from '../src/settings.js';

t.test('STARTUP_TIMEOUT_MS is decimal digits within bounds', async (t) => {
  t.equal(startupTimeoutMs({}), 60_000);
  t.equal(startupTimeoutMs({ STARTUP_TIMEOUT_MS: '120000' }), 120_000);
  // Number() read 1e3, 0x3e8 and 1000.0 all as 1000; 0 and 3e9 are out of bounds.
  for (const value of ['1e3', '0x3e8', '1000.0', '0', '3000000000']) {
    t.throws(
      () => startupTimeoutMs({ STARTUP_TIMEOUT_MS: value }),
      {
        name: 'ConfigError',
        message: /STARTUP_TIMEOUT_MS: expected a whole number of milliseconds from 1 to 3600000/,
      },
      value,
    );
  }
});

t.test('a service URL must be http or https with a host, and is never echoed', async (t) => {
  t.equal(urlFromEnv('COMMAND_URL', 'http://127.0.0.1:8081', {}), 'http://127.0.0.1:8081/');
  t.equal(
    urlFromEnv('QUERY_URL', 'http://127.0.0.1:8082', { QUERY_URL: 'https://query.internal' }),
    'https://query.internal/',
  );
  // Accepted before: a URL of scheme command-service:, failing only on the first request.
  t.throws(() => urlFromEnv('COMMAND_URL', '', { COMMAND_URL: 'command-service:8081' }), {
    message:
      /COMMAND_URL: expected a URL like http:\/\/command-service:8081 \(http: or https:\), got command-service:/,
  });
  const message = (() => {
    try {
      urlFromEnv('PROJECTORS_URL', '', { PROJECTORS_URL: 'http://u:hunter2@projectors:port' });
      return '';
    } catch (err) {
      return String(err);
    }
  })();
  t.match(message, /PROJECTORS_URL: .*does not parse as a URL/);
  t.notMatch(message, /hunter2/, 'the password stays out of the message');
});

t.test('UI_DIR, when set, names a built UI; relative to the working directory', async (t) => {
  t.equal(uiDir({}), path.join(REPO_ROOT, UI_DIR), 'unset: the checkout’s own, built or not');
  const dir = mkdtempSync(path.join(tmpdir(), 'tf-ui-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Without index.html the gateway served no UI, silently.
  t.throws(() => uiDir({ UI_DIR: dir }), {
    name: 'ConfigError',
    message: `invalid configuration: UI_DIR: no index.html in ${dir}`,
  });
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
  t.equal(uiDir({ UI_DIR: dir }), dir);
  // A relative root reached @fastify/static, which refused it without naming UI_DIR.
  t.equal(uiDir({ UI_DIR: path.relative(process.cwd(), dir) }), dir, 'made absolute');
});
