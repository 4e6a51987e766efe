import { readFileSync } from 'node:fs';
import t from 'tap';
import {
  createGroupCommit,
  DEFAULT_LEAVE_AT_EVENTS,
} from '../src/event-store/postgres/group-commit.js';

/** A group commit whose "statement" records each batch and answers when told to. */
function recorder(options: Parameters<typeof createGroupCommit>[1]) {
  const batches: number[][] = [];
  const open: (() => void)[] = [];
  const group = createGroupCommit<number, number>(
    (commands) =>
      new Promise((resolve) => {
        batches.push([...commands]);
        open.push(() => resolve(commands));
      }),
    options,
  );
  const answerAll = async () => {
    while (open.length > 0) open.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { group, batches, answerAll };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('a lone command after a quiet spell leaves at once', async (t) => {
  const { group, batches, answerAll } = recorder({ minIntervalMs: 10_000 });
  const first = group.submit(1, 1);
  t.same(batches, [[1]], 'no wait for the interval: nothing ran before it');
  await answerAll();
  t.equal(await first, 1);
});

t.test('a lone command never waits, even right after a batch', async (t) => {
  const { group, batches, answerAll } = recorder({ minIntervalMs: 10_000 });
  for (const n of [1, 2, 3]) {
    const outcome = group.submit(n, 1);
    t.equal(batches.length, n, `command ${n} left at once`);
    await answerAll();
    t.equal(await outcome, n);
  }
});

t.test('commands that gathered behind a batch wait out the interval after its start', async (t) => {
  const { group, batches, answerAll } = recorder({ minIntervalMs: 200, leaveAtEvents: 16 });
  const first = group.submit(1, 1);
  const later = [group.submit(2, 1), group.submit(3, 1)];
  await answerAll();
  await first;
  await sleep(20);
  t.same(batches, [[1]], 'the two waiting have not left yet');
  await sleep(300);
  t.same(batches, [[1], [2, 3]], 'then they leave together');
  await answerAll();
  t.same(await Promise.all(later), [2, 3], 'each caller gets its own outcome');
  await group.drain();
});

t.test('enough waiting events leave without waiting for the interval', async (t) => {
  const { group, batches, answerAll } = recorder({ minIntervalMs: 10_000, leaveAtEvents: 4 });
  const first = group.submit(1, 1);
  const later = [group.submit(2, 1), group.submit(3, 1), group.submit(4, 2)];
  await answerAll();
  await first;
  t.same(batches, [[1], [2, 3, 4]], 'four events waited, so they left when the batch answered');
  await answerAll();
  t.same(await Promise.all(later), [2, 3, 4]);
  await group.drain();
});

t.test('no interval by default: the next batch leaves when the last is answered', async (t) => {
  const { group, batches, answerAll } = recorder({});
  const first = group.submit(1, 1);
  const second = group.submit(2, 1);
  t.same(batches, [[1]], 'the second waits for the batch in flight');
  await answerAll();
  t.same(batches, [[1], [2]]);
  await answerAll();
  t.same(await Promise.all([first, second]), [1, 2]);
});

t.test('the docs state the default that makes a batch leave before the interval', async (t) => {
  // README and ARCHITECTURE give the number to operators; they must move with the code.
  const root = new URL('../../', import.meta.url);
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const architecture = readFileSync(new URL('docs/ARCHITECTURE.md', root), 'utf8');
  const phrase = `fewer than ${DEFAULT_LEAVE_AT_EVENTS} events`;
  t.ok(readme.includes(phrase), `README says "${phrase}"`);
  t.ok(architecture.replace(/\s+/g, ' ').includes(phrase), `ARCHITECTURE says "${phrase}"`);
});
