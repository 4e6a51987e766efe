import t from 'tap';
import { connectNats } from '../src/messaging/connect.js';
import { lateForwarder } from '../src/testing/late-forwarder.js';
import { TEST_NATS_URL } from '../src/testing/nats.js';

t.test('NATS that is not up yet is waited for, and the wait is reported', async (t) => {
  const nats = new URL(TEST_NATS_URL);
  // A port that refuses connections until the "server" starts: then it forwards to NATS.
  const proxy = await lateForwarder(nats.hostname, Number(nats.port || 4222));
  t.teardown(() => proxy.close());
  const { port } = proxy;

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
  proxy.start();
  const nc = await connecting;
  t.ok(waited.length >= 1, 'the wait was reported');
  t.ok(nc.info, 'connected once NATS was there');
  await nc.close();
});
