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
  /** The config variable the service listens on (platform/src/config.ts). */
  readonly portVariable: PortVariable;
  /** The port docker-compose gives it (the config default, so both agree). */
  readonly composePort: number;
}

/**
 * The services `npm start` runs as children and docker-compose runs as containers, in start
 * order. The one list: the supervisor, the compose-file test and the gateway's wiring read it.
 */
export const SERVICES: readonly ServiceSpec[] = [
  {
    name: 'command-service',
    entry: 'command-service/src/main.ts',
    portVariable: 'COMMAND_PORT',
    composePort: 8081,
  },
  {
    name: 'query-service',
    entry: 'query-service/src/main.ts',
    portVariable: 'QUERY_PORT',
    composePort: 8082,
  },
  {
    name: 'projectors',
    entry: 'projectors/src/main.ts',
    portVariable: 'PROJECTORS_PORT',
    composePort: 8083,
  },
];

/** The gateway alone (docker-compose); under `npm start` the supervisor runs it in-process. */
export const GATEWAY = { name: 'gateway', entry: 'ops/src/gateway-main.ts', composePort: 8080 };

/**
 * The argv that runs an entry point, the same under the supervisor and in the image: tsx is the
 * loader because workspaces export their TypeScript sources (no separate JS build to drift).
 */
export function nodeCommand(entry: string): string[] {
  return ['node', '--import', 'tsx', entry];
}

/**
 * Where the built UI is looked for (relative to the root); served only if it has index.html.
 * tsc also writes declarations under web-components/dist, so index.html is the marker.
 */
export const UI_DIR = 'web-components/dist';
