import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: every path below is relative to it, in a checkout and in the image. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type PortVariable = 'COMMAND_PORT' | 'QUERY_PORT' | 'PROJECTORS_PORT';

export interface ServiceSpec {
  /** Workspace folder (`@techflow/<name>`), child name in logs and docker-compose service name. */
  readonly name: 'command-service' | 'query-service' | 'projectors';
  /** Entry point, relative to the repository root. */
  readonly entry: string;
  /** What `entry` is bundled into (ops/src/bundle.ts), the file a process actually runs. */
  readonly bundle: string;
  /** The config variable the service listens on (platform/src/config.ts). */
  readonly portVariable: PortVariable;
  /** The port docker-compose gives it (the config default, so both agree). */
  readonly composePort: number;
  /** V8's old-generation limit for it, MiB (see nodeCommand). */
  readonly heapMiB: number;
  /** V8's starting old-generation size, MiB, where measured to help (see nodeCommand). */
  readonly initialOldMiB?: number;
}

/**
 * The services `npm start` runs as children and docker-compose runs as containers, in start
 * order. The one list: the supervisor, the compose-file test and the gateway's wiring read it.
 */
export const SERVICES: readonly ServiceSpec[] = [
  {
    name: 'command-service',
    entry: 'command-service/src/main.ts',
    bundle: 'command-service/dist/main.mjs',
    portVariable: 'COMMAND_PORT',
    composePort: 8081,
    heapMiB: 512,
    initialOldMiB: 64,
  },
  {
    name: 'query-service',
    entry: 'query-service/src/main.ts',
    bundle: 'query-service/dist/main.mjs',
    portVariable: 'QUERY_PORT',
    composePort: 8082,
    heapMiB: 512,
    initialOldMiB: 64,
  },
  {
    name: 'projectors',
    entry: 'projectors/src/main.ts',
    bundle: 'projectors/dist/main.mjs',
    portVariable: 'PROJECTORS_PORT',
    composePort: 8083,
    // Catch-up holds pages of events (runner.ts, catchUpBatch): with 512 its peak RSS reached
    // 190-204 MiB, with 256 175-183 MiB at the same speed (20,000-event pages then;
    // docs/PERFORMANCE.md).
    heapMiB: 256,
    // From a ~32 MiB live heap V8 otherwise collected after every ~8 MiB promoted: a
    // mark-compact every ~5 s at half peak (5-9 ms pauses), and every second of the
    // write-to-visible run with the worst p99 had one, since every event waits on the
    // projection. With 64: 2-3 in 30 s instead of 11-12, p99 3-4 ms lower in three alternated
    // pairs; catch-up the same speed over seven pairs, its peak RSS 3-11 MiB higher.
    initialOldMiB: 64,
  },
];

/** The gateway alone (docker-compose); under `npm start` the supervisor runs it in-process. */
export const GATEWAY = {
  name: 'gateway',
  entry: 'ops/src/gateway-main.ts',
  bundle: 'ops/dist/gateway.mjs',
  composePort: 8080,
} as const;

/** The supervisor itself, bundled for the image (`npm start` runs its source through tsx). */
export const SUPERVISOR = { entry: 'ops/src/start.ts', bundle: 'ops/dist/start.mjs' } as const;

/** Loaded into every supervised child with `--import` (see its header). */
export const CHILD_GUARD = {
  entry: 'ops/src/supervisor/child-guard.ts',
  bundle: 'ops/dist/child-guard.mjs',
} as const;

/**
 * The argv that runs a bundle, the same under the supervisor, the benchmark and in the image.
 * Services run as plain JavaScript bundles, not through tsx: the loader's worker thread and
 * esbuild cost each process about 40 MiB of memory. The heap flags are measured, not guessed
 * (docs/PERFORMANCE.md): V8 sizes its old generation's growth from the heap limit, which by
 * default is a share of the machine's memory (~4 GiB here), so a service whose live heap is
 * ~50 MiB let it grow to ~90 MiB of mostly garbage; a 512 MiB limit (ten times the live heap)
 * keeps the command service's peak RSS under load near 125 MiB instead of ~200 (each service
 * passes its own: ServiceSpec.heapMiB). A 4 MiB semi-space (default 16) does the same for the
 * young generation. The other way round, a 64 MiB starting old generation (initialOldMiB)
 * spaces out the full collections (of the projectors too, see there): from a ~35 MiB live
 * heap V8 otherwise collected after every ~10 MiB promoted, a mark-compact every ~3 s under
 * load with 4-16 ms pauses, which sat in the write-to-visible tail (half peak p99 29-41 ms,
 * mean ~34, against 28-59, mean ~44, alternated probe runs) for ~15 MiB more RSS.
 */
export function nodeCommand(
  bundle: string,
  { heapMiB, initialOldMiB }: Pick<ServiceSpec, 'heapMiB' | 'initialOldMiB'> = { heapMiB: 512 },
): string[] {
  return [
    'node',
    '--enable-source-maps',
    '--max-semi-space-size=4',
    ...(initialOldMiB === undefined ? [] : [`--initial-old-space-size=${initialOldMiB}`]),
    `--max-old-space-size=${heapMiB}`,
    bundle,
  ];
}

/**
 * Where the built UI is looked for (relative to the root); served only if it has index.html.
 * tsc also writes declarations under web-components/dist, so index.html is the marker.
 */
export const UI_DIR = 'web-components/dist';
