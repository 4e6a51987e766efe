// Ad-hoc probe (not part of npm run bench): command throughput with CPU split per process.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createTestDatabase, createTestNats } from '@techflow/platform/testing';
import { buildBundles } from '../bundle.js';
import { depositLoad, httpPool, seedTenant } from './http-load.js';
import { startService } from './services.js';

const cpuOf = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const pgPids = () =>
  execFileSync('pgrep', ['-f', 'postgres'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(Number);
const pgCpu = () =>
  pgPids().reduce((s, p) => {
    try {
      return s + cpuOf(p);
    } catch {
      return s;
    }
  }, 0);

await buildBundles();
const db = await createTestDatabase('tf_probe');
const nats = createTestNats();
const env = {
  DATABASE_URL: db.url,
  NATS_STREAM: nats.stream,
  NATS_SUBJECT_PREFIX: nats.subjectPrefix,
  RATE_LIMIT_PER_USER_PER_MINUTE: '100000000',
  RATE_LIMIT_PER_TENANT_PER_MINUTE: '100000000',
  COMMAND_PORT: '18091',
  ...(process.env['PROBE_ENV'] ? JSON.parse(process.env['PROBE_ENV']) : {}),
};
const svc = await startService('command-service', 'command-service', 18091, env);
try {
  const pool = httpPool('http://127.0.0.1:18091');
  const tenant = await seedTenant(pool, 200);
  await depositLoad(pool, tenant, 2000, 64);
  const c0 = cpuOf(svc.child.pid!);
  const p0 = pgCpu();
  const t0 = performance.now();
  const r = await depositLoad(pool, tenant, Number(process.env['N'] ?? 10000), 64);
  const secs = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      perSecond: Math.round(r.perSecond),
      p50: r.p50,
      p99: r.p99,
      errors: r.errors,
      serviceCpuPct: Math.round(((cpuOf(svc.child.pid!) - c0) / secs) * 100),
      pgCpuPct: Math.round(((pgCpu() - p0) / secs) * 100),
      clientCpuMsPerReq: r.clientCpuMsPerRequest,
      rssMiB: svc.peakRssMiB(),
    }),
  );
  if (process.env['MEMORY']) {
    const m = await (await fetch('http://127.0.0.1:18091/metrics')).text();
    console.log(
      m
        .split('\n')
        .filter((l) =>
          /^(nodejs_heap_size|nodejs_external|process_resident|nodejs_heap_space_size_(total|used))/.test(
            l,
          ),
        )
        .join('\n'),
    );
  }
  await pool.close();
} finally {
  await svc.stop();
  await nats.cleanup();
  await db.drop();
}
