// `npm start`: the whole system on one origin. Ensures the database, runs each service as a
// child process (in SERVICES order, each ready before the next starts), then serves the gateway
// in this process. Logs are pino JSON lines; children write theirs to the same stdout.
import path from 'node:path';
import { type Config, loadConfig, trustProxyOf, waitForPostgres } from '@techflow/platform';
import type { FastifyInstance } from 'fastify';
import { buildBundles } from './bundle.js';
import { buildGateway } from './gateway.js';
import { opsLogger } from './loggers.js';
import { CHILD_GUARD, nodeCommand, REPO_ROOT, SERVICES } from './services.js';
import { startupTimeoutMs, uiDir } from './settings.js';
import { SupervisedChild } from './supervisor/child.js';
import { requestedPorts, resolvePorts } from './supervisor/ports.js';
import { stopSystem } from './supervisor/shutdown.js';
import { waitReady } from './supervisor/wait-ready.js';

const log = opsLogger('supervisor', 'info');

/** The URL a browser can use: a wildcard bind address is reachable on loopback. */
function originOf(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

const children: SupervisedChild[] = [];
let gateway: FastifyInstance | undefined;
let shuttingDown: Promise<never> | undefined;

/**
 * Stops the gateway, then every child, within one grace period (stopSystem); exits with
 * `code`, or 1 when anything still open had to be cut, as a service itself does.
 */
function shutdown(code: number, reason: string, grace: number): Promise<never> {
  shuttingDown ??= (async () => {
    log.info({ reason }, 'shutting down');
    const outcome = await stopSystem({ gateway, children, graceMs: grace, log });
    const exitCode = outcome === 'cut' ? 1 : code;
    log.info({ code: exitCode, outcome }, 'stopped');
    process.exit(exitCode);
  })();
  return shuttingDown;
}

async function main(): Promise<void> {
  const config: Config = loadConfig();
  log.level = config.LOG_LEVEL;
  const grace = config.SHUTDOWN_GRACE_MS;
  const timeoutMs = startupTimeoutMs();
  const staticDir = uiDir();

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (shuttingDown) {
        // A second signal means "now": nobody waits for a grace period twice.
        log.warn({ signal }, 'second signal; killing children');
        for (const c of children) c.killNow();
        process.exit(1);
      }
      void shutdown(0, signal, grace);
    });
  }
  // Whatever ends this process, no child is left behind.
  process.on('exit', () => {
    for (const c of children) c.killNow();
  });

  // The services wait the same way: each ensures the database itself when run alone.
  await waitForPostgres(config.DATABASE_URL, { timeoutMs: config.POSTGRES_WAIT_MS, log });

  // Run from its TypeScript source (`npm start`), the supervisor bundles the services first; the
  // image runs this file as a bundle itself, beside bundles built when the image was.
  if (import.meta.url.endsWith('.ts')) await buildBundles();

  const ports = await resolvePorts(SERVICES, requestedPorts(SERVICES, config, process.env));
  // Children listen on loopback only: the gateway is the one public origin.
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    COMMAND_PORT: String(ports.COMMAND_PORT),
    QUERY_PORT: String(ports.QUERY_PORT),
    PROJECTORS_PORT: String(ports.PROJECTORS_PORT),
  };
  const urls: Record<string, string> = {};

  // One at a time, in SERVICES order: each runs its own migrations and streams on start, and
  // later services may rely on what earlier ones created (the event store's tables).
  for (const spec of SERVICES) {
    const url = `http://127.0.0.1:${ports[spec.portVariable]}`;
    urls[spec.name] = url;
    const [, ...args] = nodeCommand(spec.bundle, spec);
    const child = new SupervisedChild({
      name: spec.name,
      command: process.execPath,
      args: ['--import', path.join(REPO_ROOT, CHILD_GUARD.bundle), ...args],
      cwd: REPO_ROOT,
      env: childEnv,
      log,
      onGiveUp: (error) => void shutdown(1, error.message, grace),
    });
    children.push(child);
    child.start();
    await waitReady(child, ports[spec.portVariable], { timeoutMs });
    child.markReady();
    log.info({ service: spec.name, url }, 'service ready');
  }

  gateway = await buildGateway({
    commandUrl: urls['command-service'] ?? '',
    queryUrl: urls['query-service'] ?? '',
    ...(urls['projectors'] ? { projectorsUrl: urls['projectors'] } : {}),
    staticDir,
    logger: opsLogger('gateway', config.LOG_LEVEL),
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: trustProxyOf(config.GATEWAY_TRUST_PROXY),
  });
  await gateway.listen({ port: config.PORT, host: config.HOST });
  const address = gateway.server.address();
  const port = address !== null && typeof address === 'object' ? address.port : config.PORT;
  // The line a test (or a human) waits for: everything is up and this is where.
  log.info({ origin: originOf(config.HOST, port), services: urls }, 'ready');
}

main().catch((err: unknown) => {
  log.fatal({ err }, err instanceof Error ? err.message : String(err));
  void shutdown(1, 'start-up failed', loadGraceOrDefault());
});

function loadGraceOrDefault(): number {
  try {
    return loadConfig().SHUTDOWN_GRACE_MS;
  } catch {
    return 10_000;
  }
}
