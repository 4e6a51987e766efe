import { type HttpProblem, PROBLEM_TYPE_BASE, pathOf } from '@techflow/platform/http';
import type { FastifyRequest } from 'fastify';

export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly [extension: string]: unknown;
}

/** A problem the services' own mapping made (toProblem, problem()), in the gateway's shape. */
export const fromHttpProblem = (p: HttpProblem): Problem => ({
  status: p.statusCode,
  code: p.code,
  title: p.title,
  detail: p.detail,
});

/** The slice of a Fastify reply a problem needs (any server flavour, so proxy hooks can use it). */
export interface ProblemReply {
  code(statusCode: number): ProblemReply;
  type(contentType: string): ProblemReply;
  send(payload?: unknown): ProblemReply;
}

/**
 * RFC 9457 problem details, the same shape the services answer with (API.md, Conventions),
 * `type` included: a client tells problems apart by it whichever process answered.
 */
export function sendProblem<R extends ProblemReply>(reply: R, problem: Problem): R {
  reply
    .code(problem.status)
    .type('application/problem+json')
    .send({ type: `${PROBLEM_TYPE_BASE}${problem.code}`, ...problem });
  return reply;
}

/** 404 in the services' shape, for paths no route and no upstream owns. */
export function sendNotFound<R extends ProblemReply>(
  request: Pick<FastifyRequest, 'method' | 'url'>,
  reply: R,
): R {
  return sendProblem(reply, {
    status: 404,
    code: 'not_found',
    title: 'Not Found',
    detail: `no route for ${request.method} ${pathOf(request.url)}`,
  });
}
