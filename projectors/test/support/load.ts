import { randomUUID } from 'node:crypto';
import type { EventStore, JsonObject } from '@techflow/platform';

export interface LoadOptions {
  readonly tenants: number;
  readonly accountsPerTenant: number;
  /** Each account stops after this many movements… */
  readonly movementsPerAccount?: number;
  /** …or once this says so (checked before each movement). */
  readonly stop?: () => boolean;
  /** A pause after each of an account's movements, so the load lasts. */
  readonly pauseMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Account traffic appended straight to the event store: accounts opened per tenant, then
 * deposits, withdrawals (only when covered, so balanceAfter never goes negative) and the odd
 * freeze/unfreeze, each account's stream written by one worker in order, accounts in
 * parallel, as the command service would. Resolves with the number of events appended.
 */
export async function generateLoad(store: EventStore, options: LoadOptions): Promise<number> {
  const movements = options.movementsPerAccount ?? Number.POSITIVE_INFINITY;
  const stop = options.stop ?? (() => false);
  let appended = 0;
  const tenants = Array.from({ length: options.tenants }, () => randomUUID());
  const accounts = tenants.flatMap((tenantId) =>
    Array.from({ length: options.accountsPerTenant }, (_, i) => ({
      tenantId,
      accountId: randomUUID(),
      currency: i % 3 === 2 ? 'USD' : 'EUR',
    })),
  );
  const append = async (tenantId: string, accountId: string, type: string, data: JsonObject) => {
    await store.appendToStream(
      `account-${tenantId}:${accountId}`,
      [
        {
          eventId: randomUUID(),
          type,
          version: 1,
          data: { accountId, ...data },
          metadata: {
            tenantId,
            actor: 'user:load',
            correlationId: randomUUID(),
            causationId: null,
            occurredAt: new Date().toISOString(),
          },
        },
      ],
      { expectedRevision: 'any' },
    );
    appended++;
  };
  await Promise.all(
    accounts.map(async ({ tenantId, accountId, currency }) => {
      await append(tenantId, accountId, 'AccountOpened', {
        name: 'Load',
        currency,
        allowOverdraft: false,
      });
      let balance = 0n;
      let frozen = false;
      for (let i = 0; i < movements && !stop(); i++) {
        if (options.pauseMs) await sleep(options.pauseMs * (0.5 + Math.random()));
        const roll = Math.random();
        if (roll < 0.05) {
          await append(tenantId, accountId, frozen ? 'AccountUnfrozen' : 'AccountFrozen', {});
          frozen = !frozen;
          continue;
        }
        if (frozen) continue;
        const amount = BigInt(1 + Math.floor(Math.random() * 10_000));
        const withdraw = roll < 0.4 && balance >= amount;
        balance += withdraw ? -amount : amount;
        await append(tenantId, accountId, withdraw ? 'FundsWithdrawn' : 'FundsDeposited', {
          entryId: randomUUID(),
          amount: amount.toString(),
          currency,
          balanceAfter: balance.toString(),
        });
      }
    }),
  );
  return appended;
}
