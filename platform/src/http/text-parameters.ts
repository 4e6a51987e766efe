import type { ValidateFunction } from 'ajv';

/** Where the data sits in its parent (ajv does not export the type). */
type DataContext = Parameters<ValidateFunction>[1];

/**
 * Query strings and path parameters arrive as text. Ajv's coerceTypes turns any text
 * `Number()` reads into a number, so `?limit=1e1`, `0x10`, ` 5` and `5.0` all passed as the
 * integer 10, 16, 5 and 5. Here only the plain spellings become the schema's type; any other
 * text stays text and fails the schema's `type`, naming the parameter.
 */
const SPELLINGS: Readonly<Record<string, RegExp>> = {
  // No sign, exponent, hex, fraction or whitespace, as the config's whole numbers.
  integer: /^[0-9]+$/,
  number: /^-?[0-9]+(?:\.[0-9]+)?$/,
  boolean: /^(?:true|false)$/,
};

type Converter = (text: string) => unknown;

const converterFor = (schema: unknown): Converter | undefined => {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const type = (schema as { type?: unknown }).type;
  if (typeof type !== 'string') return undefined;
  const spelling = SPELLINGS[type];
  if (!spelling) return undefined;
  if (type === 'boolean') return (text) => (spelling.test(text) ? text === 'true' : text);
  return (text) => {
    if (!spelling.test(text)) return text;
    const value = Number(text);
    // Past 2^53 the number would not be the one written: leave it to fail as text.
    return type === 'integer' && !Number.isSafeInteger(value) ? text : value;
  };
};

/** Each top-level property of an object schema that takes a number or a boolean. */
const convertersOf = (schema: unknown): ReadonlyMap<string, Converter> => {
  const properties =
    typeof schema === 'object' && schema !== null
      ? (schema as { properties?: unknown }).properties
      : undefined;
  const converters = new Map<string, Converter>();
  if (typeof properties !== 'object' || properties === null) return converters;
  for (const [name, property] of Object.entries(properties)) {
    const convert = converterFor(property);
    if (convert) converters.set(name, convert);
  }
  return converters;
};

/**
 * `validate` (compiled without coercion) over a query string or path parameters, after their
 * plainly spelt numbers and booleans became values (in place, as Ajv's coercion did).
 */
export function validateText(schema: unknown, validate: ValidateFunction): ValidateFunction {
  const converters = convertersOf(schema);
  const run = (data: unknown, context?: DataContext): data is unknown => {
    if (typeof data === 'object' && data !== null) {
      const fields = data as Record<string, unknown>;
      for (const [name, convert] of converters) {
        const text = fields[name];
        if (typeof text === 'string') fields[name] = convert(text);
      }
    }
    const valid = validate(data, context);
    validator.errors = validate.errors ?? null;
    return valid;
  };
  // Ajv's own fields ride along: Fastify reads `errors`, and passes the parent when it sees
  // `schemaEnv`.
  const validator: ValidateFunction = Object.assign(run, {
    schema: validate.schema,
    schemaEnv: validate.schemaEnv,
    errors: null,
  });
  return validator;
}
