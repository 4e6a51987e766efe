import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { quietLevel } from './quiet-level.js';

export interface OpenApiOptions {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

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
