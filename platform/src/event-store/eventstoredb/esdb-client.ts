import type { EventStoreDBClient } from '@eventstore/db-client';

/** What the adapter uses of the EventStoreDB client. */
export type EsdbClient = Pick<
  EventStoreDBClient,
  'appendToStream' | 'readStream' | 'readAll' | 'dispose'
>;
