import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { PROBLEM_CONTENT_TYPE } from './problem-json.js';
import { quietLevel } from './quiet-level.js';

export interface OpenApiOptions {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

/** A route's `security`: it needs `Authorization: Bearer <access token>`. */
export const BEARER = [{ bearerAuth: [] }];

type Operation = {
  parameters?: { name: string; in: string }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: object }> };
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
};

/**
 * Marks a body schema whose route also takes no body at all (it fills in `{}`): @fastify/swagger
 * documents every body as required, and the document is corrected from this mark.
 */
export const OPTIONAL_BODY = 'x-optional-body';

/**
 * What route schemas cannot say: errors leave as application/problem+json, every POST of the
 * API takes an Idempotency-Key (API.md), and a body marked OPTIONAL_BODY is not required.
 */
const finishDocument = (document: Record<string, unknown>): Record<string, unknown> => {
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
      }
    }
  }
  return document;
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
          ? finishDocument(document.openapiObject as Record<string, unknown>)
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
