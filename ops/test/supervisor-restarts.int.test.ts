// The supervisor's parts that need no services: free ports for children configured with 0 or
// not at all, and the restart policy (restart with backoff once ready, give up on a crash loop,
// never restart on stop, and a death before ready is a failed start).

import { pino } from 'pino';
import t from 'tap';
import { SERVICES } from '../src/services.js';
import { SupervisedChild } from '../src/supervisor/child.js';
import { requestedPorts, resolvePorts } from '../src/supervisor/ports.js';

const log = pino({ level: 'silent' });
const fast = { maxCrashes: 2, windowMs: 60_000, baseDelayMs: 1, maxDelayMs: 5 };

t.test('ports configured as 0 become distinct free ports; others are kept', async (t) => {
  const ports = await resolvePorts(SERVICES, {
    COMMAND_PORT: 0,
    QUERY_PORT: 0,
    PROJECTORS_PORT: 9,
  });
  t.equal(ports.PROJECTORS_PORT, 9);
  t.ok(ports.COMMAND_PORT > 0 && ports.QUERY_PORT > 0);
  t.not(ports.COMMAND_PORT, ports.QUERY_PORT);
});

t.test('ports not set are asked of the kernel; ports set are kept', async (t) => {
  const config = { COMMAND_PORT: 8081, QUERY_PORT: 8082, PROJECTORS_PORT: 0 };
  t.same(requestedPorts(SERVICES, config, { QUERY_PORT: '8082', PROJECTORS_PORT: '0' }), {
    COMMAND_PORT: 0,
    QUERY_PORT: 8082,
    PROJECTORS_PORT: 0,
  });
  t.same(requestedPorts(SERVICES, config, { COMMAND_PORT: '' }).COMMAND_PORT, 0, 'empty is unset');
});

t.test('a child that keeps dying once ready is restarted, then given up on', async (t) => {
  let starts = 0;
  const gaveUp = await new Promise<Error>((resolve) => {
    const child: SupervisedChild = new SupervisedChild({
      name: 'crasher',
      command: process.execPath,
      args: ['-e', 'process.exit(3)'],
      cwd: process.cwd(),
      env: process.env,
      log,
      policy: fast,
      onGiveUp: resolve,
    });
    const start = child.start.bind(child);
    child.start = () => {
      starts++;
      start();
    };
    child.start();
    child.markReady();
  });
  t.equal(starts, fast.maxCrashes + 1, 'started once, restarted maxCrashes times');
  t.match(gaveUp.message, /crasher died 3 times .*exit code 3.*giving up/);
});

t.test('a stopped child is not restarted', async (t) => {
  let gaveUp = false;
  const child = new SupervisedChild({
    name: 'sleeper',
    command: process.execPath,
    args: ['-e', 'setInterval(() => {}, 1000)'],
    cwd: process.cwd(),
    env: process.env,
    log,
    policy: fast,
    onGiveUp: () => {
      gaveUp = true;
    },
  });
  child.start();
  await child.stop(5000);
  t.equal(child.failure, undefined);
  t.notOk(gaveUp);
});

t.test('a child that dies before it is ready is not restarted: the start failed', async (t) => {
  let starts = 0;
  let gaveUp = false;
  const child: SupervisedChild = new SupervisedChild({
    name: 'misconfigured',
    command: process.execPath,
    args: ['-e', 'process.exit(3)'],
    cwd: process.cwd(),
    env: process.env,
    log,
    policy: fast,
    onGiveUp: () => {
      gaveUp = true;
    },
  });
  const start = child.start.bind(child);
  child.start = () => {
    starts++;
    start();
  };
  child.start();
  while (!child.failure) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50));
  t.equal(starts, 1, 'never restarted');
  t.notOk(gaveUp, 'no crash loop to give up on');
  t.match(child.failure.message, /misconfigured exited before it was ready \(exit code 3\)/);
});
