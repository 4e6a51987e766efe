// The gateway alone, as docker-compose runs it: the services are other containers, found
// through COMMAND_URL and QUERY_URL (defaults: this host, on the configured ports).
import { trustProxyOf } from '@techflow/platform';
import { runService } from '@techflow/platform/http';
import { buildGateway } from './gateway.js';
import { opsLogger } from './loggers.js';
import { uiDir, urlFromEnv } from './settings.js';

await runService('gateway', async ({ config }) => {
  const app = await buildGateway({
    commandUrl: urlFromEnv('COMMAND_URL', `http://127.0.0.1:${config.COMMAND_PORT}`),
    queryUrl: urlFromEnv('QUERY_URL', `http://127.0.0.1:${config.QUERY_PORT}`),
    projectorsUrl: urlFromEnv('PROJECTORS_URL', `http://127.0.0.1:${config.PROJECTORS_PORT}`),
    staticDir: uiDir(),
    logger: opsLogger('gateway', config.LOG_LEVEL),
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: trustProxyOf(config.GATEWAY_TRUST_PROXY),
  });
  return { app, port: config.PORT, portVariable: 'PORT' };
});
