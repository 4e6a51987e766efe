import { randomUUID } from 'node:crypto';
import { ACCOUNT_CATEGORY, Account, streamName } from '@techflow/domain';
import { createMemoryEventStore } from '@techflow/platform';
import { Registry } from 'prom-client';
import t from 'tap';
import { createCommandMetrics } from '../src/command-metrics.js';
import { createCommandHandler } from '../src/handle-command.js';

t.test(
  "a command on one tenant's stream with another tenant's metadata appends nothing",
  async (t) => {
    const eventStore = createMemoryEventStore();
    const handler = createCommandHandler(Account, {
      eventStore,
      metrics: createCommandMetrics(new Registry()),
      clock: () => new Date('2026-11-29T12:00:00Z'),
      newId: randomUUID,
    });
    const owner = randomUUID();
    const other = randomUUID();
    const accountId = randomUUID();
    const request = (tenantId: string) => ({
      streamId: streamName(ACCOUNT_CATEGORY, owner, accountId),
      command: {
        type: 'OpenAccount' as const,
        data: { accountId, name: 'Main', currency: 'EUR' as const, allowOverdraft: false },
      },
      meta: { tenantId, actor: 'user:test', correlationId: randomUUID(), causationId: null },
      answer: () => ({ status: 201, body: { accountId } }),
    });
    await t.rejects(handler.handle(request(other)), /is not tenant/);
    t.equal(await eventStore.headPosition(), 0n, 'nothing appended');
    const accepted = await handler.handle(request(owner));
    t.equal(accepted.status, 201, 'the same command with its own tenant is accepted');
    t.equal(await eventStore.headPosition(), 1n);
  },
);
