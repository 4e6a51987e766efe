import type {
  AllStreamRecordedEvent,
  RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import type { JsonObject, RecordedEvent } from '../port.js';
import { categoryOf } from '../stream-naming.js';

/** What the adapter stores as each event's EventStoreDB metadata. */
export interface StoredMetadata {
  readonly tenantId: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly occurredAt: string;
  readonly version: number;
  readonly prevHash: string | null;
  readonly hash: string;
}

const isObject = (v: unknown): v is { [key: string]: unknown } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// JSON from the server is JSON: a plain object at the top is all the port's type asks for.
const isJsonObject = (v: unknown): v is JsonObject => isObject(v);

const str = (o: { [key: string]: unknown }, k: string) =>
  typeof o[k] === 'string' ? o[k] : undefined;

function storedMetadata(v: unknown): StoredMetadata | null {
  if (!isObject(v)) return null;
  const [tenantId, actor, correlationId, occurredAt, hash] = [
    str(v, 'tenantId'),
    str(v, 'actor'),
    str(v, 'correlationId'),
    str(v, 'occurredAt'),
    str(v, 'hash'),
  ];
  const causationId = v['causationId'] === null ? null : str(v, 'causationId');
  const prevHash = v['prevHash'] === null ? null : str(v, 'prevHash');
  const version = v['version'];
  if (!tenantId || !actor || !correlationId || !occurredAt || !hash) return null;
  if (causationId === undefined || prevHash === undefined || typeof version !== 'number') {
    return null;
  }
  return { tenantId, actor, correlationId, causationId, occurredAt, version, prevHash, hash };
}

/**
 * null for what this adapter did not write: system events ($-prefixed), binary events, events
 * without our metadata. Positions are commit positions: increasing, with gaps.
 */
export function toRecordedEvent(
  e: EsdbRecordedEvent | AllStreamRecordedEvent,
): RecordedEvent | null {
  if (e.streamId.startsWith('$') || e.type.startsWith('$') || !e.isJson || !e.position) return null;
  const meta = storedMetadata(e.metadata);
  if (!meta || !isJsonObject(e.data)) return null;
  return {
    eventId: e.id,
    streamId: e.streamId,
    category: categoryOf(e.streamId),
    revision: e.revision,
    position: e.position.commit,
    type: e.type,
    version: meta.version,
    data: e.data,
    metadata: {
      tenantId: meta.tenantId,
      actor: meta.actor,
      correlationId: meta.correlationId,
      causationId: meta.causationId,
      occurredAt: meta.occurredAt,
      prevHash: meta.prevHash,
      hash: meta.hash,
    },
    recordedAt: e.created.toISOString(),
  };
}
