import { randomUUID } from 'node:crypto';
import type { JsonObject, RecordedEvent } from '@techflow/platform';

/**
 * Builds recorded events the way the event store would hand them out: gap-free positions,
 * per-stream revisions, tenant in the metadata. Balances are tracked so deposits and
 * withdrawals carry a correct balanceAfter.
 */
export class EventLog {
  position = 0n;
  readonly events: RecordedEvent[] = [];
  private readonly revisions = new Map<string, bigint>();
  private readonly balances = new Map<string, bigint>();

  constructor(start = 0n) {
    this.position = start;
  }

  record(
    tenantId: string,
    category: string,
    id: string,
    type: string,
    data: JsonObject,
  ): RecordedEvent {
    const streamId = `${category}-${tenantId}:${id}`;
    const revision = (this.revisions.get(streamId) ?? -1n) + 1n;
    this.revisions.set(streamId, revision);
    this.position += 1n;
    const at = new Date(Date.UTC(2025, 0, 1) + Number(this.position) * 1000).toISOString();
    const event: RecordedEvent = {
      eventId: randomUUID(),
      streamId,
      category,
      revision,
      position: this.position,
      type,
      version: 1,
      data,
      metadata: {
        tenantId,
        actor: 'user:test',
        correlationId: randomUUID(),
        causationId: null,
        occurredAt: at,
        prevHash: null,
        hash: 'h',
      },
      recordedAt: at,
    };
    this.events.push(event);
    return event;
  }

  open(tenantId: string, accountId: string, currency = 'EUR', name = 'Main'): RecordedEvent {
    this.balances.set(accountId, 0n);
    return this.record(tenantId, 'account', accountId, 'AccountOpened', {
      accountId,
      name,
      currency,
      allowOverdraft: false,
    });
  }

  deposit(tenantId: string, accountId: string, amount: bigint, currency = 'EUR'): RecordedEvent {
    const after = (this.balances.get(accountId) ?? 0n) + amount;
    this.balances.set(accountId, after);
    return this.record(tenantId, 'account', accountId, 'FundsDeposited', {
      accountId,
      entryId: randomUUID(),
      amount: amount.toString(),
      currency,
      balanceAfter: after.toString(),
      reference: 'ref',
    });
  }

  withdraw(tenantId: string, accountId: string, amount: bigint, currency = 'EUR'): RecordedEvent {
    const after = (this.balances.get(accountId) ?? 0n) - amount;
    this.balances.set(accountId, after);
    return this.record(tenantId, 'account', accountId, 'FundsWithdrawn', {
      accountId,
      entryId: randomUUID(),
      amount: amount.toString(),
      currency,
      balanceAfter: after.toString(),
    });
  }

  status(
    tenantId: string,
    accountId: string,
    type: 'AccountFrozen' | 'AccountUnfrozen' | 'AccountClosed',
  ) {
    return this.record(tenantId, 'account', accountId, type, { accountId });
  }

  balance(accountId: string): bigint {
    return this.balances.get(accountId) ?? 0n;
  }
}
