// REDACT_PATHS censored one level of `*.x` only: a top-level `password`, `req.body.password`,
// `err.request.headers.authorization`, an `Authorization` key, `token`, `apiKey` and
// `client_secret` were written in clear. The service loggers now censor every secret-named
// key at any depth and in any case (log-redaction.ts).
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { createBaseApp } from '../src/http/index.js';
import { redactSecrets, serviceLoggerOptions } from '../src/index.js';
import { loggedSecrets } from '../src/testing/index.js';

/** Each written line must parse, hold none of `secrets` and all of `kept`. */
function check(
  t: Test,
  lines: readonly string[],
  secrets: readonly string[],
  kept: readonly string[],
) {
  const text = lines.join('');
  for (const line of lines) t.doesNotThrow(() => JSON.parse(line), 'a JSON line');
  const leaked = secrets.filter((s) => text.includes(s));
  t.same(leaked, [], 'no secret is written');
  if (leaked.length > 0) t.comment(text);
  for (const k of kept) t.ok(text.includes(k), `${k} is still there`);
}

t.test('a service logger censors secrets at every depth, in errors and bindings', async (t) => {
  const lines: string[] = [];
  const log = pino(serviceLoggerOptions('test', 'info'), {
    write: (l: string) => void lines.push(l),
  });
  const { fields, secrets, kept } = loggedSecrets();
  log.info(fields, 'everything');
  log.error({ err: fields['err'] }, 'an error alone');
  log.child({ token: 's3cret-binding', tenantId: 'kept-tenant' }).warn('a child');
  check(t, lines, [...secrets, 's3cret-binding'], [...kept, 'kept-tenant', 'a child']);
});

t.test('a service app censors what a handler logs of a request', async (t) => {
  const lines: string[] = [];
  const app = await createBaseApp({
    name: 'test',
    logLevel: 'debug',
    bodyLimit: 65536,
    collectDefaultMetrics: false,
    logStream: { write: (line: string) => void lines.push(line) },
  });
  t.teardown(() => app.close());
  const { fields, secrets, kept } = loggedSecrets();
  app.post('/login', async (request) => {
    request.log.info({ req: { body: request.body, headers: request.headers } }, 'what came in');
    request.log.info(fields, 'and more');
    return {};
  });
  await app.inject({
    method: 'POST',
    url: '/login',
    headers: { Authorization: 'Bearer s3cret-header', Cookie: 'sid=s3cret-cookie' },
    payload: {
      email: 'kept@example.test',
      password: 's3cret-body',
      client: { client_secret: 's3cret-cs' },
    },
  });
  check(
    t,
    lines,
    [...secrets, 's3cret-header', 's3cret-cookie', 's3cret-body', 's3cret-cs'],
    [...kept, 'what came in'],
  );
});

t.test('the scan takes keys, not text, and keeps the line JSON', async (t) => {
  const line = `${JSON.stringify({
    msg: 'the "password": field is "x"',
    note: '{"token":"inside a string"}',
    tricky: 'a \\" quote',
    token: 'a "quoted\\" \\\\ secret}',
    after: 'kept',
    list: [{ secret: { deep: ['a', { b: '}]' }] } }, 7],
    n: null,
    pass: 1234,
    apiKeys: 'kept-not-the-name',
  })}\n`;
  const out = redactSecrets(line);
  t.same(JSON.parse(out), {
    msg: 'the "password": field is "x"',
    note: '{"token":"inside a string"}',
    tricky: 'a \\" quote',
    token: '[redacted]',
    after: 'kept',
    list: [{ secret: '[redacted]' }, 7],
    n: null,
    pass: '[redacted]',
    apiKeys: 'kept-not-the-name',
  });
  t.ok(out.endsWith('}\n'));
  t.equal(redactSecrets('{"level":30,"msg":"nothing"}\n'), '{"level":30,"msg":"nothing"}\n');
});
