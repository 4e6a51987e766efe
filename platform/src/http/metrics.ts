import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { quietLevel } from './quiet-level.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's own registry: services add their counters here, never to the global one. */
    readonly metrics: Registry;
  }
}

export interface MetricsOptions {
  /** Labels on every metric, e.g. `{ service: 'command' }`. */
  readonly defaultLabels?: Readonly<Record<string, string>>;
  /** Process metrics (CPU, heap, event loop); default true. */
  readonly collectDefault?: boolean;
}

/**
 * GET /metrics from a per-app Registry, so tests can build many apps in one process, and an
 * http request duration histogram labelled by route pattern (never the raw URL: ids would
 * explode the label set), method and status.
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance, options: MetricsOptions) => {
    const registry = new Registry();
    if (options.defaultLabels) registry.setDefaultLabels({ ...options.defaultLabels });
    if (options.collectDefault !== false) collectDefaultMetrics({ register: registry });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route, method and status',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    app.decorate('metrics', registry);
    app.addHook('onResponse', async (request, reply) => {
      const seconds = reply.elapsedTime / 1000;
      const route = request.routeOptions.url ?? 'unmatched';
      duration.observe(
        { route, method: request.method, status: String(reply.statusCode) },
        seconds,
      );
    });
    app.get(
      '/metrics',
      { schema: { hide: true }, logLevel: quietLevel(app) },
      async (_request, reply) => {
        reply.type(registry.contentType);
        return registry.metrics();
      },
    );
  },
  { name: 'techflow-metrics', fastify: '5.x' },
);
