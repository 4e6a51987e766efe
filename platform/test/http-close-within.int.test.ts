import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { closeWithin } from '../src/http/index.js';
import { closeOnKeepAlive } from '../src/testing/close-on-keep-alive.js';
import { quietApp } from './helpers/quiet-app.js';

t.test('keep-alive clients do not hold a close up; requests in flight finish', async (t) => {
  const app = await quietApp(t);
  app.get('/slow', async () => {
    await sleep(300);
    return { done: true };
  });
  const origin = await app.listen({ port: 0, host: '127.0.0.1' });
  // fetch keeps its sockets open for the next request, as a client pool does.
  t.equal((await fetch(`${origin}/health`)).status, 200);
  const inFlight = fetch(`${origin}/slow`);
  await sleep(50);
  const closing = closeWithin(app, 5000);
  const answer = await inFlight;
  t.equal(answer.status, 200, 'the request in flight is answered');
  t.same(await answer.json(), { done: true });
  t.equal(await closing, 'closed', 'closed before the grace ran out, idle sockets and all');
});

t.test('a client that stalls mid-request is cut at the deadline', async (t) => {
  const app = await quietApp(t);
  app.post('/things', async () => ({ ok: true }));
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = new URL(address);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.on('error', () => undefined);
  // Headers and half the body, then nothing.
  socket.write(
    'POST /things HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 20\r\n\r\n{"a":',
  );
  await sleep(100);
  const cut = new Promise((resolve) => socket.once('close', resolve));
  t.equal(await closeWithin(app, 300), 'forced');
  await cut;
  t.pass('the stalled connection was closed');
});

t.test(
  'a request that arrives while closing is a 503 problem with Connection: close',
  async (t) => {
    const app = await quietApp(t);
    let release: () => void = () => undefined;
    let started = false;
    app.get('/slow', () => {
      started = true;
      return new Promise((r) => {
        release = () => r({ done: true });
      });
    });
    app.get('/other', async () => ({ ok: true }));
    const { port } = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
    const { closed, first, second } = await closeOnKeepAlive({
      port: Number(port),
      slowPath: '/slow',
      started: () => started,
      release: () => release(),
      latePath: '/other',
      close: () => closeWithin(app, 5000),
    });
    t.equal(closed, 'closed');
    t.match(first, /^HTTP\/1\.1 200/, 'the request in flight finishes');
    t.match(second, /^HTTP\/1\.1 503/, 'the late one is refused');
    t.match(second, /content-type: application\/problem\+json/i);
    t.match(second, /connection: close/i);
    t.match(second, /"code":"not_ready"/);
  },
);

t.test(
  'onClose hooks that run past the grace period cut nothing and are not "forced"',
  async (t) => {
    const app = await quietApp(t);
    app.addHook('onClose', async () => {
      await sleep(400);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    t.equal(await closeWithin(app, 100), 'closed');
  },
);
