import { Type } from '@sinclair/typebox';
import { isDomainError } from '@techflow/domain';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
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
}

/** `body/amount must match pattern ...`: names the failing path so clients can show it. */
const describeValidation = (error: FastifyError): string => {
  const context = error.validationContext ?? 'request';
  const first: AjvLikeError | undefined = error.validation?.[0];
  if (!first) return error.message;
  const path = `${context}${first.instancePath ?? ''}`;
  const extra = first.params?.['additionalProperty'];
  if (first.keyword === 'additionalProperties' && typeof extra === 'string') {
    return `${path}/${extra} is not allowed`;
  }
  return `${path} ${first.message ?? 'is not valid'}`;
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
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return problem('malformed_json', 'The request body is empty but declared as JSON');
  }
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return problem('payload_too_large');
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

/** Root error and not-found handlers: every error leaves as application/problem+json. */
export const problemJsonPlugin = fp(
  async (app: FastifyInstance) => {
    app.addSchema(ProblemDetails);
    app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const p = toProblem(error);
      if (p.statusCode >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.debug({ code: p.code }, 'request refused');
      return sendProblem(reply, p);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(reply, problem('not_found', `No route ${request.method} ${request.url}`)),
    );
  },
  { name: 'techflow-problem-json', fastify: '5.x' },
);

export { PROBLEM_TYPE_BASE };
