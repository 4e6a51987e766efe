import { randomUUID } from 'node:crypto';
import t from 'tap';
import { createAppendMetrics } from '../src/append-metrics.js';
import { startCommandService } from './helpers/command-service.js';

/** The sum of every sample of `name` (all label sets) in a Prometheus text exposition. */
const total = (text: string, name: string): number =>
  text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);

t.test('/metrics shows how commands shared group-commit batches', async (t) => {
  const { app, signup } = await startCommandService(t, { appendMetrics: createAppendMetrics() });
  const owner = await signup();
  const accounts = Array.from({ length: 10 }, () => randomUUID());
  for (const accountId of accounts) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/accounts',
      headers: owner.auth,
      payload: { accountId, name: 'Batched', currency: 'EUR' },
    });
    t.equal(res.statusCode, 201, res.body);
  }
  const deposits = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      app.inject({
        method: 'POST',
        url: `/v1/accounts/${accounts[i % accounts.length]}/deposits`,
        headers: owner.auth,
        payload: { amount: '100' },
      }),
    ),
  );
  t.same(
    deposits.map((r) => r.statusCode),
    deposits.map(() => 201),
  );

  const text = (await app.inject({ url: '/metrics' })).body;
  const commands = 1 + accounts.length + deposits.length; // signup, openings, deposits
  t.equal(
    total(text, 'techflow_append_batch_commands_sum'),
    commands,
    'every command counted once',
  );
  t.equal(
    total(text, 'techflow_append_batch_events_sum'),
    total(text, 'techflow_events_appended_total'),
    'every event the commands appended went through a batch',
  );
  const batches = total(text, 'techflow_append_batch_commands_count');
  t.equal(total(text, 'techflow_append_batch_seconds_count'), batches, 'a round trip per batch');
  t.ok(batches < commands, `concurrent deposits shared batches (${batches} for ${commands})`);
  t.equal(
    total(text, 'techflow_append_rows_refused_total'),
    0,
    'no batch of these commands needed es.append_batch to decide',
  );
  t.match(text, /techflow_append_batch_commands_bucket\{le="1",service="command"\}/);
});
