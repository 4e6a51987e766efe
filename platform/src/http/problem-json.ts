import { Type } from '@sinclair/typebox';
import { isDomainError } from '@techflow/domain';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isTransient } from '../db/transient.js';
import {
  HttpProblem,
  PROBLEM_TYPE_BASE,
  PROBLEMS,
  type ProblemBody,
  problem,
  problemCodeForStatus,
  problemFromDomain,
} from './errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details; routes reference it as `Type.Ref(ProblemDetails)`. */
export const ProblemDetails = Type.Object(
  {
    type: Type.String({ format: 'uri' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable snake_case code clients branch on' }),
  },
  { $id: 'ProblemDetails', additionalProperties: false },
);

interface AjvLikeError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  /** The schema holding the failed keyword (ajv's `verbose`). */
  parentSchema?: { description?: unknown; examples?: unknown };
  /** The value that failed (ajv's `verbose`). */
  data?: unknown;
}

/** The schema's own words for what a value must be, with an example when it gives none. */
const expectation = (error: AjvLikeError): string | undefined => {
  const description = error.parentSchema?.description;
  if (typeof description !== 'string' || description === '') return undefined;
  const examples = error.parentSchema?.examples;
  const example = Array.isArray(examples) && examples.length > 0 ? examples[0] : undefined;
  // "Amount in ..." reads "amount in ..." mid-sentence; "ISO 4217 ..." stays as it is.
  const text = /^[A-Z][a-z]/.test(description)
    ? description.charAt(0).toLowerCase() + description.slice(1)
    : description;
  return example === undefined || description.includes('e.g.')
    ? text
    : `${text}, e.g. ${JSON.stringify(example)}`;
};

/**
 * `body/amount is not valid: expected amount in minor units ...`: names the failing path so
 * clients can show it, and says what it expects in the schema's words where the schema has
 * them (a pattern or the 180 constants of a currency union say nothing to a person).
 */
const describeValidation = (error: FastifyError): string => {
  const context = error.validationContext ?? 'request';
  const errors: AjvLikeError[] = error.validation ?? [];
  const first = errors[0];
  if (!first) return error.message;
  // A union reports each branch's failure, then its own: the union's is the one to explain.
  const union = errors.find(
    (e) =>
      (e.keyword === 'anyOf' || e.keyword === 'oneOf') && e.instancePath === first.instancePath,
  );
  const chosen = union ?? first;
  const path = `${context}${chosen.instancePath ?? ''}`;
  // Fastify hands the validator null for a request without a body.
  if (chosen.keyword === 'type' && !chosen.instancePath && chosen.data == null) {
    return `${path} is empty or null: this route expects a JSON ${String(chosen.params?.['type'])}`;
  }
  const extra = chosen.params?.['additionalProperty'];
  if (chosen.keyword === 'additionalProperties' && typeof extra === 'string') {
    return `${path}/${extra} is not allowed`;
  }
  const expected = expectation(chosen);
  if (expected) return `${path} is not valid: expected ${expected}`;
  return `${path} ${chosen.message ?? 'is not valid'}`;
};

const hasCode = (e: unknown): e is { code: string } =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string';

/** Turns anything thrown into the problem to answer; unknown errors become a bare 500. */
export const toProblem = (error: unknown): HttpProblem => {
  if (error instanceof HttpProblem) return error;
  if (isDomainError(error)) return problemFromDomain(error.code, error.message);
  if (typeof error !== 'object' || error === null) return problem('internal_error');
  const fe = error as FastifyError;
  if (fe.validation) return problem('validation_failed', describeValidation(fe));
  const code = hasCode(error) ? error.code : '';
  if (
    code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    (error instanceof SyntaxError && fe.statusCode === 400)
  ) {
    return problem('malformed_json', 'The request body could not be parsed as JSON');
  }
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return problem('payload_too_large');
  if (code === 'FST_ERR_BAD_URL') {
    return problem('validation_failed', 'the path is not valid percent-encoded UTF-8');
  }
  // The database or the event store away for a moment (or a deadlock the database broke):
  // nothing is wrong with the request, and the same request may well succeed in a second.
  if (isTransient(error)) {
    return problem(
      'not_ready',
      'The database or the event store is not reachable right now; retry shortly',
      {
        'retry-after': '1',
      },
    );
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const mapped = problemCodeForStatus(status);
    return new HttpProblem(mapped, fe.message || PROBLEMS[mapped].title);
  }
  return problem('internal_error', 'Something went wrong on our side; it has been logged');
};

export const sendProblem = (reply: FastifyReply, p: HttpProblem): FastifyReply => {
  for (const [name, value] of Object.entries(p.headers)) reply.header(name, value);
  return reply.code(p.statusCode).type(PROBLEM_CONTENT_TYPE).send(p.toBody());
};

export const problemBody = (code: keyof typeof PROBLEMS, detail?: string): ProblemBody =>
  problem(code, detail).toBody();

/**
 * The root error handler: every error leaves as application/problem+json. Requests no route
 * takes are routeMissPlugin's (404 or 405).
 */
export const problemJsonPlugin = fp(
  async (app: FastifyInstance) => {
    app.addSchema(ProblemDetails);
    app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const p = toProblem(error);
      // Only a failure nobody foresaw is an error with its stack. A 503 the code chose (a read
      // model behind X-Min-Position, a dependency away for a moment) is a warning: any caller
      // can cause one, and an error per request would drown the log's real errors.
      if (p.code === 'internal_error') request.log.error({ err: error }, 'request failed');
      else if (p.statusCode >= 500) {
        request.log.warn({ code: p.code, detail: p.detail }, 'request not served');
      } else request.log.debug({ code: p.code }, 'request refused');
      return sendProblem(reply, p);
    });
  },
  { name: 'techflow-problem-json', fastify: '5.x' },
);

export { PROBLEM_TYPE_BASE };
