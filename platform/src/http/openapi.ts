import { STATUS_CODES } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { PROBLEM_CONTENT_TYPE } from './problem-json.js';
import { quietLevel } from './quiet-level.js';

/** An OpenAPI response header: what it says, and its schema. */
export interface HeaderDoc {
  readonly description: string;
  readonly schema: Record<string, unknown>;
}

export interface OpenApiOptions {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
  /** Headers the successful (2xx, 304) GETs of these /v1 paths (OpenAPI spelling) answer with. */
  readonly readHeaders?: ReadHeaders;
}

export interface ReadHeaders {
  readonly headers: Readonly<Record<string, HeaderDoc>>;
  readonly on: (path: string) => boolean;
}

/** A route's `security`: it needs `Authorization: Bearer <access token>`. */
export const BEARER = [{ bearerAuth: [] }];

type Response = {
  description?: string;
  content?: Record<string, unknown>;
  headers?: Record<string, HeaderDoc>;
};

type Operation = {
  parameters?: { name: string; in: string }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: object }> };
  responses?: Record<string, Response>;
};

/**
 * Marks a body schema whose route also takes no body at all (it fills in `{}`): @fastify/swagger
 * documents every body as required, and the document is corrected from this mark.
 */
export const OPTIONAL_BODY = 'x-optional-body';

/**
 * What route schemas cannot say: errors leave as application/problem+json, every POST of the
 * API takes an Idempotency-Key (API.md), a body marked OPTIONAL_BODY is not required, and the
 * headers answers carry (answerHeaders) are documented on them.
 */
const finishDocument = (
  document: Record<string, unknown>,
  readHeaders: ReadHeaders | undefined,
): Record<string, unknown> => {
  const paths = (document['paths'] ?? {}) as Record<string, Record<string, Operation>>;
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const json = response.content?.['application/json'];
        if (!json || !(status === 'default' || Number(status) >= 400)) continue;
        response.content = { [PROBLEM_CONTENT_TYPE]: json };
      }
      for (const media of Object.values(operation.requestBody?.content ?? {})) {
        const schema = media.schema as Record<string, unknown> | undefined;
        if (schema?.[OPTIONAL_BODY] !== true) continue;
        delete schema[OPTIONAL_BODY];
        operation.requestBody!.required = false;
      }
      const parameters = operation.parameters ?? [];
      const declared = parameters.some(
        (p) => p.in === 'header' && /^idempotency-key$/i.test(p.name),
      );
      if (method === 'post' && path.startsWith('/v1/') && !declared) {
        operation.parameters = [...parameters, IDEMPOTENCY_PARAMETER];
      }
      // Answers any route of the API can give, whatever its own schema lists.
      if (path.startsWith('/v1/')) {
        const generic = {
          ...(method === 'post' ? IDEMPOTENCY_CONFLICT : {}),
          ...(operation.requestBody ? BODY_PROBLEMS : {}),
          503: 'Not ready: a dependency is away for a moment, or the read model is behind X-Min-Position',
        };
        operation.responses ??= {};
        const responses = operation.responses;
        for (const [status, description] of Object.entries(generic)) {
          responses[status] ??= problemResponse(description);
        }
        answerHeaders(method, responses, readHeaders?.on(path) ? readHeaders.headers : {});
      }
    }
  }
  return document;
};

const header = (description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
  description,
  schema,
});

const SECONDS = { type: 'string', pattern: '^[0-9]+$' };
const REQUEST_ID = header(
  "This request's id in the services' logs (the caller's own X-Request-Id when it sent one)",
);
const RATE_LIMIT = {
  'RateLimit-Limit': header(
    'Requests allowed in the window of the tightest limit that applies',
    SECONDS,
  ),
  'RateLimit-Remaining': header('Requests left in that window', SECONDS),
  'RateLimit-Reset': header('Seconds until that window ends', SECONDS),
};
const RETRY_AFTER = { 'Retry-After': header('Seconds to wait before trying again', SECONDS) };
const ETAG = { ETag: header('Strong validator of this representation; send it as If-None-Match') };

/**
 * Every /v1 answer names its request; rate-limited routes say where their limit stands (a
 * route without a limit simply leaves those out); 429 and 503 say when to come back; a read
 * that can answer 304 carries its validator; reads carry `readHeaders`. And each answer gets
 * its status's name instead of @fastify/swagger's "Default Response".
 */
const answerHeaders = (
  method: string,
  responses: Record<string, Response>,
  readHeaders: Readonly<Record<string, HeaderDoc>>,
) => {
  const conditional = method === 'get' && '304' in responses;
  for (const [status, response] of Object.entries(responses)) {
    const code = Number(status);
    if (response.description === undefined || response.description === 'Default Response') {
      response.description = STATUS_CODES[code] ?? status;
    }
    const success = (code >= 200 && code < 300) || code === 304;
    response.headers = {
      ...response.headers,
      'X-Request-Id': REQUEST_ID,
      ...(success || code === 429 ? RATE_LIMIT : {}),
      ...(code === 429 || code === 503 ? RETRY_AFTER : {}),
      ...(conditional && (code === 200 || code === 304) ? ETAG : {}),
      ...(method === 'get' && success ? readHeaders : {}),
    };
  }
};

const problemResponse = (description: string) => ({
  description,
  content: {
    [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDetails' } },
  },
});

const IDEMPOTENCY_CONFLICT = {
  409: 'idempotency_key_reused (the key came with another body) or idempotency_key_in_use (its first request is still running)',
};

const BODY_PROBLEMS = {
  413: 'payload_too_large: the body is over the limit',
  415: 'unsupported_media_type: the body is not application/json',
};

const IDEMPOTENCY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'The same key with the same body answers the first answer again (status and body); ' +
    'with another body, 409 idempotency_key_reused. Kept at least 24 h.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
};

/**
 * OpenAPI 3 generated from the route schemas (the same TypeBox values that validate), served
 * at GET /openapi.json, with Swagger UI at /docs. Must be registered before any route.
 */
export const openApiPlugin = fp(
  async (app: FastifyInstance, options: OpenApiOptions) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: options.title,
          version: options.version,
          ...(options.description ? { description: options.description } : {}),
        },
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          },
        },
      },
      // Shared schemas keep their $id as the component name (ProblemDetails, not def-0).
      transformObject: (document) =>
        'openapiObject' in document
          ? finishDocument(document.openapiObject as Record<string, unknown>, options.readHeaders)
          : document.swaggerObject,
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true }, logLevel: quietLevel(app) }, async () =>
      app.swagger(),
    );
  },
  { name: 'techflow-openapi', fastify: '5.x' },
);
