import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  ReplayPolicy,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { allEventsSubject } from '@techflow/platform';

/** The durable consumer of a projection: `proj_<name>`. */
export const durableName = (projection: string): string =>
  `proj_${projection.replace(/[^A-Za-z0-9_-]/g, '_')}`;

export interface ProjectionConsumerOptions {
  readonly stream: string;
  readonly subjectPrefix: string;
  readonly durable: string;
  /**
   * Unacknowledged messages the server may hand out. Bounds what the runner buffers; must be
   * several batches so fetching overlaps applying. Default 10,000.
   */
  readonly maxAckPending?: number;
  /** How long before an unacked message is redelivered; default 30 s. */
  readonly ackWaitMs?: number;
}

/**
 * Creates the projection's durable pull consumer or updates it. Ack policy is `all`: the
 * runner acks only the last message of each applied batch, one ack instead of a thousand,
 * and correctness never depended on acks anyway (the checkpoint in Postgres decides what is
 * applied; a redelivered message is dropped by its position).
 */
export async function ensureProjectionConsumer(
  jsm: JetStreamManager,
  options: ProjectionConsumerOptions,
): Promise<ConsumerInfo> {
  const config: Partial<ConsumerConfig> = {
    durable_name: options.durable,
    ack_policy: AckPolicy.All,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    filter_subject: allEventsSubject(options.subjectPrefix),
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    max_ack_pending: options.maxAckPending ?? 10_000,
    max_deliver: -1,
  };
  try {
    await jsm.consumers.info(options.stream, options.durable);
    return await jsm.consumers.update(options.stream, options.durable, {
      ack_wait: config.ack_wait,
      max_ack_pending: config.max_ack_pending,
      max_deliver: config.max_deliver,
    });
  } catch (e) {
    if (!(e instanceof JetStreamApiError && e.code === JetStreamApiCodes.ConsumerNotFound)) throw e;
  }
  return jsm.consumers.add(options.stream, config);
}
