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

const DOCS_INDEX = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TechFlow API docs</title></head>
<body>
<h1>TechFlow API</h1>
<p>One origin: writes (POST, PUT, PATCH, DELETE) are answered by the command service, reads (GET)
by the query service.</p>
<ul>
<li><a href="/docs/command/">Command service docs</a> (<a href="/openapi/command.json">OpenAPI</a>)</li>
<li><a href="/docs/query/">Query service docs</a> (<a href="/openapi/query.json">OpenAPI</a>)</li>
<li><a href="/openapi.json">Both merged into one OpenAPI document</a></li>
</ul>
</body></html>
`;

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
 * /openapi.json merges both services' documents (fetched per request: services restart and a
 * docs request is rare); each service's own document and human docs stay reachable beside it.
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
  app.get('/openapi.json', async (_request, reply) => {
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
  });
  app.get('/docs', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(DOCS_INDEX),
  );
}
