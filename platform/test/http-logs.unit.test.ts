import t, { type Test } from 'tap';
import { createBaseApp, problem } from '../src/http/index.js';

/** A base app whose log lines land in an array, parsed. */
async function loggedApp(t: Test) {
  const lines: Record<string, unknown>[] = [];
  const app = await createBaseApp({
    name: 'test',
    logLevel: 'debug',
    bodyLimit: 1024,
    collectDefaultMetrics: false,
    logStream: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  t.teardown(() => app.close());
  return { app, lines };
}

t.test('a 503 the code chose is a warning; only an unforeseen failure is an error', async (t) => {
  const { app, lines } = await loggedApp(t);
  app.get('/behind', async () => {
    throw problem('stale_read_model', 'the accounts read model is at 4, not yet at 9');
  });
  app.get('/bug', async () => {
    throw new Error('unforeseen');
  });
  t.equal((await app.inject({ url: '/behind' })).statusCode, 503);
  t.equal((await app.inject({ url: '/bug' })).statusCode, 500);
  // Requests run one after the other: the first warning or worse is /behind's, the next /bug's.
  const [behind, bug, ...more] = lines.filter((l) => Number(l['level']) >= 40);
  t.same(more, [], 'nothing else at warning or above');
  t.match(behind, { level: 40, code: 'stale_read_model', detail: /not yet at 9/ }, 'a warning');
  t.notOk(JSON.stringify(behind).includes('stack'), 'and no stack');
  t.match(bug, { level: 50, err: { message: 'unforeseen', stack: /Error: unforeseen/ } });
});

t.test('secrets never reach a log line', async (t) => {
  const { app, lines } = await loggedApp(t);
  app.post('/login', async (request) => {
    request.log.info({ body: request.body, headers: request.headers }, 'what came in');
    return {};
  });
  await app.inject({
    method: 'POST',
    url: '/login',
    headers: { authorization: 'Bearer tok-123', cookie: 'sid=cookie-456' },
    payload: { email: 'a@b.test', password: 'pw-789', refreshToken: 'rt-000' },
  });
  const text = JSON.stringify(lines);
  t.match(text, /what came in/);
  for (const secret of ['tok-123', 'cookie-456', 'pw-789', 'rt-000']) {
    t.notOk(text.includes(secret), `${secret} is redacted`);
  }
});
