import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  answerClientError,
  closeWhenBodyUnread,
  refuseWhileClosing,
  requestIdOf,
  toProblem,
} from '@techflow/platform/http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { countBodies } from './gateway/counted-body.js';
import { originDocument, registerDocs } from './gateway/docs.js';
import { originRoutes } from './gateway/origin-routes.js';
import { fromHttpProblem, sendNotFound, sendProblem } from './gateway/problem.js';
import { registerProxy } from './gateway/proxy.js';
import { registerRefusals } from './gateway/refusals.js';
import { routeMissHandler } from './gateway/route-miss.js';
import {
  API_PREFIX,
  COMMAND_READ_PREFIXES,
  READ_METHODS,
  WRITE_METHODS,
} from './gateway/routing.js';
import { registerStaticUi } from './gateway/static-ui.js';
import { probeReady, type Upstream } from './gateway/upstream.js';

export interface GatewayOptions {
  readonly commandUrl: string;
  readonly queryUrl: string;
  /**
   * The projectors' own port, asked only by /ready: while they are down, reads with
   * X-Min-Position would wait for nothing and end in 503 stale_read_model.
   */
  readonly projectorsUrl?: string;
  /** The built UI (Vite's output). Served only when it holds an index.html. */
  readonly staticDir?: string;
  readonly logger?: FastifyBaseLogger;
  /**
   * The services' BODY_LIMIT_BYTES. A body declared larger is refused here: a service would
   * answer 413 and close while the gateway was still sending it, which the client saw as 502.
   */
  readonly bodyLimit: number;
  /**
   * Peers whose X-Forwarded-* name the client (GATEWAY_TRUST_PROXY, e.g. a load balancer in
   * front); default none. The gateway is the edge: what it resolves is all the services see.
   */
  readonly trustProxy?: string | false;
}

/** Whether `dir` holds a built UI (a tsc-only dist/ has declarations but no index.html). */
export const hasBuiltUi = (dir: string | undefined): dir is string =>
  dir !== undefined && existsSync(path.join(dir, 'index.html'));

// web-components has no build yet: the UI arrives with a later issue, so there is no command
// to point to, only UI_DIR for one built elsewhere.
const UI_NOT_BUILT =
  'TechFlow is running: the API is under /v1 (see /openapi.json and /docs).\n' +
  'This version has no UI yet (it comes with a later issue); UI_DIR serves one built elsewhere.\n';

/** A client error keeps its 4xx status (a malformed URL); anything else is the gateway's 500. */
const statusOf = (error: unknown): number => {
  const status =
    error instanceof Error && 'statusCode' in error && typeof error.statusCode === 'number'
      ? error.statusCode
      : 500;
  return status >= 400 && status < 600 ? status : 500;
};

/**
 * The one origin (API.md): writes to the command service, reads to the query service, identity
 * documents to the command service, the UI from disk. Never listens; the caller does.
 */
export async function buildGateway(options: GatewayOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // One line per request would double the services' own request logs under load.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy ?? false,
    // The id the services log under too (forwarding.ts sends it on), not Fastify's req-N.
    requestIdHeader: false,
    genReqId: requestIdOf,
    // refuseWhileClosing answers instead, as a problem.
    return503OnClosing: false,
    // Errors met before routing (a malformed percent-encoding in the path) answer with
    // Fastify's own JSON unless handed over here.
    // The services' own mapping, so both say the same about the same request.
    frameworkErrors: (error, _request, reply) => {
      sendProblem(reply, fromHttpProblem(toProblem(error)));
    },
    // And what Node's HTTP parser refuses before any request exists (431, 400): the same
    // problem+json the services would answer.
    clientErrorHandler: answerClientError,
  });
  const command: Upstream = { name: 'command', url: options.commandUrl };
  const query: Upstream = { name: 'query', url: options.queryUrl };
  const ui = hasBuiltUi(options.staticDir) ? options.staticDir : undefined;
  // What the origin routes where, for Allow: each service knows only its own routes.
  const origin = originRoutes(() => originDocument(command, query, ui !== undefined));

  app.setErrorHandler((error, _request, reply) => {
    const status = statusOf(error);
    if (status >= 500) reply.log.error({ err: error }, 'gateway error');
    return sendProblem(reply, {
      status,
      code: status >= 500 ? 'internal_error' : 'bad_request',
      title: status >= 500 ? 'Internal Server Error' : 'Bad Request',
      detail:
        status < 500 && error instanceof Error
          ? error.message
          : 'the gateway failed to handle the request',
    });
  });

  refuseWhileClosing(app);
  closeWhenBodyUnread(app);
  registerRefusals(app, { bodyLimit: options.bodyLimit });
  countBodies(app, options.bodyLimit);

  app.get('/health', async () => ({ status: 'ok' }));
  const probed: Upstream[] = [command, query];
  if (options.projectorsUrl) probed.push({ name: 'projectors', url: options.projectorsUrl });
  app.get('/ready', async (_request, reply) => {
    const answers = await Promise.all(probed.map(probeReady));
    const checks = Object.fromEntries(
      probed.map((u, i) => [u.name, answers[i]?.ok ? 'ok' : (answers[i]?.reason ?? 'unknown')]),
    );
    const down = probed.filter((_, i) => !answers[i]?.ok).map((u) => u.name);
    // What each service reports as degraded (ready, an optional part away), by service.
    const degraded = probed.flatMap((u, i) => {
      const answer = answers[i];
      return answer?.ok ? answer.degraded.map((d) => `${u.name}: ${d}`) : [];
    });
    if (down.length === 0) {
      return { status: 'ok', checks, ...(degraded.length > 0 ? { degraded } : {}) };
    }
    return sendProblem(reply, {
      status: 503,
      code: 'not_ready',
      title: 'Service Unavailable',
      detail: `not ready: ${down.map((d) => (d === 'projectors' ? d : `${d} service`)).join(', ')}`,
      checks,
    });
  });
  // Operators scrape each service's /metrics on its own port; the public origin shows none.
  app.get('/metrics', async (request, reply) => sendNotFound(request, reply));
  await registerDocs(app, { command, query, ui: ui !== undefined });

  // Identity documents (JWKS) are the command service's: it signs the tokens.
  for (const prefix of COMMAND_READ_PREFIXES) {
    const trimmed = prefix.replace(/\/$/, '');
    await registerProxy(app, {
      upstream: command,
      prefix: trimmed,
      methods: READ_METHODS,
      routes: ['/*'],
      origin,
    });
  }
  await registerProxy(app, { upstream: command, prefix: '/', methods: WRITE_METHODS, origin });

  if (ui) {
    await registerProxy(app, {
      upstream: query,
      prefix: API_PREFIX,
      methods: READ_METHODS,
      origin,
    });
    await registerStaticUi(app, ui, routeMissHandler(origin));
  } else {
    // No UI: every other read is the query service's, and / says how to get the UI.
    app.get('/', async (_request, reply) =>
      reply.type('text/plain; charset=utf-8').send(UI_NOT_BUILT),
    );
    await registerProxy(app, {
      upstream: query,
      prefix: '/',
      methods: READ_METHODS,
      routes: ['/*'],
      origin,
    });
    app.setNotFoundHandler(routeMissHandler(origin));
  }
  return app;
}
