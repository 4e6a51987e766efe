// Ad-hoc probe (not part of npm run bench): write-to-visible at a fixed open-loop rate, with
// where the lag sits (relay checkpoint, projection checkpoint) sampled beside it.
// RATE=500 SECONDS=10 node --import tsx ops/src/bench/probe-visible.ts

import './closed-stdout.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createTestDatabase, createTestNats } from '@techflow/platform/testing';
import pg from 'pg';
import { buildBundles } from '../bundle.js';
import { storeHead, waitForProjection } from './backlog.js';
import { cpuPercent, cpuSecondsOf, cpuSnapshot, pidsMatching, threadUse } from './cpu.js';
import { depositLoad, getJson, httpPool, openLoop, seedTenant } from './http-load.js';
import { groupCommitBetween, groupCommitCounters, metricValue } from './prom-text.js';
import { type Service, serviceEnv, startService } from './services.js';
import { ascending, fmt, percentile, perSecond, runConcurrent, summarize } from './stats.js';

const RATE = Number(process.env['RATE'] ?? 500);
const SECONDS = Number(process.env['SECONDS'] ?? 10);
const PEAK = Number(process.env['PEAK'] ?? 0);
/** READ_EVERY=n: only every nth command is followed by its X-Min-Position read. */
const READ_EVERY = Number(process.env['READ_EVERY'] ?? 1);
// Known once the services say which ports they bound.
let COMMAND_URL = '';
let QUERY_URL = '';
let PROJECTORS_URL = '';

const groupCommit = async () =>
  groupCommitCounters(await (await fetch(`${COMMAND_URL}/metrics`)).text());

/** `n` to `digits` decimals, as a number (console.table and JSON keep it numeric). */
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

const cpuSnapshotOf = (svcs: Service[]) =>
  cpuSnapshot(Object.fromEntries(svcs.map((s) => [s.name, s.child.pid!])));

await buildBundles();
const db = await createTestDatabase('tf_probe');
const nats = createTestNats();
const env = serviceEnv(db.url, nats);
if (process.env['LOG_SLOW_MS']) {
  // Statements slower than LOG_SLOW_MS go to the server log, with their duration.
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(
    `alter database ${admin.escapeIdentifier(db.name)} set log_min_duration_statement = ${Number(process.env['LOG_SLOW_MS'])}`,
  );
  // And their plans, as executed, with buffers (auto_explain, loaded by each new session).
  for (const setting of [
    "session_preload_libraries = 'auto_explain'",
    `auto_explain.log_min_duration = ${Number(process.env['LOG_SLOW_MS'])}`,
    'auto_explain.log_analyze = on',
    'auto_explain.log_buffers = on',
  ]) {
    await admin.query(`alter database ${admin.escapeIdentifier(db.name)} set ${setting}`);
  }
  await admin.end();
}
if (process.env['LOG_STATEMENTS']) {
  // Every statement of this database's sessions goes to the server log (counted afterwards).
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(`alter database ${admin.escapeIdentifier(db.name)} set log_statement = 'all'`);
  await admin.end();
}
const services: Service[] = [];
const monitor = new pg.Pool({ connectionString: db.url, max: 1 });
try {
  const command = await startService('command-service', env);
  services.push(command);
  COMMAND_URL = command.url;
  const ONLY_COMMANDS = process.env['ONLY_COMMANDS'] === '1';
  if (!ONLY_COMMANDS) {
    const query = await startService('query-service', env);
    const projectors = await startService('projectors', env);
    services.push(query, projectors);
    QUERY_URL = query.url;
    PROJECTORS_URL = projectors.url;
  }
  const CONNECTIONS = Number(process.env['CONNECTIONS'] ?? 1024);
  const commands = httpPool(COMMAND_URL, CONNECTIONS);
  const queries = httpPool(QUERY_URL, CONNECTIONS);
  if (process.env['VARIANT_SQL']) {
    // An experimental replacement of a database function, applied after the migrations ran.
    await monitor.query(readFileSync(process.env['VARIANT_SQL'], 'utf8'));
  }
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
    const g0 = await groupCommit();
    const before = cpuSnapshotOf(services);
    const t0 = performance.now();
    const peak = await depositLoad(commands, tenant, PEAK, 64);
    const secs = (performance.now() - t0) / 1000;
    const cpu = cpuPercent(before, cpuSnapshotOf(services), secs);
    const group = groupCommitBetween(await groupCommit(), g0);
    console.log(
      JSON.stringify({
        peak: Math.round(peak.perSecond),
        p50: fmt(peak.p50),
        p99: fmt(peak.p99),
        cpu,
        commandsPerAppendBatch: fmt(group.commandsPerBatch),
        appendBatchMs: fmt(group.batchMs, 2),
      }),
    );
    // Nothing projects with ONLY_COMMANDS: waiting would only time out.
    if (!ONLY_COMMANDS) await waitForProjection(db.url, await storeHead(db.url), 300_000);
  }

  const READS = Number(process.env['READS'] ?? 0);
  if (READS > 0) {
    await waitForProjection(db.url, await storeHead(db.url), 300_000);
    for (let round = 0; round < 2; round++) {
      const c0 = cpuSnapshotOf(services);
      const t0 = performance.now();
      const r = await runConcurrent(READS, 64, async (i) => {
        const account = tenant.accounts[i % tenant.accounts.length]!;
        const res = await getJson(queries, `/v1/accounts/${account}`, {
          authorization: `Bearer ${tenant.token}`,
          'x-min-position': '1',
        });
        if (res.status !== 200) throw new Error(`read answered ${res.status}`);
      });
      const c1 = cpuSnapshotOf(services);
      const msPerRead = (k: string) => fmt((((c1[k] ?? 0) - (c0[k] ?? 0)) * 1000) / READS, 3);
      console.log(
        JSON.stringify({
          reads: Math.round(READS / ((performance.now() - t0) / 1000)),
          p99: fmt(summarize(r.latencies, r.elapsedMs).p99),
          queryCpuMsPerRead: msPerRead('query-service'),
          pgCpuMsPerRead: msPerRead('postgres'),
        }),
      );
    }
  }

  // TIMELINE=1 also samples the projection's JetStream consumer: where delivery stands.
  const natsConn =
    process.env['TIMELINE'] && !ONLY_COMMANDS ? await connect({ servers: nats.url }) : null;
  const jsm = natsConn ? await jetstreamManager(natsConn) : null;
  const consumerState = async () => {
    if (!jsm) return '';
    const c = await jsm.consumers.info(nats.stream, 'proj_accounts');
    return `delivered ${c.delivered.stream_seq} ackfloor ${c.ack_floor.stream_seq} ackpending ${c.num_ack_pending} waiting ${c.num_waiting} pending ${c.num_pending}`;
  };
  const samples: { t: number; head: number; relay: number; proj: number }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const r = await monitor.query<{ head: string; proj: string }>(
        `select (select position from es.log_head) head,
                ${ONLY_COMMANDS ? '0' : "(select position from projections.checkpoints where name = 'accounts')"} proj`,
      );
      const row = r.rows[0]!;
      // The relay's gauge, not its checkpoint row: that is written at most every 200 ms.
      const metrics = ONLY_COMMANDS ? '' : await (await fetch(`${PROJECTORS_URL}/metrics`)).text();
      const relay = metricValue(metrics, 'relay_position');
      samples.push({ t: performance.now(), head: Number(row.head), relay, proj: Number(row.proj) });
      // TIMELINE=1: ms, relay lag and projection lag (events) every 100 ms.
      if (process.env['TIMELINE']) {
        console.log(
          Math.round(performance.now()),
          Number(row.head) - relay,
          Number(row.head) - Number(row.proj),
          `batches ${metricValue(metrics, 'projection_batch_seconds_count')}`,
          await consumerState(),
        );
      }
      await new Promise((res) => setTimeout(res, Number(process.env['SAMPLE_MS'] ?? 100)));
    }
  })();

  const counters = async () => {
    const m = ONLY_COMMANDS ? '' : await (await fetch(`${PROJECTORS_URL}/metrics`)).text();
    const batches = metricValue(m, 'projection_batch_seconds_count');
    const x = await monitor.query<{ xacts: string }>(
      'select xact_commit::text xacts from pg_stat_database where datname = current_database()',
    );
    // Group commit: batches and the commands that shared them.
    return { batches, xacts: Number(x.rows[0]!.xacts), group: await groupCommit() };
  };
  const k0 = await counters();
  // Postgres CPU per client application: each connection is a backend process of its own.
  const backends = async () => {
    const r = await monitor.query<{ pid: number; app: string }>(
      'select pid, application_name app from pg_stat_activity where datname = current_database()',
    );
    return r.rows;
  };
  const b0 = await backends();
  const backendCpu0 = new Map(b0.map((b) => [b.pid, cpuSecondsOf(b.pid)]));
  // THREADS=1: which threads ran and how often they switched, per write+read pair.
  const threadPids = () => ({
    ...Object.fromEntries(services.map((s) => [s.name, [s.child.pid!]])),
    postgres: pidsMatching('postgres'),
    nats: pidsMatching('nats-server'),
    client: [process.pid],
  });
  // WARM_OPEN=s: the same open loop for s seconds first, unrecorded (then, with WARM_IDLE_MS,
  // drained and idle that long), so the measured run starts with the pools' connections open.
  if (process.env['WARM_OPEN']) {
    const warm = Math.round(RATE * Number(process.env['WARM_OPEN']));
    await openLoop(commands, ONLY_COMMANDS ? null : queries, tenant, RATE, warm, READ_EVERY);
    if (process.env['WARM_IDLE_MS']) {
      if (!ONLY_COMMANDS) await waitForProjection(db.url, await storeHead(db.url), 300_000);
      await new Promise((r) => setTimeout(r, Number(process.env['WARM_IDLE_MS'])));
    }
  }
  const threads0 = process.env['THREADS'] ? threadUse(threadPids()) : null;
  const cpu0 = cpuSnapshotOf(services);
  const total = Math.round(RATE * SECONDS);
  const started = performance.now();
  // NEW_POOLS=1: the measured run on pools with no connections yet (what a warm-up opened
  // stays with the old ones), to see what opening them costs.
  const fresh = process.env['NEW_POOLS'] === '1';
  const measuredCommands = fresh ? httpPool(COMMAND_URL, CONNECTIONS) : commands;
  const measuredQueries = fresh ? httpPool(QUERY_URL, CONNECTIONS) : queries;
  const { written, visible, timeline, clientDelayP99Ms } = await openLoop(
    measuredCommands,
    ONLY_COMMANDS ? null : measuredQueries,
    tenant,
    RATE,
    total,
    READ_EVERY,
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu1 = cpuSnapshotOf(services);
  if (threads0) {
    const rows = [...threadUse(threadPids())]
      .map(([thread, u]) => {
        const b = threads0.get(thread);
        const per = (n: number) => round(n / total, 2);
        return {
          thread,
          cpuPct: round((u.runNs - (b?.runNs ?? 0)) / 1e7 / elapsed, 1),
          usPerPair: round((u.runNs - (b?.runNs ?? 0)) / 1e3 / total, 0),
          voluntaryPerPair: per(u.voluntary - (b?.voluntary ?? 0)),
          preemptedPerPair: per(u.involuntary - (b?.involuntary ?? 0)),
        };
      })
      .filter((r) => r.cpuPct >= 0.5)
      .sort((a, b) => b.cpuPct - a.cpuPct);
    console.table(rows);
  }
  const k1 = await counters();
  const appends = groupCommitBetween(k1.group, k0.group);
  const cpuPct = cpuPercent(cpu0, cpu1, elapsed);
  const byApp: Record<string, number> = {};
  for (const b of await backends()) {
    const used = cpuSecondsOf(b.pid) - (backendCpu0.get(b.pid) ?? 0);
    byApp[b.app || '(none)'] = round((byApp[b.app || '(none)'] ?? 0) + (used / elapsed) * 100, 1);
  }
  console.log(JSON.stringify({ postgresCpuPctByApplication: byApp }));
  if (process.env['TABLES']) {
    // Where updates leave dead rows behind (HOT or not), and how large the hot tables grew.
    const r = await monitor.query(
      `select schemaname || '.' || relname as table, n_live_tup live, n_dead_tup dead,
              n_tup_upd upd, n_tup_hot_upd hot, pg_relation_size(relid) bytes
       from pg_stat_user_tables order by n_tup_upd desc limit 8`,
    );
    console.table(r.rows);
  }
  sampling = false;
  await sampler;
  const lag = (k: 'relay' | 'proj') => samples.map((s) => s.head - s[k]).sort(ascending);
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
        appendBatches: Math.round(appends.batches / elapsed),
      },
      commandsPerAppendBatch: fmt(appends.commandsPerBatch),
      rss: Object.fromEntries(services.map((s) => [s.name, Math.round(s.peakRssMiB())])),
      clientDelayP99Ms: fmt(clientDelayP99Ms),
    }),
  );
  // Each second's p99: a tail spread over the run, or one stretch of it (the start, a pause).
  const column = ONLY_COMMANDS ? 1 : 2;
  console.log(
    JSON.stringify({
      [`p99PerSecond${ONLY_COMMANDS ? 'Written' : 'Visible'}`]: perSecond(timeline, column, 99),
    }),
  );
  if (process.env['TIMELINE_FILE']) {
    // Every command's [sent, written, visible] and the lag samples, both in ms from the start
    // of the measured run: to line a bad stretch up with where the pipeline stood.
    writeFileSync(
      process.env['TIMELINE_FILE'],
      JSON.stringify({
        timeline,
        samples: samples.map((x) => ({ ...x, t: Math.round(x.t - started) })),
      }),
    );
  }
  if (!ONLY_COMMANDS) {
    const m = await (await fetch(`${QUERY_URL}/metrics`)).text();
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
  // CPU seconds so far of each service's threads, by thread name.
  for (const svc of services) {
    const threads: Record<string, number> = {};
    for (const [key, use] of threadUse({ [svc.name]: [svc.child.pid!] })) {
      threads[key.slice(svc.name.length + 1)] = round(use.runNs / 1e9, 2);
    }
    console.log(svc.name, JSON.stringify(threads));
  }
  await commands.close();
  await queries.close();
  if (fresh) {
    await measuredCommands.close();
    await measuredQueries.close();
  }
  await natsConn?.close();
} finally {
  await monitor.end();
  for (const s of services.reverse()) await s.stop();
  await nats.cleanup();
  await db.drop();
}
