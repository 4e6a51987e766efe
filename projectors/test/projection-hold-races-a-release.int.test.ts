// A hold racing the background replay's release in one process: the hold's compare-and-set
// fails on the generation the release moved, and the runner must take that for a checkpoint
// out of step, not for a failure of the projection (found by review). Delays are injected
// with a Kysely plugin on the runner's own db: results held back, nothing else changed.
import { randomUUID } from 'node:crypto';
import type { KyselyPlugin, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import t from 'tap';
import type { Projection } from '../src/projection.js';
import { appendLog } from './support/append.js';
import { EventLog } from './support/events.js';
import { failingOn, heldRows } from './support/failing-projection.js';
import { createInfra, eventually } from './support/infra.js';
import { checkpointOf, reaches, startRunner } from './support/runner.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test("a hold racing a release by the same runner's replay holds its tenant", async (t) => {
  const infra = await createInfra();
  t.teardown(() => infra.close());
  const log = new EventLog();
  const [T, U] = [randomUUID(), randomUUID()];
  const [a, b] = [randomUUID(), randomUUID()];
  log.open(T, a);
  log.open(U, b);
  log.deposit(T, a, 10n);
  const badT = log.deposit(T, a, 20n);
  const events = await appendLog(infra.eventStore, log);
  const first = startRunner(infra, {}, failingOn(badT.eventId, { broken: true }));
  await first.start();
  await reaches(infra, events.at(-1)!.position);
  await first.stop();
  t.equal((await heldRows(infra)).length, 1, 'T held');

  const stateT = { broken: true };
  const badU = randomUUID();
  const base = failingOn(badT.eventId, stateT);
  let armedOnce = false;
  const check = (evs: readonly { eventId: string }[]) => {
    if (evs.some((e) => e.eventId === badU)) {
      if (!armedOnce) arm.readCheckpoint = armedOnce = true;
      throw new Error('U cannot be applied');
    }
  };
  const projection: Projection = {
    ...base,
    async apply(trx, evs) {
      check(evs);
      await base.apply(trx, evs);
    },
    applyInOneStatement(evs, step) {
      check(evs);
      return base.applyInOneStatement?.(evs, step) ?? null;
    },
  };

  const arm = { readCheckpoint: false, reload: 0, lock: 0 };
  const kinds = new Map<unknown, string>();
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }): RootOperationNode {
      const j = JSON.stringify(node, (_, v) => (typeof v === 'bigint' ? String(v) : v));
      if (j.includes('"held_tenants"') && j.includes('"held_generation"'))
        kinds.set(queryId, 'load');
      else if (j.includes('ForUpdate') && j.includes('"checkpoints"')) kinds.set(queryId, 'lock');
      else if (
        j.includes('"held_generation"') &&
        j.includes('"checkpoints"') &&
        node.kind === 'SelectQueryNode'
      )
        kinds.set(queryId, 'read');
      return node;
    },
    async transformResult({ result, queryId }): Promise<QueryResult<UnknownRow>> {
      const kind = kinds.get(queryId);
      kinds.delete(queryId);
      if (kind === 'load' && arm.reload) await sleep(arm.reload);
      if (kind === 'lock' && arm.lock) {
        const ms = arm.lock;
        arm.lock = 0;
        await sleep(ms);
      }
      if (kind === 'read' && arm.readCheckpoint) {
        // outOfStep() after the poison batch failed: the replay now releases T meanwhile.
        arm.readCheckpoint = false;
        arm.reload = 150;
        stateT.broken = false;
        await eventually('T released', async () => (await heldRows(infra)).length === 0, 5000);
        await sleep(30); // the runner's reload (onReleased) is in flight, delayed
        arm.lock = 500;
      }
      return result;
    },
  };
  const runner = startRunner(
    infra,
    { heldRetryMs: 1000, maxAttempts: 1 },
    projection,
    undefined,
    infra.db.withPlugin(plugin),
  );
  await runner.start();
  await eventually(
    'start replay held T again',
    async () => (await heldRows(infra))[0]?.attempts === 2,
  );
  // U's poison event: a deposit to U's account, with the id the projection refuses.
  (log.deposit(U, b, 5n) as { eventId: string }).eventId = badU;
  const more = await appendLog(infra.eventStore, log);
  await sleep(3000);
  t.equal(runner.status().status, 'running', 'the projection goes on (U held)');
  t.equal((await checkpointOf(infra))?.status, 'running');
  t.match(await heldRows(infra), [{ tenant_id: U }], 'U is held, T released');
  t.ok((await checkpointOf(infra))!.position >= more.at(-1)!.position, 'checkpoint past U');
  await runner.stop();
});
