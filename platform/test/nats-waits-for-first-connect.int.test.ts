import { createServer, type Socket, connect as tcp } from 'node:net';
import t from 'tap';
import { connectNats } from '../src/messaging/connect.js';
import { TEST_NATS_URL } from '../src/testing/nats.js';

t.test('NATS that is not up yet is waited for, and the wait is reported', async (t) => {
  const nats = new URL(TEST_NATS_URL);
  // A port that refuses connections until the "server" starts: then it forwards to NATS.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const address = probe.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((r) => probe.close(r));

  const sockets: Socket[] = [];
  const proxy = createServer((client) => {
    const upstream = tcp(Number(nats.port || 4222), nats.hostname);
    sockets.push(client, upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => proxy.close(r));
  });

  const waited: number[] = [];
  let startServer: () => void = () => undefined;
  const reported = new Promise<void>((resolve) => {
    startServer = resolve;
  });
  const connecting = connectNats(`nats://127.0.0.1:${port}`, {
    name: 'techflow-test-wait',
    onWaiting: (ms) => {
      waited.push(ms);
      startServer();
    },
  });
  await reported;
  proxy.listen(port, '127.0.0.1');
  const nc = await connecting;
  t.ok(waited.length >= 1, 'the wait was reported');
  t.ok(nc.info, 'connected once NATS was there');
  await nc.close();
});
