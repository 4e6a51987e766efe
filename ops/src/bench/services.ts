import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isStartUpMessage } from '@techflow/platform/http';
import { nodeCommand, REPO_ROOT, SERVICES, type ServiceSpec } from '../services.js';
import { waitReady } from '../supervisor/wait-ready.js';

export interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  /** The port it bound (it tells over IPC), and its base URL. */
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  /** Peak resident set size (VmHWM) in MiB, read from /proc while it runs. */
  peakRssMiB(): number;
}

/** Services started and not yet exited: killed when the probe exits, however it exits. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
// Ctrl-C: exit through 'exit' (above) rather than die with the services left running. The
// probe's database and stream stay (tf_probe_*, TFTEST_*): dropping them needs the event loop.
process.once('SIGINT', () => process.exit(130));

/**
 * Starts a service's bundle as its own process, as `npm start` does, and waits for /ready on
 * the port it says it bound (any free one unless `env` names one: a probe never takes what
 * answers on a fixed port, such as an `npm start` left running, for its service). Build the
 * bundles first (buildBundles).
 */
export async function startService(
  name: ServiceSpec['name'],
  env: Record<string, string>,
): Promise<Service> {
  const spec = SERVICES.find((s) => s.name === name)!;
  const child = spawn(
    process.execPath,
    [
      // e.g. BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile a service under load
      ...(process.env['BENCH_NODE_ARGS']?.split(' ').filter(Boolean) ?? []),
      ...nodeCommand(path.join(REPO_ROOT, spec.bundle), spec).slice(1),
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', [spec.portVariable]: '0', ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  // What the supervisor's wait needs of a child: the port it says it bound, or why it cannot.
  const target: { name: string; failure: Error | undefined; listeningOn: number | undefined } = {
    name,
    failure: undefined,
    listeningOn: undefined,
  };
  child.on('message', (message) => {
    if (!isStartUpMessage(message)) return;
    if (message.type === 'techflow:listening') target.listeningOn = message.port;
    else target.failure = new Error(`${name}: ${message.message}`);
  });
  child.once('exit', (code) => {
    target.failure ??= new Error(`${name} exited with ${code}`);
  });
  const port = await waitReady(target, undefined, { timeoutMs: 60_000 });
  // Not a handle keeping the probe alive once the service is up.
  child.channel?.unref();
  return {
    name,
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
    peakRssMiB() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return kb / 1024;
    },
  };
}

/**
 * The environment the benchmarks start services with: their own database and JetStream
 * stream, rate limits out of the way, then any overrides a probe passes as JSON in PROBE_ENV.
 * Ports are free ones (startService).
 */
export function serviceEnv(
  databaseUrl: string,
  nats: { readonly stream: string; readonly subjectPrefix: string },
): Record<string, string> {
  const overrides: Record<string, string> = process.env['PROBE_ENV']
    ? JSON.parse(process.env['PROBE_ENV'])
    : {};
  return {
    DATABASE_URL: databaseUrl,
    NATS_URL: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
    NATS_STREAM: nats.stream,
    NATS_SUBJECT_PREFIX: nats.subjectPrefix,
    RATE_LIMIT_PER_USER_PER_MINUTE: '100000000',
    RATE_LIMIT_PER_TENANT_PER_MINUTE: '100000000',
    ...overrides,
  };
}
