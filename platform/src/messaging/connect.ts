import { connect, type NatsConnection } from '@nats-io/transport-node';

export type { NatsConnection } from '@nats-io/transport-node';

export interface ConnectNatsOptions {
  /** Shown in the server's connection list (`nats server report connections`). */
  readonly name?: string;
}

/**
 * Connects to NATS and keeps reconnecting forever: a service outlives a NATS restart, and
 * JetStream publishes and fetches made while disconnected fail and are retried by their callers.
 */
export function connectNats(
  url: string,
  options: ConnectNatsOptions = {},
): Promise<NatsConnection> {
  return connect({
    servers: url.split(',').map((s) => s.trim()),
    name: options.name ?? 'techflow',
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
}
