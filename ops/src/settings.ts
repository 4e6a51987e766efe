// The variables only an ops process reads: the supervisor (`npm start`) and the gateway run
// alone (docker-compose). Both also load the services' config (platform/src/config.ts); these
// are read by the same strict rules (platform/src/config-values.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, readUrl, readWholeNumber } from '@techflow/platform';
import { REPO_ROOT, UI_DIR } from './services.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * STARTUP_TIMEOUT_MS (the supervisor): how long a child may take to answer /ready, start-up
 * plus its migrations. An hour at most: a migration slower than that is one to run by hand.
 */
export const startupTimeoutMs = (env: Env = process.env): number =>
  readWholeNumber(env, 'STARTUP_TIMEOUT_MS', {
    minimum: 1,
    maximum: 3_600_000,
    unit: 'milliseconds',
    default: 60_000,
  });

/** COMMAND_URL, QUERY_URL or PROJECTORS_URL (the gateway alone): where it finds a service. */
export const urlFromEnv = (name: string, fallback: string, env: Env = process.env): string =>
  new URL(
    readUrl(env, name, {
      // `command-service:8081` parses too, as a URL of scheme command-service:.
      schemes: ['http:', 'https:'],
      example: 'http://command-service:8081',
      hostRequired: true,
      default: fallback,
    }),
  ).toString();

/**
 * UI_DIR (the supervisor and the gateway alone): the built UI, relative to the working
 * directory. Unset, the checkout's own, whose absence is a page saying how to build it; named,
 * a directory without index.html is a mistake worth stopping for (the UI would be missing
 * silently), and a relative one would reach @fastify/static, which takes absolute roots only.
 */
export function uiDir(env: Env = process.env): string {
  const raw = env['UI_DIR'];
  if (raw === undefined || raw === '') return path.join(REPO_ROOT, UI_DIR);
  const dir = path.resolve(raw);
  if (!existsSync(path.join(dir, 'index.html'))) {
    throw new ConfigError(`invalid configuration: UI_DIR: no index.html in ${dir}`);
  }
  return dir;
}
