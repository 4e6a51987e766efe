import { randomBytes, randomUUID } from 'node:crypto';
import type { EventStore, JsonObject, NewEvent } from '../port.js';

/** The slice of tap's Test the contract uses, so src/ does not depend on the test runner. */
export interface ContractTest {
  test(
    name: string,
    extra: { skip?: string | boolean },
    fn: (t: ContractTest) => Promise<void>,
  ): Promise<unknown>;
  ok(value: unknown, ...message: [] | [string]): boolean;
  equal(found: unknown, wanted: unknown, ...message: [] | [string]): boolean;
  same(found: unknown, wanted: unknown, ...message: [] | [string]): boolean;
  teardown(fn: () => unknown): void;
}

export interface ContractCapabilities {
  /** appendToStreams with several streams in one commit (Postgres, memory). */
  readonly multiStream: boolean;
  /** Positions are 1, 2, 3... with no gaps (Postgres, memory; not EventStoreDB). */
  readonly gapFreePositions: boolean;
  /** An event id reused in another stream is refused (Postgres, memory; not EventStoreDB). */
  readonly globalEventIds: boolean;
  /**
   * A re-append of stored ids is taken as a retry only with the same content at the same
   * expected revision (Postgres, memory; EventStoreDB answers a duplicate id by id alone).
   */
  readonly checksRetries: boolean;
}

export interface ContractSubject {
  readonly store: EventStore;
  readonly cleanup: () => Promise<void>;
}

export interface ContractOptions {
  readonly name: string;
  readonly create: () => Promise<ContractSubject>;
  readonly capabilities?: Partial<ContractCapabilities>;
}

/** A fresh store for one subtest, closed and cleaned up in its teardown. */
export async function storeFor(t: ContractTest, options: ContractOptions): Promise<EventStore> {
  const { store, cleanup } = await options.create();
  t.teardown(async () => {
    await store.close();
    await cleanup();
  });
  return store;
}

/**
 * Names unique to one run: the contract may run against a shared server (EventStoreDB), so it
 * never assumes an empty store and filters on tenants and categories nobody else uses.
 */
export const unique = (prefix: string) => `${prefix}${randomBytes(5).toString('hex')}`;

export function newEvent(
  type: string,
  data: JsonObject = {},
  tenantId = 'tenant-a',
  eventId: string = randomUUID(),
): NewEvent {
  return {
    eventId,
    type,
    version: 1,
    data,
    metadata: {
      tenantId,
      actor: 'user:contract',
      correlationId: randomUUID(),
      causationId: null,
      occurredAt: '2025-01-01T00:00:00.000Z',
    },
  };
}

/** The error a promise rejects with, or undefined when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error;
  }
}
