// The gateway alone, as docker-compose runs it: the services are other containers, found
// through COMMAND_URL and QUERY_URL (defaults: this host, on the configured ports).
import path from 'node:path';
import { loadConfig } from '@techflow/platform';
import { closeOnSignals } from '@techflow/platform/http';
import { pino } from 'pino';
import { buildGateway } from './gateway.js';
import { REPO_ROOT, UI_DIR } from './services.js';

function urlFromEnv(name: string, fallback: string): string {
  const value = process.env[name] || fallback;
  try {
    return new URL(value).toString();
  } catch {
    throw new Error(`${name} must be an absolute URL, got ${value}`);
  }
}

const config = loadConfig();
const log = pino({ name: 'gateway', level: config.LOG_LEVEL });
const app = await buildGateway({
  commandUrl: urlFromEnv('COMMAND_URL', `http://127.0.0.1:${config.COMMAND_PORT}`),
  queryUrl: urlFromEnv('QUERY_URL', `http://127.0.0.1:${config.QUERY_PORT}`),
  projectorsUrl: urlFromEnv('PROJECTORS_URL', `http://127.0.0.1:${config.PROJECTORS_PORT}`),
  staticDir: process.env['UI_DIR'] || path.join(REPO_ROOT, UI_DIR),
  logger: log,
});

closeOnSignals(app, config.SHUTDOWN_GRACE_MS);

await app.listen({ port: config.PORT, host: config.HOST });
