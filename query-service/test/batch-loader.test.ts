import t from 'tap';
import { createBatchLoader } from '../src/read-models/batch-loader.js';

/** A fetch that records each call and answers `value:<key>` for keys not starting with "-". */
const recordingFetch = () => {
  const calls: Array<{ scope: string; keys: string[] }> = [];
  const fetch = async (scope: string, keys: readonly string[]) => {
    calls.push({ scope, keys: [...keys] });
    return new Map(keys.filter((k) => !k.startsWith('-')).map((k) => [k, `${scope}/${k}`]));
  };
  return { calls, fetch };
};

t.test('lookups of one turn share one fetch per scope, each answered its own value', async (t) => {
  const { calls, fetch } = recordingFetch();
  const loader = createBatchLoader(fetch);
  const answers = await Promise.all([
    loader.load('a', '1'),
    loader.load('b', '1'),
    loader.load('a', '2'),
    loader.load('a', '-missing'),
    loader.load('a', '1'),
  ]);
  t.strictSame(answers, ['a/1', 'b/1', 'a/2', undefined, 'a/1']);
  t.strictSame(
    calls.sort((x, y) => x.scope.localeCompare(y.scope)),
    [
      { scope: 'a', keys: ['1', '2', '-missing'] },
      { scope: 'b', keys: ['1'] },
    ],
    'a key asked twice is fetched once; scopes never share a fetch',
  );
});

t.test(
  'a later turn is a new fetch; a lone lookup is answered without waiting for more',
  async (t) => {
    const { calls, fetch } = recordingFetch();
    const loader = createBatchLoader(fetch);
    t.equal(await loader.load('a', '1'), 'a/1');
    t.equal(await loader.load('a', '2'), 'a/2');
    t.equal(calls.length, 2);
  },
);

t.test(
  'requests released in one callback, as reads parked on a checkpoint are, share a fetch',
  async (t) => {
    const { calls, fetch } = recordingFetch();
    const loader = createBatchLoader(fetch);
    let release!: () => void;
    const checkpoint = new Promise<void>((r) => {
      release = r;
    });
    // Each read first awaits the checkpoint, then goes through a few awaits of its own.
    const read = async (key: string) => {
      await checkpoint;
      await Promise.resolve();
      await Promise.resolve();
      return loader.load('a', key);
    };
    const reads = ['1', '2', '3'].map(read);
    setTimeout(release, 5);
    t.strictSame(await Promise.all(reads), ['a/1', 'a/2', 'a/3']);
    t.equal(calls.length, 1);
  },
);

t.test('a turn larger than maxBatch is split', async (t) => {
  const { calls, fetch } = recordingFetch();
  const loader = createBatchLoader(fetch, { maxBatch: 2 });
  const keys = ['1', '2', '3', '4', '5'];
  t.strictSame(
    await Promise.all(keys.map((k) => loader.load('a', k))),
    keys.map((k) => `a/${k}`),
  );
  t.strictSame(
    calls.map((c) => c.keys),
    [['1', '2'], ['3', '4'], ['5']],
  );
});

t.test("a failed fetch fails exactly its own batch's lookups", async (t) => {
  const loader = createBatchLoader<string>(async (scope, keys) => {
    if (scope === 'broken') throw new Error('connection lost');
    return new Map(keys.map((k) => [k, k]));
  });
  const [broken, fine] = await Promise.allSettled([
    loader.load('broken', '1'),
    loader.load('fine', '1'),
  ]);
  t.equal(broken.status, 'rejected');
  t.match(broken.status === 'rejected' ? broken.reason : undefined, { message: 'connection lost' });
  t.strictSame(fine, { status: 'fulfilled', value: '1' });
  t.equal(await loader.load('broken2', 'x'), 'x', 'the loader goes on after a failure');
});

t.test('a fetch that throws rather than rejects fails its lookups, not the process', async (t) => {
  const loader = createBatchLoader<string>((scope) => {
    if (scope === 'broken') throw new Error('bad statement');
    return Promise.resolve(new Map([['1', 'one']]));
  });
  const [broken, fine] = await Promise.allSettled([
    loader.load('broken', '1'),
    loader.load('fine', '1'),
  ]);
  t.match(broken, { status: 'rejected', reason: { message: 'bad statement' } });
  t.strictSame(fine, { status: 'fulfilled', value: 'one' });
});
