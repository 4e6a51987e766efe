// Ad-hoc probe (not part of npm run bench): projection catch-up of an N-event backlog with the
// CPU of the projectors process, Postgres and NATS beside it. N=100000 node --import tsx …
import { createTestDatabase, createTestNats } from '@techflow/platform/testing';
import { buildBundles } from '../bundle.js';
import { seedBacklog, waitForProjection } from './backlog.js';
import { startService } from './services.js';

await buildBundles();
const N = Number(process.env['N'] ?? 100000);
const db = await createTestDatabase('tf_cu');
const nats = createTestNats();
const env = {
  DATABASE_URL: db.url,
  NATS_STREAM: nats.stream,
  NATS_SUBJECT_PREFIX: nats.subjectPrefix,
  PROJECTORS_PORT: '18193',
  ...(process.env['PROBE_ENV'] ? JSON.parse(process.env['PROBE_ENV']) : {}),
};
try {
  const head = await seedBacklog(db.url, N);
  const { execFileSync } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const cpuOf = (pid: number) => {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      return 0;
    }
  };
  const pg = () =>
    execFileSync('pgrep', ['-f', 'postgres'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .reduce((a, p) => a + cpuOf(p), 0);
  const nt = () =>
    execFileSync('pgrep', ['-f', 'nats-server'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .reduce((a, p) => a + cpuOf(p), 0);
  const pg0 = pg();
  const n0 = nt();
  const t0 = performance.now();
  const p = await startService('projectors', 'projectors', 18193, env);
  await waitForProjection(db.url, head, 600_000);
  const s = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      perSecond: Math.round(Number(head) / s),
      rss: Math.round(p.peakRssMiB()),
      projCpu: Math.round((cpuOf(p.child.pid!) / s) * 100),
      pgCpu: Math.round(((pg() - pg0) / s) * 100),
      natsCpu: Math.round(((nt() - n0) / s) * 100),
    }),
  );
  await p.stop();
} finally {
  await nats.cleanup();
  await db.drop();
}
