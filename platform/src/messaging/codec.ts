import type { ChainedMetadata, JsonObject, RecordedEvent } from '../event-store/port.js';

/**
 * RecordedEvent ⇄ the JSON bytes of an event message. revision and position are bigints in
 * code and decimal strings on the wire (JSON numbers lose precision past 2^53).
 */

/** The JSON shape of an event message body. */
export interface EventMessage {
  readonly eventId: string;
  readonly streamId: string;
  readonly category: string;
  readonly revision: string;
  readonly position: string;
  readonly type: string;
  readonly version: number;
  readonly data: JsonObject;
  readonly metadata: ChainedMetadata;
  readonly recordedAt: string;
}

export class EventDecodeError extends Error {
  override readonly name = 'EventDecodeError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function toEventMessage(event: RecordedEvent): EventMessage {
  return {
    eventId: event.eventId,
    streamId: event.streamId,
    category: event.category,
    revision: event.revision.toString(),
    position: event.position.toString(),
    type: event.type,
    version: event.version,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt,
  };
}

export const encodeEvent = (event: RecordedEvent): Uint8Array =>
  encoder.encode(JSON.stringify(toEventMessage(event)));

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const str = (o: Record<string, unknown>, key: string): string => {
  const v = o[key];
  if (typeof v !== 'string') throw new EventDecodeError(`event message: ${key} is not a string`);
  return v;
};

const digits = (o: Record<string, unknown>, key: string): bigint => {
  const v = str(o, key);
  if (!/^-?\d+$/.test(v)) throw new EventDecodeError(`event message: ${key} is not an integer`);
  return BigInt(v);
};

function decodeMetadata(v: unknown): ChainedMetadata {
  if (!isObject(v)) throw new EventDecodeError('event message: metadata is not an object');
  const causation = v['causationId'];
  const prevHash = v['prevHash'];
  return {
    ...v,
    tenantId: str(v, 'tenantId'),
    actor: str(v, 'actor'),
    correlationId: str(v, 'correlationId'),
    causationId: typeof causation === 'string' ? causation : null,
    occurredAt: str(v, 'occurredAt'),
    prevHash: typeof prevHash === 'string' ? prevHash : null,
    hash: typeof v['hash'] === 'string' ? v['hash'] : '',
  };
}

/** Parses and checks an event message body; throws EventDecodeError on anything malformed. */
export function decodeEvent(bytes: Uint8Array): RecordedEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch (e) {
    throw new EventDecodeError(`event message is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(parsed)) throw new EventDecodeError('event message is not an object');
  const data = parsed['data'];
  const version = parsed['version'];
  if (!isObject(data)) throw new EventDecodeError('event message: data is not an object');
  if (typeof version !== 'number') throw new EventDecodeError('event message: bad version');
  return {
    eventId: str(parsed, 'eventId'),
    streamId: str(parsed, 'streamId'),
    category: str(parsed, 'category'),
    revision: digits(parsed, 'revision'),
    position: digits(parsed, 'position'),
    type: str(parsed, 'type'),
    version,
    // JSON.parse only ever produces JSON values, so the object is a JsonObject.
    data: data as JsonObject,
    metadata: decodeMetadata(parsed['metadata']),
    recordedAt: str(parsed, 'recordedAt'),
  };
}
