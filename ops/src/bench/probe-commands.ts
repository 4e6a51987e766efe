// Ad-hoc probe (not part of npm run bench): command throughput with CPU split per process.

import './closed-stdout.js';
import { createTestDatabase, createTestNats } from '@techflow/platform/testing';
import pg from 'pg';
import { buildBundles } from '../bundle.js';
import { cpuPercent, cpuSnapshot } from './cpu.js';
import { depositLoad, httpPool, seedTenant } from './http-load.js';
import { groupCommitBetween, groupCommitCounters } from './prom-text.js';
import { serviceEnv, startService } from './services.js';
import { fmt } from './stats.js';

await buildBundles();
const db = await createTestDatabase('tf_probe');
const nats = createTestNats();
const env = serviceEnv(db.url, nats);
const svc = await startService('command-service', env);
try {
  const pool = httpPool(svc.url);
  const tenant = await seedTenant(pool, 200);
  await depositLoad(pool, tenant, 2000, 64);
  const processes = { service: svc.child.pid! };
  const monitor = new pg.Client({ connectionString: db.url });
  await monitor.connect();
  const commits = async () =>
    Number(
      (
        await monitor.query<{ n: string }>(
          'select xact_commit::text n from pg_stat_database where datname = current_database()',
        )
      ).rows[0]!.n,
    );
  const x0 = await commits();
  const c0 = cpuSnapshot(processes);
  const t0 = performance.now();
  const r = await depositLoad(pool, tenant, Number(process.env['N'] ?? 10000), 64);
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuPercent(c0, cpuSnapshot(processes), secs);
  const x1 = await commits();
  await monitor.end();
  // Since the service started (warm-up included): the group commit's cycle.
  const group = groupCommitBetween(
    groupCommitCounters(await (await fetch(`${svc.url}/metrics`)).text()),
  );
  console.log(
    JSON.stringify({
      perSecond: Math.round(r.perSecond),
      p50: r.p50,
      p99: r.p99,
      errors: r.errors,
      pgCommitsPerCommand:
        Math.round(((x1 - x0) / Number(process.env['N'] ?? 10000)) * 1000) / 1000,
      serviceCpuPct: cpu['service'],
      pgCpuPct: cpu['postgres'],
      clientCpuMsPerReq: r.clientCpuMsPerRequest,
      rssMiB: svc.peakRssMiB(),
      commandsPerBatch: fmt(group.commandsPerBatch, 1),
      batchMs: fmt(group.batchMs, 2),
    }),
  );
  if (process.env['MEMORY']) {
    const m = await (await fetch(`${svc.url}/metrics`)).text();
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
