import { REDACTING_LOG_OPTIONS } from '@techflow/platform';
import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * The supervisor's and the gateway's loggers: `name` tells their lines from the services'
 * (which carry `service`), and secrets are censored as in the services' (log-redaction.ts).
 * `stream` is for tests; lines go to stdout otherwise.
 */
export function opsLogger(
  name: 'supervisor' | 'gateway',
  level: string,
  stream?: DestinationStream,
): Logger {
  const options = { name, level, ...REDACTING_LOG_OPTIONS };
  return stream ? pino(options, stream) : pino(options);
}
