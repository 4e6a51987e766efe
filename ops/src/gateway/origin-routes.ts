import { allowList } from '@techflow/platform/http';
import { OPERATION_KEYS } from './merge-openapi.js';

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** One documented path: its segments, `undefined` where a `{parameter}` stands. */
export interface Template {
  readonly segments: readonly (string | undefined)[];
  readonly methods: readonly string[];
}

const PARAMETER = /^\{[^}]+\}$/;

/** The paths and operations of an OpenAPI document. */
export const templatesOf = (document: JsonObject): Template[] => {
  const paths = isObject(document['paths']) ? document['paths'] : {};
  return Object.entries(paths).flatMap(([path, item]) => {
    if (!isObject(item)) return [];
    const methods = OPERATION_KEYS.filter((m) => isObject(item[m])).map((m) => m.toUpperCase());
    const segments = path.split('/').map((s) => (PARAMETER.test(s) ? undefined : s));
    return methods.length > 0 ? [{ segments, methods }] : [];
  });
};

const decoded = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/**
 * The Allow list of `pathname` on the origin as `templates` (of the merged OpenAPI document)
 * have it: a method is allowed when any documented path matching it has that operation, as
 * Fastify's router matches each method on its own (a parameter takes any one segment, empty
 * included). GET brings HEAD, which the services answer for every GET route. Empty: no path.
 */
export function allowedOnOrigin(templates: readonly Template[], pathname: string): string[] {
  const segments = pathname.split('/').map(decoded);
  const methods = new Set<string>();
  for (const template of templates) {
    if (template.segments.length !== segments.length) continue;
    if (!template.segments.every((s, i) => s === undefined || s === segments[i])) continue;
    for (const m of template.methods) methods.add(m);
  }
  if (methods.has('GET')) methods.add('HEAD');
  return allowList(methods);
}

export interface OriginRoutes {
  /**
   * The Allow list of `pathname` on the origin (empty: no such path), or undefined while the
   * services' documents cannot be read.
   */
  allowed(pathname: string): Promise<readonly string[] | undefined>;
}

/**
 * The origin's routes, read from the merged OpenAPI document, so the Allow the gateway sends
 * and /openapi.json never disagree. Kept `ttlMs` (a service may restart with new routes; a
 * stale list could only label a route miss 404 or 405 wrongly, since it is asked only after a
 * service answered 404 or 405 or for a method the gateway routes nowhere), and an unreadable
 * document is not asked for again within that time either, so a flood of 404s costs the
 * services no more than one document each per `ttlMs`.
 */
export function originRoutes(
  load: () => Promise<JsonObject>,
  ttlMs = 5000,
  now: () => number = Date.now,
): OriginRoutes {
  let cached:
    | { readonly at: number; readonly templates: Promise<Template[] | undefined> }
    | undefined;
  const current = (): Promise<Template[] | undefined> => {
    if (!cached || now() - cached.at >= ttlMs) {
      cached = { at: now(), templates: load().then(templatesOf, () => undefined) };
    }
    return cached.templates;
  };
  return {
    async allowed(pathname) {
      const templates = await current();
      return templates === undefined ? undefined : allowedOnOrigin(templates, pathname);
    },
  };
}
