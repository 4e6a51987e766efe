export {
  type ContractCapabilities,
  type ContractOptions,
  type ContractSubject,
  type ContractTest,
  eventStoreContract,
} from './contract.js';
export * from './create-event-store.js';
export * from './eventstoredb/eventstoredb-event-store.js';
export * from './hash-chain.js';
export * from './idempotency-store.js';
export * from './memory/memory-event-store.js';
export * from './port.js';
// For ops' probe-append-batch: es.append_rows's input, built as the adapter builds it.
export { toAppendRows } from './postgres/append-rows.js';
export * from './postgres/expire-idempotency-keys.js';
export * from './postgres/migrate.js';
export * from './postgres/postgres-event-store.js';
export * from './postgres/postgres-idempotency-store.js';
export * from './ready-check.js';
export * from './stream-naming.js';
