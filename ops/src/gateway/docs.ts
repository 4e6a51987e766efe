import type { FastifyInstance, FastifyReply } from 'fastify';
import { mergeOpenApi } from './merge-openapi.js';
import { sendProblem } from './problem.js';
import { registerProxy } from './proxy.js';
import { READ_METHODS } from './routing.js';
import { getJson, type Upstream } from './upstream.js';

export interface DocsOptions {
  readonly command: Upstream;
  readonly query: Upstream;
  readonly ui: boolean;
}

/** Fetches an upstream's document, or answers 502 naming the upstream that failed. */
async function fetchDocument(upstream: Upstream, reply: FastifyReply): Promise<unknown> {
  try {
    return await getJson(upstream, '/openapi.json');
  } catch (e) {
    sendProblem(reply, {
      status: 502,
      code: 'upstream_unavailable',
      title: 'Bad Gateway',
      detail: `the ${upstream.name} service's OpenAPI document is unavailable: ${
        e instanceof Error ? e.message : String(e)
      }`,
      upstream: upstream.name,
    });
    return undefined;
  }
}

/**
 * The origin's document: both services' merged as the gateway routes them. Rejects when
 * either cannot be read.
 */
export async function originDocument(
  command: Upstream,
  query: Upstream,
  ui: boolean,
): Promise<Record<string, unknown>> {
  const [c, q] = await Promise.all([
    getJson(command, '/openapi.json'),
    getJson(query, '/openapi.json'),
  ]);
  return mergeOpenApi(
    [
      { target: 'command', document: c },
      { target: 'query', document: q },
    ],
    ui,
  );
}

/**
 * /openapi.json merges both services' documents (fetched per request: services restart and a
 * docs request is rare). /docs is one Swagger UI over that merged document: the command
 * service's UI assets, whose initializer loads the document from `./json` relative to the
 * page, which here is the gateway's merged one. Each service's own document and UI stay
 * reachable beside it (/openapi/<service>.json, /docs/<service>/).
 */
export async function registerDocs(app: FastifyInstance, options: DocsOptions): Promise<void> {
  const { command, query } = options;
  for (const upstream of [command, query]) {
    app.get(`/openapi/${upstream.name}.json`, async (_request, reply) => {
      const document = await fetchDocument(upstream, reply);
      return reply.sent ? reply : document;
    });
    // Each service's Swagger UI uses relative URLs, so it works under a prefix.
    await registerProxy(app, {
      upstream,
      prefix: `/docs/${upstream.name}`,
      rewritePrefix: '/docs',
      methods: READ_METHODS,
    });
  }
  const merged = async (reply: FastifyReply): Promise<unknown> => {
    const c = await fetchDocument(command, reply);
    if (reply.sent) return reply;
    const q = await fetchDocument(query, reply);
    if (reply.sent) return reply;
    return mergeOpenApi(
      [
        { target: 'command', document: c },
        { target: 'query', document: q },
      ],
      options.ui,
    );
  };
  app.get('/openapi.json', async (_request, reply) => merged(reply));
  app.get('/docs/json', async (_request, reply) => merged(reply));
  await registerProxy(app, {
    upstream: command,
    prefix: '/docs',
    methods: READ_METHODS,
    routes: ['/', '/static/*'],
  });
}
