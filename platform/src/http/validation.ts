import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

const base: Options = {
  // Unknown fields are refused (schemas say additionalProperties: false), never dropped.
  removeAdditional: false,
  useDefaults: true,
  allErrors: false,
  // TypeBox and @fastify/swagger add keywords (examples, hide, ...) that ajv need not know.
  strict: false,
};

const makeAjv = (coerceTypes: boolean): Ajv => {
  const ajv = new Ajv({ ...base, coerceTypes });
  addFormats.default(ajv);
  return ajv;
};

/**
 * JSON bodies are validated exactly as sent ("12" is not 12); querystrings and path params
 * arrive as text, so only they are coerced to the schema's types.
 */
export const createValidatorCompiler = (): FastifySchemaCompiler<FastifySchema> => {
  const strictAjv = makeAjv(false);
  const coercingAjv = makeAjv(true);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'querystring' || httpPart === 'params' ? coercingAjv : strictAjv;
    return ajv.compile(schema);
  };
};
