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
  responses?: Record<string, { content?: Record<string, unknown> }>;
};

/**
 * What route schemas cannot say: errors leave as application/problem+json, and every POST of
 * the API takes an Idempotency-Key (API.md).
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
      const parameters = operation.parameters ?? [];
      const declared = parameters.some(
        (p) => p.in === 'header' && /^idempotency-key$/i.test(p.name),
      );
      if (method === 'post' && path.startsWith('/v1/') && !declared) {
        operation.parameters = [...parameters, IDEMPOTENCY_PARAMETER];
      }
    }
  }
  return document;
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
