import { appendContract } from './contract/appends.js';
import type { ContractOptions, ContractTest } from './contract/fixtures.js';
import { hashChainContract } from './contract/hash-chain.js';
import { idempotencyContract } from './contract/idempotency.js';
import { multiStreamContract } from './contract/multi-stream.js';
import { readContract } from './contract/reads.js';
import { subscriptionContract } from './contract/subscriptions.js';

export type {
  ContractCapabilities,
  ContractOptions,
  ContractSubject,
  ContractTest,
} from './contract/fixtures.js';

/**
 * The suite every event-store adapter passes. Each subtest gets a fresh store from `create`
 * and never assumes the store is empty, so an adapter over a shared server can run it too.
 * `capabilities` declares what an adapter cannot do (EventStoreDB: one stream per commit,
 * positions with gaps); those cases are skipped with the reason in the output.
 */
export function eventStoreContract(t: ContractTest, options: ContractOptions): void {
  appendContract(t, options);
  multiStreamContract(t, options);
  readContract(t, options);
  idempotencyContract(t, options);
  hashChainContract(t, options);
  subscriptionContract(t, options);
}
