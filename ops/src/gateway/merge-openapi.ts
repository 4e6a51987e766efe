import { isDeepStrictEqual } from 'node:util';
import { GATEWAY_PATHS, routeFor } from './routing.js';

type JsonObject = Record<string, unknown>;

export interface UpstreamDocument {
  readonly target: 'command' | 'query';
  readonly document: unknown;
}

/** The operations a path item can hold, as OpenAPI 3 names them. */
export const OPERATION_KEYS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options', 'trace'];

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const objectAt = (v: JsonObject, key: string): JsonObject => {
  const found = v[key];
  return isObject(found) ? found : {};
};

/** Replaces every `$ref` found in `renames` (a component renamed to avoid a collision). */
function rewriteRefs(value: unknown, renames: ReadonlyMap<string, string>): unknown {
  if (renames.size === 0) return value;
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, renames));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      k === '$ref' && typeof v === 'string' ? (renames.get(v) ?? v) : rewriteRefs(v, renames);
  }
  return out;
}

/**
 * Adds one document's components to `into`. A name already taken by a different definition is
 * suffixed with the service (`Account_query`) and the document's `$ref`s are rewritten to match;
 * identical definitions (shared TypeBox schemas) are kept once.
 */
function mergeComponents(
  into: Record<string, JsonObject>,
  source: UpstreamDocument,
): Map<string, string> {
  const components = objectAt(isObject(source.document) ? source.document : {}, 'components');
  const renames = new Map<string, string>();
  const adds: Array<[string, string, unknown]> = [];
  for (const [section, entries] of Object.entries(components)) {
    if (!isObject(entries)) continue;
    for (const [name, definition] of Object.entries(entries)) {
      const existing = into[section]?.[name];
      if (existing === undefined) adds.push([section, name, definition]);
      else if (!isDeepStrictEqual(existing, definition)) {
        const renamed = `${name}_${source.target}`;
        renames.set(`#/components/${section}/${name}`, `#/components/${section}/${renamed}`);
        adds.push([section, renamed, definition]);
      }
    }
  }
  for (const [section, name, definition] of adds) {
    into[section] ??= {};
    into[section][name] = rewriteRefs(definition, renames);
  }
  return renames;
}

const gatewayOperations = (): JsonObject => {
  const op = (summary: string): JsonObject => ({
    get: { tags: ['origin'], summary, responses: { '200': { description: 'OK' } } },
  });
  return {
    '/health': op('The gateway process is alive'),
    '/ready': {
      get: {
        tags: ['origin'],
        summary: 'Both upstream services are ready',
        responses: {
          '200': { description: 'Ready' },
          '503': { description: 'An upstream is not ready; the problem names it' },
        },
      },
    },
    '/openapi.json': op('This document: the command and query services merged'),
    '/openapi/command.json': op("The command service's own document"),
    '/openapi/query.json': op("The query service's own document"),
    '/docs': op('Swagger UI over this document'),
  };
};

/**
 * One OpenAPI document for the origin: each operation comes from the service the gateway routes
 * it to (see routeFor), so an operation the origin cannot reach (a GET the command service
 * serves only on its own port) is left out rather than advertised wrongly.
 */
export function mergeOpenApi(sources: readonly UpstreamDocument[], ui: boolean): JsonObject {
  const components: Record<string, JsonObject> = {};
  const paths: Record<string, JsonObject> = {};
  const tags = new Map<string, unknown>();
  let openapi: unknown;
  for (const source of sources) {
    const doc = isObject(source.document) ? source.document : {};
    openapi ??= doc['openapi'];
    const renames = mergeComponents(components, source);
    const security = doc['security'];
    for (const tag of Array.isArray(doc['tags']) ? doc['tags'] : []) {
      if (isObject(tag) && typeof tag['name'] === 'string' && !tags.has(tag['name']))
        tags.set(tag['name'], tag);
    }
    for (const [path, item] of Object.entries(objectAt(doc, 'paths'))) {
      if (!isObject(item) || GATEWAY_PATHS.includes(path)) continue;
      const shared = Array.isArray(item['parameters']) ? item['parameters'] : [];
      for (const method of OPERATION_KEYS) {
        const operation = item[method];
        if (!isObject(operation) || routeFor(method, path, ui) !== source.target) continue;
        const own = Array.isArray(operation['parameters']) ? operation['parameters'] : [];
        const merged: JsonObject = { ...operation };
        if (shared.length > 0) merged['parameters'] = [...shared, ...own];
        // The merged document has no top-level security: each operation keeps its service's.
        if (merged['security'] === undefined && security !== undefined)
          merged['security'] = security;
        paths[path] ??= {};
        paths[path][method] = rewriteRefs(merged, renames);
      }
    }
  }
  tags.set('origin', { name: 'origin', description: 'Answered by the gateway itself' });
  return {
    openapi: openapi ?? '3.0.3',
    info: {
      title: 'TechFlow API',
      version: '1',
      description:
        'The one origin: writes are the command service’s, reads the query service’s. Merged ' +
        'by the gateway from /openapi/command.json and /openapi/query.json.',
    },
    tags: [...tags.values()],
    paths: { ...paths, ...gatewayOperations() },
    components,
  };
}
