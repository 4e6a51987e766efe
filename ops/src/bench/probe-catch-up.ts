// Ad-hoc probe (not part of npm run bench): projection catch-up of an N-event backlog with the
// CPU of the projectors process, Postgres and NATS beside it. N=100000 node --import tsx …
import './closed-stdout.js';
import { createTestDatabase, createTestNats } from '@techflow/platform/testing';
import { buildBundles } from '../bundle.js';
import { seedBacklog, waitForProjection } from './backlog.js';
import { cpuPercent, cpuSecondsOf, cpuSnapshot } from './cpu.js';
import { serviceEnv, startService } from './services.js';

await buildBundles();
const N = Number(process.env['N'] ?? 100000);
const db = await createTestDatabase('tf_cu');
const nats = createTestNats();
const env = serviceEnv(db.url, nats);
try {
  const head = await seedBacklog(db.url, N);
  const c0 = cpuSnapshot({});
  const t0 = performance.now();
  const p = await startService('projectors', env);
  await waitForProjection(db.url, head, 600_000);
  const s = (performance.now() - t0) / 1000;
  const cpu = cpuPercent(c0, cpuSnapshot({}), s);
  console.log(
    JSON.stringify({
      perSecond: Math.round(Number(head) / s),
      rss: Math.round(p.peakRssMiB()),
      // The process started inside the interval: all its CPU time is the catch-up's.
      projCpu: Math.round((cpuSecondsOf(p.child.pid!) / s) * 100),
      pgCpu: cpu['postgres'],
      natsCpu: cpu['nats'],
    }),
  );
  await p.stop();
} finally {
  await nats.cleanup();
  await db.drop();
}
