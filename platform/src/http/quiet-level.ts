import type { FastifyInstance, LogLevel } from 'fastify';

const QUIETER: readonly LogLevel[] = ['error', 'fatal', 'silent'];

/**
 * The log level for operational routes (/health, /ready, /metrics, /openapi.json): probes hit
 * them every few seconds, so their access logs are dropped, without ever making an app that
 * was told to be quieter (tests: 'silent') louder.
 */
export const quietLevel = (app: FastifyInstance): LogLevel =>
  QUIETER.find((level) => level === app.log.level) ?? 'warn';
