import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'undici';
import { ascending, type LatencySummary, runConcurrent, summarize } from './stats.js';

/** An HTTP client that costs the server's CPU, not its own (BENCH.md: undici Pool, not fetch). */
export function httpPool(origin: string, connections = 64): Pool {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
}

export async function postJson<T>(
  pool: Pool,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const r = await pool.request({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: r.statusCode, body: (await r.body.json()) as T };
}

export async function getJson<T>(
  pool: Pool,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const r = await pool.request({ method: 'GET', path, headers });
  return { status: r.statusCode, body: (await r.body.json()) as T };
}

export interface Tenant {
  token: string;
  accounts: string[];
}

/** Signs up a tenant and opens `n` EUR accounts through the public API. */
export async function seedTenant(pool: Pool, n: number): Promise<Tenant> {
  const signup = await postJson<{ accessToken: string }>(pool, '/v1/signup', {
    organizationName: `Bench ${randomUUID().slice(0, 8)}`,
    email: `bench-${randomUUID()}@example.com`,
    password: 'correct horse battery staple',
    name: 'Bench',
  });
  if (signup.status !== 201) throw new Error(`signup answered ${signup.status}`);
  const token = signup.body.accessToken;
  const accounts: string[] = [];
  await runConcurrent(n, 16, async (i) => {
    const r = await postJson<{ accountId: string }>(
      pool,
      '/v1/accounts',
      { name: `Account ${i}`, currency: 'EUR' },
      { authorization: `Bearer ${token}` },
    );
    if (r.status !== 201) throw new Error(`open account answered ${r.status}`);
    accounts.push(r.body.accountId);
  });
  return { token, accounts };
}

/** Deposits over the tenant's accounts, each request with the JWT and its own Idempotency-Key. */
export async function depositLoad(
  pool: Pool,
  tenant: Tenant,
  total: number,
  inFlight: number,
): Promise<LatencySummary & { errors: number; clientCpuMsPerRequest: number }> {
  let errors = 0;
  const cpu0 = process.cpuUsage();
  const { latencies, elapsedMs } = await runConcurrent(total, inFlight, async (i) => {
    const account = tenant.accounts[i % tenant.accounts.length]!;
    const r = await pool.request({
      method: 'POST',
      path: `/v1/accounts/${account}/deposits`,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${tenant.token}`,
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify({ amount: '12500', reference: `bench ${i}` }),
    });
    await r.body.dump();
    if (r.statusCode !== 201) errors++;
  });
  const cpu = process.cpuUsage(cpu0);
  return {
    ...summarize(latencies, elapsedMs),
    errors,
    clientCpuMsPerRequest: (cpu.user + cpu.system) / 1000 / total,
  };
}

/** Milliseconds, sorted: each command's answer, and from its answer until its read saw it. */
export interface OpenLoopLatencies {
  readonly written: number[];
  readonly visible: number[];
  /**
   * Per command in sending order: when it was sent (ms from the start), its answer's and its
   * read's latency (ms; the read's 0 when it did not answer 200 or there was none). Shows
   * whether a tail is spread over the run or sits in one stretch of it.
   */
  readonly timeline: [sentMs: number, writtenMs: number, visibleMs: number][];
  /** This client's event-loop delay p99 (ms): a late client inflates every figure above. */
  readonly clientDelayP99Ms: number;
}

/**
 * Open loop: `total` deposits at `rate`/s whatever the answers' pace, each `readEvery`th one
 * followed (when `queries` is given) by a read of its account with `X-Min-Position` set to
 * its position. The pools must allow as many connections as requests may be outstanding, or
 * requests queue in this client and the loop closes.
 */
export async function openLoop(
  commands: Pool,
  queries: Pool | null,
  tenant: Tenant,
  rate: number,
  total: number,
  readEvery = 1,
): Promise<OpenLoopLatencies> {
  const started = performance.now();
  const pending: Promise<void>[] = [];
  const timeline: OpenLoopLatencies['timeline'] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
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
        const row: OpenLoopLatencies['timeline'][number] = [sent - started, accepted - sent, 0];
        timeline.push(row);
        if (!queries || i % readEvery !== 0) return;
        const r = await getJson(queries, `/v1/accounts/${account}`, {
          authorization: `Bearer ${tenant.token}`,
          'x-min-position': w.body.position,
        });
        if (r.status === 200) row[2] = performance.now() - accepted;
      })(),
    );
  }
  await Promise.all(pending);
  delay.disable();
  return {
    written: timeline.map((row) => row[1]).sort(ascending),
    // A read that answered takes time, so its latency is never 0: 0 is "no read, or not 200".
    visible: timeline
      .map((row) => row[2])
      .filter((ms) => ms > 0)
      .sort(ascending),
    timeline: timeline.sort((a, b) => a[0] - b[0]),
    clientDelayP99Ms: delay.percentile(99) / 1e6,
  };
}
