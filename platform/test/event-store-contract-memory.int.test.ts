import t from 'tap';
import { eventStoreContract } from '../src/event-store/contract.js';
import { createMemoryEventStore } from '../src/event-store/memory/memory-event-store.js';

eventStoreContract(t, {
  name: 'memory',
  create: async () => ({ store: createMemoryEventStore(), cleanup: async () => undefined }),
});
