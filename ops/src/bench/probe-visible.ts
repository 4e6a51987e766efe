// Ad-hoc probe (not part of npm run bench): write-to-visible at a fixed open-loop rate, with
// where the lag sits (relay checkpoint, projection checkpoint) sampled beside it.
// RATE=500 SECONDS=10 node --import tsx ops/src/bench/probe-visible.ts

import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createTestDatabase, createTestNats } from '@techflow/platform/testing';
import pg from 'pg';
import { buildBundles } from '../bundle.js';
import { waitForProjection } from './backlog.js';
import { depositLoad, getJson, httpPool, postJson, seedTenant } from './http-load.js';
import { type Service, startService } from './services.js';
import { fmt, percentile, runConcurrent, summarize } from './stats.js';

const RATE = Number(process.env['RATE'] ?? 500);
const SECONDS = Number(process.env['SECONDS'] ?? 10);
const PEAK = Number(process.env['PEAK'] ?? 0);

const cpuOf = (pid: number) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + (process.env['SYS_ONLY'] ? 0 : Number(f[12]))) / 100;
  } catch {
    return 0;
  }
};
const pids = (pattern: string) =>
  execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(Number);
const cpuSnapshot = (svcs: Service[]) => ({
  ...Object.fromEntries(svcs.map((s) => [s.name, cpuOf(s.child.pid!)])),
  postgres: pids('postgres').reduce((a, p) => a + cpuOf(p), 0),
  redis: pids('redis-server').reduce((a, p) => a + cpuOf(p), 0),
  nats: pids('nats-server').reduce((a, p) => a + cpuOf(p), 0),
  client: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
});

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
  QUERY_PORT: '18092',
  PROJECTORS_PORT: '18093',
  ...(process.env['PROBE_ENV'] ? JSON.parse(process.env['PROBE_ENV']) : {}),
};
const services: Service[] = [];
const monitor = new pg.Pool({ connectionString: db.url, max: 1 });
try {
  services.push(await startService('command-service', 'command-service', 18091, env));
  const ONLY_COMMANDS = process.env['ONLY_COMMANDS'] === '1';
  if (!ONLY_COMMANDS) {
    services.push(await startService('query-service', 'query-service', 18092, env));
    services.push(await startService('projectors', 'projectors', 18093, env));
  }
  const CONNECTIONS = Number(process.env['CONNECTIONS'] ?? 1024);
  const commands = httpPool('http://127.0.0.1:18091', CONNECTIONS);
  const queries = httpPool('http://127.0.0.1:18092', CONNECTIONS);
  const tenant = await seedTenant(commands, 200);
  // Warm-up, as npm run bench has before it measures: JIT, caches, pools.
  await depositLoad(commands, tenant, 5000, 64);
  if (!ONLY_COMMANDS) {
    await runConcurrent(5000, 64, async (i) => {
      await getJson(queries, `/v1/accounts/${tenant.accounts[i % tenant.accounts.length]!}`, {
        authorization: `Bearer ${tenant.token}`,
      });
    });
  }
  if (PEAK > 0) {
    const peak = await depositLoad(commands, tenant, PEAK, 64);
    console.log(JSON.stringify({ peak: Math.round(peak.perSecond) }));
    const h = await monitor.query<{ position: string }>('select position from es.log_head');
    await waitForProjection(db.url, BigInt(h.rows[0]!.position), 300_000);
  }

  const READS = Number(process.env['READS'] ?? 0);
  if (READS > 0) {
    const h = await monitor.query<{ position: string }>('select position from es.log_head');
    await waitForProjection(db.url, BigInt(h.rows[0]!.position), 300_000);
    const q = services[1]!;
    for (let round = 0; round < 2; round++) {
      const c0 = cpuSnapshot(services);
      const t0 = performance.now();
      const r = await runConcurrent(READS, 64, async (i) => {
        const account = tenant.accounts[i % tenant.accounts.length]!;
        const res = await getJson(queries, `/v1/accounts/${account}`, {
          authorization: `Bearer ${tenant.token}`,
          'x-min-position': '1',
        });
        if (res.status !== 200) throw new Error(`read answered ${res.status}`);
      });
      const secs = (performance.now() - t0) / 1000;
      const c1 = cpuSnapshot(services);
      const c = c1 as Record<string, number>;
      const b = c0 as Record<string, number>;
      console.log(
        JSON.stringify({
          reads: Math.round(READS / secs),
          p99: fmt(summarize(r.latencies, r.elapsedMs).p99),
          queryCpuMsPerRead: fmt(((c[q.name]! - b[q.name]!) * 1000) / READS, 3),
          pgCpuMsPerRead: fmt(((c['postgres']! - b['postgres']!) * 1000) / READS, 3),
        }),
      );
    }
  }

  const samples: { head: number; relay: number; proj: number }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const r = await monitor.query<{ head: string; relay: string; proj: string }>(
        `select (select position from es.log_head) head,
                ${ONLY_COMMANDS ? '0' : '(select position from relay.checkpoints limit 1)'} relay,
                ${ONLY_COMMANDS ? '0' : "(select position from projections.checkpoints where name = 'accounts')"} proj`,
      );
      const row = r.rows[0]!;
      samples.push({ head: Number(row.head), relay: Number(row.relay), proj: Number(row.proj) });
      await new Promise((res) => setTimeout(res, 100));
    }
  })();

  const counters = async () => {
    const m = ONLY_COMMANDS ? '' : await (await fetch('http://127.0.0.1:18093/metrics')).text();
    const batches = Number(/^projection_batch_seconds_count\{[^}]*\} (\d+)/m.exec(m)?.[1] ?? 0);
    const x = await monitor.query<{ xacts: string }>(
      'select xact_commit::text xacts from pg_stat_database where datname = current_database()',
    );
    return { batches, xacts: Number(x.rows[0]!.xacts) };
  };
  const k0 = await counters();
  const cpu0 = cpuSnapshot(services);
  const written: number[] = [];
  const visible: number[] = [];
  const total = Math.round(RATE * SECONDS);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const account = tenant.accounts[i % tenant.accounts.length]!;
    pending.push(
      (async () => {
        const sent = performance.now();
        const w = await postJson<{ position: string }>(
          commands,
          `/v1/accounts/${account}/deposits`,
          { amount: '100' },
          { authorization: `Bearer ${tenant.token}`, 'idempotency-key': randomUUID() },
        );
        const accepted = performance.now();
        written.push(accepted - sent);
        if (ONLY_COMMANDS) return;
        const r = await getJson(queries, `/v1/accounts/${account}`, {
          authorization: `Bearer ${tenant.token}`,
          'x-min-position': w.body.position,
        });
        if (r.status === 200) visible.push(performance.now() - accepted);
      })(),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  const cpu1 = cpuSnapshot(services);
  const k1 = await counters();
  const cpuPct = Object.fromEntries(
    Object.entries(cpu1).map(([k, v]) => [
      k,
      Math.round(((v - (cpu0 as Record<string, number>)[k]!) / elapsed) * 100),
    ]),
  );
  sampling = false;
  await sampler;
  written.sort((a, b) => a - b);
  visible.sort((a, b) => a - b);
  const lag = (k: 'relay' | 'proj') => samples.map((s) => s.head - s[k]).sort((a, b) => a - b);
  const relayLag = lag('relay');
  const projLag = lag('proj');
  console.log(
    JSON.stringify({
      rate: RATE,
      achieved: Math.round(total / elapsed),
      write: { p50: fmt(percentile(written, 50)), p99: fmt(percentile(written, 99)) },
      visible: {
        p50: fmt(percentile(visible, 50)),
        p99: fmt(percentile(visible, 99)),
        n: visible.length,
      },
      relayLagEvents: { p50: percentile(relayLag, 50), max: relayLag.at(-1) },
      projLagEvents: { p50: percentile(projLag, 50), max: projLag.at(-1) },
      cpuPct,
      perSecond: {
        projectionBatches: Math.round((k1.batches - k0.batches) / elapsed),
        pgCommits: Math.round((k1.xacts - k0.xacts) / elapsed),
      },
      rss: Object.fromEntries(services.map((s) => [s.name, Math.round(s.peakRssMiB())])),
    }),
  );
  if (!ONLY_COMMANDS) {
    const m = await (await fetch('http://127.0.0.1:18092/metrics')).text();
    console.log(
      m
        .split('\n')
        .filter((l) =>
          /^(techflow_query_min_position_wait_seconds|http_request_duration_seconds)_(bucket|count|sum)/.test(
            l,
          ),
        )
        .filter((l) => !l.includes('/metrics'))
        .join('\n'),
    );
  }
  for (const svc of services) {
    const threads: Record<string, number> = {};
    for (const tid of readdirSync(`/proc/${svc.child.pid}/task`)) {
      const stat = readFileSync(`/proc/${svc.child.pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads[name] = (threads[name] ?? 0) + (Number(f[11]) + Number(f[12])) / 100;
    }
    console.log(svc.name, JSON.stringify(threads));
  }
  await commands.close();
  await queries.close();
} finally {
  await monitor.end();
  for (const s of services.reverse()) await s.stop();
  await nats.cleanup();
  await db.drop();
}
