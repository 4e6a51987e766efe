import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { REDACTING_LOG_OPTIONS } from '../log-redaction.js';
import { answerClientError } from './client-error.js';
import { healthPlugin, type ReadyCheck } from './health.js';
import { registerJsonBodyParser } from './json-body.js';
import { metricsPlugin } from './metrics.js';
import { type OpenApiOptions, openApiPlugin } from './openapi.js';
import { problemJsonPlugin, sendProblem, toProblem } from './problem-json.js';
import { routeMissPlugin } from './route-miss.js';
import { refuseWhileClosing } from './shutdown.js';
import { closeWhenBodyUnread } from './unread-body.js';
import { createValidatorCompiler } from './validation.js';

/** The Fastify instance every service builds on: TypeBox-typed routes. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface BaseAppOptions {
  /** Service name: log field, metric label, OpenAPI title. */
  readonly name: string;
  readonly version?: string;
  readonly description?: string;
  /** A pino level, or 'silent'. */
  readonly logLevel: string;
  readonly bodyLimit: number;
  /** Named dependency checks behind GET /ready. */
  readonly readyChecks?: Readonly<Record<string, ReadyCheck>>;
  /** Dependencies the service works without: reported as degraded, never not ready. */
  readonly optionalReadyChecks?: Readonly<Record<string, ReadyCheck>>;
  /** Process metrics on /metrics; tests building many apps may turn them off. */
  readonly collectDefaultMetrics?: boolean;
  /** Peers whose X-Forwarded-For names the client (Fastify's trustProxy); default none. */
  readonly trustProxy?: boolean | string;
  /** Where log lines go instead of stdout (tests read them). */
  readonly logStream?: DestinationStream;
  /** Headers every successful read (GET) of the API answers with, for the OpenAPI document. */
  readonly readHeaders?: OpenApiOptions['readHeaders'];
}

/** pino's own options: JSON lines, one `service` field, secrets censored before writing. */
export const serviceLoggerOptions = (service: string, level: string): LoggerOptions => ({
  level,
  base: { service },
  ...REDACTING_LOG_OPTIONS,
});

/** A service's logger before its app exists (start-up: waiting for a dependency). */
export const createServiceLogger = (service: string, level: string): Logger =>
  pino(serviceLoggerOptions(service, level));

// Honour a caller's request id only when it is short and plain: it lands in logs and events.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's genReqId for every server, the gateway's too: the caller's X-Request-Id when it is
 * plain, else a fresh UUID. The gateway forwards its id, so one request has one id in the
 * gateway's log and the service's.
 */
export const requestIdOf = (req: { headers: Record<string, string | string[] | undefined> }) => {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
};

/**
 * A Fastify instance with everything services share: logging with redaction, request ids,
 * body limit, strict validation, problem+json errors, /health, /ready, /metrics, /openapi.json
 * and /docs. Never listens.
 */
export async function createBaseApp(options: BaseAppOptions): Promise<App> {
  const logger = serviceLoggerOptions(options.name, options.logLevel);
  const app = Fastify({
    logger: options.logStream ? { ...logger, stream: options.logStream } : logger,
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy ?? false,
    requestIdHeader: false,
    genReqId: requestIdOf,
    // refuseWhileClosing answers instead, as a problem.
    return503OnClosing: false,
    // Errors Fastify meets before routing (a malformed percent-encoding in the path) answer
    // with its own JSON unless handed over here.
    frameworkErrors: (error, _request, reply) => {
      sendProblem(reply, toProblem(error));
    },
    // And what Node's HTTP parser refuses before any request exists (431, 400).
    clientErrorHandler: answerClientError,
    schemaController: {
      compilersFactory: {
        buildValidator: (externalSchemas) => createValidatorCompiler(externalSchemas),
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  refuseWhileClosing(app);
  closeWhenBodyUnread(app);
  // The API speaks JSON only: a text/plain body is 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  registerJsonBodyParser(app);
  await app.register(problemJsonPlugin);
  await app.register(routeMissPlugin);
  await app.register(metricsPlugin, {
    defaultLabels: { service: options.name },
    collectDefault: options.collectDefaultMetrics ?? true,
  });
  await app.register(openApiPlugin, {
    title: `TechFlow ${options.name}`,
    version: options.version ?? '0.1.0',
    ...(options.description ? { description: options.description } : {}),
    ...(options.readHeaders ? { readHeaders: options.readHeaders } : {}),
  });
  await app.register(healthPlugin, {
    checks: options.readyChecks ?? {},
    optional: options.optionalReadyChecks ?? {},
  });
  return app;
}
