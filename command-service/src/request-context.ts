import { PROBLEM_CONTENT_TYPE, REPLAYED_HEADER } from '@techflow/platform/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandMeta, CommandResult } from './handle-command.js';

const CORRELATION = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Correlation-Id ties our events to its own trace; otherwise the request id. */
export const correlationIdOf = (request: FastifyRequest): string => {
  const given = request.headers['x-correlation-id'];
  return typeof given === 'string' && CORRELATION.test(given) ? given : request.id;
};

/** Event metadata for a request behind `authenticate`. */
export const commandMeta = (request: FastifyRequest): CommandMeta => ({
  tenantId: request.principal.tenantId,
  actor: request.principal.actor,
  correlationId: correlationIdOf(request),
  causationId: request.id,
});

/** Sends a handler's result; replays say so, remembered refusals stay problem+json. */
export const sendResult = (reply: FastifyReply, result: CommandResult): FastifyReply => {
  if (result.replayed) reply.header(REPLAYED_HEADER, 'true');
  if (result.status >= 400) reply.type(PROBLEM_CONTENT_TYPE);
  return reply.code(result.status).send(result.body);
};
