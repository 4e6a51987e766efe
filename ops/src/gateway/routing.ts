/** Who answers a request on the one origin. */
export type Target = 'command' | 'query' | 'gateway' | 'ui';

export const READ_METHODS = ['GET', 'HEAD'] as const;
export const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Paths the gateway answers itself (GET/HEAD). */
export const GATEWAY_PATHS: readonly string[] = [
  '/health',
  '/ready',
  '/openapi.json',
  '/openapi/command.json',
  '/openapi/query.json',
  '/docs',
  // Each service's metrics are scraped from its own port, never through the public origin.
  '/metrics',
];

/** GET prefixes owned by the command service: it is the identity provider (JWKS lives there). */
export const COMMAND_READ_PREFIXES: readonly string[] = ['/.well-known/'];

/** The API's own prefix: reads under it always go to the query service, even with a UI. */
export const API_PREFIX = '/v1';

/**
 * The routing rule in one function, so the merged OpenAPI document lists exactly the operations
 * the origin can reach. Writes go to the command service; reads to the query service, except the
 * gateway's own paths, identity documents, and (with a built UI) everything outside /v1.
 */
export function routeFor(method: string, path: string, ui: boolean): Target | undefined {
  const m = method.toUpperCase();
  if ((WRITE_METHODS as readonly string[]).includes(m)) return 'command';
  if (!(READ_METHODS as readonly string[]).includes(m)) return undefined;
  if (GATEWAY_PATHS.includes(path) || path.startsWith('/docs/')) return 'gateway';
  if (COMMAND_READ_PREFIXES.some((p) => path.startsWith(p))) return 'command';
  if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return 'query';
  return ui ? 'ui' : 'query';
}
