// The benchmark's arithmetic: a wrong percentile or a misfiled second would misreport every
// latency figure in docs/PERFORMANCE.md without any run failing.
import t from 'tap';
import { medianRound, pairedRounds, percentile, perSecond } from '../src/bench/stats.js';

t.test('percentile is the nearest rank of a sorted list', async (t) => {
  const ms = Array.from({ length: 100 }, (_, i) => i + 1);
  t.equal(percentile(ms, 50), 50);
  t.equal(percentile(ms, 99), 99);
  t.equal(percentile(ms, 100), 100);
  t.equal(percentile([7], 99), 7);
  t.ok(Number.isNaN(percentile([], 50)));
});

t.test('perSecond files each row under the second it was sent in', async (t) => {
  const timeline = [
    [10, 1, 30],
    [999, 2, 10],
    [1000, 3, 5],
    [1500, 4, 50],
    [3200, 5, 7],
  ];
  // Second 2 had nothing sent: it reads 0 rather than shifting later seconds left.
  t.same(perSecond(timeline, 2, 100), [30, 50, 0, 7]);
  t.same(perSecond(timeline, 1, 50), [1, 3, 0, 5]);
  t.same(perSecond([], 1, 99), []);
});

t.test('paired rounds are ordered by ratio and the median is the middle one', async (t) => {
  const ceilings = [100, 100, 100];
  const figures = [120, 80, 100];
  let c = 0;
  let f = 0;
  const summary = (perSecond: number) => ({ count: 1, perSecond, p50: 1, p99: 1, max: 1 });
  const rounds = await pairedRounds(
    3,
    async () => summary(ceilings[c++]!),
    async () => summary(figures[f++]!),
  );
  t.same(
    rounds.map((r) => r.ratio),
    [0.8, 1, 1.2],
  );
  t.equal(medianRound(rounds).ratio, 1);
  t.equal(medianRound([1, 2, 3, 4]), 2, 'the lower middle of an even count');
});
