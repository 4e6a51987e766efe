import type { ReadAllFilter, RecordedEvent } from './port.js';

/** The filter as adapters that cannot push it into a query apply it (memory, EventStoreDB). */
export const matchesFilter = (e: RecordedEvent, filter: ReadAllFilter | undefined) =>
  !filter ||
  ((filter.tenantId === undefined || e.metadata.tenantId === filter.tenantId) &&
    (filter.categories === undefined || filter.categories.includes(e.category)) &&
    (filter.types === undefined || filter.types.includes(e.type)));
