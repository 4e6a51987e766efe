// `npm start` waited up to SHUTDOWN_GRACE_MS for the gateway and then as long again for the
// children, and exited 0 even when it had cut requests or SIGKILLed a child. One deadline now
// covers the whole stop, and anything cut makes it `cut` (the supervisor exits 1).

import { request } from 'node:http';
import Fastify from 'fastify';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { SupervisedChild } from '../src/supervisor/child.js';
import { stopSystem } from '../src/supervisor/shutdown.js';

const log = pino({ level: 'silent' });

/**
 * A child that says it listens (on a made-up port) once its SIGTERM handler is in place, so a
 * stop never races the handler.
 */
async function child(t: Test, onSigterm: string): Promise<SupervisedChild> {
  const c = new SupervisedChild({
    name: 'fixture',
    command: process.execPath,
    args: [
      '-e',
      `process.on('SIGTERM', () => { ${onSigterm} }); process.send({ type: 'techflow:listening', port: 1 }); setInterval(() => {}, 1000);`,
    ],
    cwd: process.cwd(),
    env: process.env,
    log,
    onGiveUp: () => undefined,
  });
  t.teardown(() => c.killNow());
  c.start();
  while (c.listeningOn !== 1) await new Promise((r) => setTimeout(r, 10));
  c.markReady();
  return c;
}

/** A gateway stand-in holding one request that never ends. */
async function gatewayWithRequestInFlight(t: Test) {
  const app = Fastify();
  let arrived: () => void = () => undefined;
  const inFlight = new Promise<void>((r) => {
    arrived = r;
  });
  app.get('/forever', async () => {
    arrived();
    return new Promise(() => undefined);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const req = request({ port, host: '127.0.0.1', path: '/forever' });
  req.on('error', () => undefined);
  req.end();
  t.teardown(() => req.destroy());
  await inFlight;
  return app;
}

t.test('a request in flight and a child ignoring SIGTERM: both cut by one deadline', async (t) => {
  const graceMs = 1000;
  const gateway = await gatewayWithRequestInFlight(t);
  const stubborn = await child(t, '/* ignored */');
  const started = performance.now();
  const outcome = await stopSystem({ gateway, children: [stubborn], graceMs, log });
  const elapsed = performance.now() - started;
  t.equal(outcome, 'cut');
  t.ok(elapsed >= graceMs - 50, `the request had its grace period (${Math.round(elapsed)} ms)`);
  // Twice the grace period before: the gateway's, then the children's all over again.
  t.ok(elapsed < graceMs * 1.5, `all within one grace period (${Math.round(elapsed)} ms)`);
});

t.test('a child that has to be killed makes the stop cut', async (t) => {
  const outcome = await stopSystem({
    children: [await child(t, 'process.exit(0)'), await child(t, '/* ignored */')],
    graceMs: 300,
    log,
  });
  t.equal(outcome, 'cut');
});

t.test(
  'a service that ends its own stop with status 1 (it cut requests) makes it cut',
  async (t) => {
    const outcome = await stopSystem({
      children: [await child(t, 'process.exit(1)')],
      graceMs: 5000,
      log,
    });
    t.equal(outcome, 'cut');
  },
);

t.test('an idle gateway and children that exit 0 stop clean, at once', async (t) => {
  const gateway = Fastify();
  await gateway.listen({ port: 0, host: '127.0.0.1' });
  const started = performance.now();
  const outcome = await stopSystem({
    gateway,
    children: [await child(t, 'process.exit(0)'), await child(t, 'process.exit(0)')],
    graceMs: 10_000,
    log,
  });
  t.equal(outcome, 'clean');
  t.ok(performance.now() - started < 5000, 'without waiting for the deadline');
});
