import { connect, type NatsConnection } from '@nats-io/transport-node';

export type { NatsConnection } from '@nats-io/transport-node';

export interface ConnectNatsOptions {
  /** Shown in the server's connection list (`nats server report connections`). */
  readonly name?: string;
  /** Told, every few seconds, that the first connection is still being waited for. */
  readonly onWaiting?: (waitedMs: number) => void;
  /** Told of disconnects and reconnects (nats.js status events), for the service's log. */
  readonly onStatus?: (status: { readonly type: string; readonly data?: unknown }) => void;
}

const WAITING_REPORT_MS = 3000;

/**
 * Connects to NATS and keeps reconnecting forever: a service outlives a NATS restart, and
 * JetStream publishes and fetches made while disconnected fail and are retried by their callers.
 */
export async function connectNats(
  url: string,
  options: ConnectNatsOptions = {},
): Promise<NatsConnection> {
  const started = Date.now();
  const waiting = setInterval(() => options.onWaiting?.(Date.now() - started), WAITING_REPORT_MS);
  try {
    const nc = await connect({
      servers: url.split(',').map((s) => s.trim()),
      name: options.name ?? 'techflow',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // NATS not up yet (starting beside us) is waited for, not a crash.
      waitOnFirstConnect: true,
    });
    const { onStatus } = options;
    if (onStatus) {
      void (async () => {
        for await (const status of nc.status()) {
          // Pings are routine, and a close is this process's own doing.
          if (status.type !== 'ping' && status.type !== 'close') onStatus(status);
        }
      })();
    }
    return nc;
  } finally {
    clearInterval(waiting);
  }
}
