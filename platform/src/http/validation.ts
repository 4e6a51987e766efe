import { Type } from '@sinclair/typebox';
import { Ajv, type AnySchema, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { validateText } from './text-parameters.js';

const base: Options = {
  // Unknown fields are refused (schemas say additionalProperties: false), never dropped.
  removeAdditional: false,
  useDefaults: true,
  allErrors: false,
  // Errors carry the schema that failed, so a problem's detail can quote its description.
  verbose: true,
  // TypeBox and @fastify/swagger add keywords (examples, hide, ...) that ajv need not know.
  strict: false,
};

const makeAjv = (): Ajv => {
  // No coerceTypes: it read `1e1` and `0x10` as integers; text-parameters.ts converts instead.
  const ajv = new Ajv({ ...base, coerceTypes: false });
  addFormats.default(ajv);
  return ajv;
};

/**
 * Installed through Fastify's schemaController (see base-app.ts) so that every encapsulated
 * context, including one that calls addSchema, builds its validator here: setValidatorCompiler
 * on the root is silently replaced by Fastify's default ajv in such a child.
 *
 * JSON bodies are validated exactly as sent ("12" is not 12); querystrings and path params
 * arrive as text, so only their plainly spelt numbers and booleans become the schema's types
 * (`?limit=50`, never `?limit=5e1`).
 */
export const createValidatorCompiler = (
  externalSchemas: Record<string, unknown> = {},
): ((route: { schema: AnySchema; httpPart?: string }) => ValidateFunction) => {
  const ajv = makeAjv();
  for (const schema of Object.values(externalSchemas)) {
    if (typeof schema !== 'object' || schema === null) continue;
    ajv.addSchema(schema as AnySchema);
  }
  return ({ schema, httpPart }) => {
    const validate = ajv.compile(schema);
    return httpPart === 'querystring' || httpPart === 'params'
      ? validateText(schema, validate)
      : validate;
  };
};

/** A query string that must be empty: the schema of routes that take no parameters there. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

/**
 * Routes added after this that declare no querystring schema take none: `?anything` is a
 * 400, as API.md says of unknown fields, rather than silently ignored.
 */
export const refuseUndeclaredQueries = (app: FastifyInstance): void => {
  app.addHook('onRoute', (route) => {
    if (route.schema?.querystring) return;
    route.schema = { ...route.schema, querystring: NoQuery };
  });
};
