import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { allEventsSubject } from './subjects.js';

export interface EventStreamOptions {
  readonly name: string;
  readonly subjectPrefix: string;
  /**
   * How long JetStream remembers a Nats-Msg-Id. The relay republishes at most what it had in
   * flight when it died, so this only has to outlast a restart; 10 minutes by default, and
   * never under 2 minutes. Duplicates older than it are still dropped by the projections'
   * position checks.
   */
  readonly duplicateWindowMs?: number;
  /** How long events stay in the stream (default: forever; the event store is the truth). */
  readonly maxAgeMs?: number;
}

const MIN_DUPLICATE_WINDOW_MS = 2 * 60_000;

/**
 * Creates the stream holding every event, or updates its settings if it exists: safe to call
 * from every process at start, concurrently.
 */
export async function ensureEventStream(
  jsm: JetStreamManager,
  options: EventStreamOptions,
): Promise<StreamInfo> {
  const windowMs = Math.max(options.duplicateWindowMs ?? 10 * 60_000, MIN_DUPLICATE_WINDOW_MS);
  const config = {
    subjects: [allEventsSubject(options.subjectPrefix)],
    duplicate_window: nanos(windowMs),
    max_age: nanos(options.maxAgeMs ?? 0),
    discard: DiscardPolicy.Old,
    description: 'TechFlow events, relayed from the event store in position order',
  };
  try {
    const info = await jsm.streams.info(options.name);
    return await jsm.streams.update(options.name, { ...info.config, ...config });
  } catch (e) {
    if (!isStreamNotFound(e)) throw e;
  }
  try {
    return await jsm.streams.add({
      name: options.name,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      num_replicas: 1,
      ...config,
    });
  } catch (e) {
    // Another process created it between our info and add: fine if it matches.
    if (e instanceof JetStreamApiError && e.code === STREAM_NAME_IN_USE) {
      return jsm.streams.info(options.name);
    }
    throw e;
  }
}

// JetStream's "stream name already in use with a different configuration".
const STREAM_NAME_IN_USE = 10058;

const isStreamNotFound = (e: unknown): boolean =>
  e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound;
