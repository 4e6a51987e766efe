import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds a process has used (user + system, all threads); 0 once it has exited. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of every process whose command line matches `pattern` (pgrep -f). */
export const cpuSecondsMatching = (pattern: string): number =>
  pidsMatching(pattern).reduce((sum, pid) => sum + cpuSecondsOf(pid), 0);

/** CPU seconds so far of each named process, the shared servers and this load client. */
export function cpuSnapshot(processes: Record<string, number>): Record<string, number> {
  const own = process.cpuUsage();
  return {
    ...Object.fromEntries(
      Object.entries(processes).map(([name, pid]) => [name, cpuSecondsOf(pid)]),
    ),
    postgres: cpuSecondsMatching('postgres'),
    redis: cpuSecondsMatching('redis-server'),
    nats: cpuSecondsMatching('nats-server'),
    client: (own.user + own.system) / 1e6,
  };
}

/** Percent of one core each used between two snapshots `seconds` apart. */
export function cpuPercent(
  before: Record<string, number>,
  after: Record<string, number>,
  seconds: number,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([k, v]) => [
      k,
      Math.round(((v - (before[k] ?? 0)) / seconds) * 100),
    ]),
  );
}

/**
 * The whole machine's CPU time so far, in clock ticks: busy (not idle or iowait; steal
 * included), steal alone, and total.
 */
export function machineTicks(): { busy: number; steal: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number) as [number, number, number, number, number, number, number, number];
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, steal, total: busy + idle + iowait };
}

/** Percent of all cores busy between two machineTicks() readings (100 = every core). */
export const machineBusyPercent = (
  before: ReturnType<typeof machineTicks>,
  after: ReturnType<typeof machineTicks>,
): number => Math.round((100 * (after.busy - before.busy)) / (after.total - before.total || 1));

/**
 * Of all cores' time between two readings, the percent the hypervisor gave to other guests
 * (steal; counted in machineBusyPercent too), so a sweep line shows when the host, not the
 * system, took the cores. Usually near zero here (0.1% under a two-core CPU loop), but the
 * counter grew by ~47 s in one afternoon of benchmarks.
 */
export const machineStealPercent = (
  before: ReturnType<typeof machineTicks>,
  after: ReturnType<typeof machineTicks>,
): number => Math.round((100 * (after.steal - before.steal)) / (after.total - before.total || 1));

/**
 * Nanoseconds the threads of these processes have run and have waited runnable for a core
 * (/proc/<pid>/task/<tid>/schedstat). Waiting that rivals running means the cores, not the
 * code, set the latency.
 */
export function schedNanos(pids: readonly number[]): { run: number; wait: number } {
  let run = 0;
  let wait = 0;
  forEachThread(pids, (dir) => {
    const [r, w] = readFileSync(`${dir}/schedstat`, 'utf8').split(' ');
    run += Number(r);
    wait += Number(w);
  });
  return { run, wait };
}

/** Calls `visit` with the /proc directory of each thread of these processes still alive. */
function forEachThread(pids: readonly number[], visit: (dir: string) => void): void {
  for (const pid of pids) {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        visit(`/proc/${pid}/task/${tid}`);
      } catch {
        // the thread ended
      }
    }
  }
}

export interface ThreadUse {
  /** Nanoseconds on a core (schedstat). */
  readonly runNs: number;
  /** Context switches, voluntary (it slept) and not (it was preempted). */
  readonly voluntary: number;
  readonly involuntary: number;
}

/**
 * Each thread's use so far, keyed `<label>/<thread name>` and summed over threads of one
 * name (a libuv pool, V8's workers, Postgres backends), so two readings say which threads
 * wake and how often.
 */
export function threadUse(processes: Record<string, readonly number[]>): Map<string, ThreadUse> {
  const out = new Map<string, ThreadUse>();
  for (const [label, pids] of Object.entries(processes)) {
    forEachThread(pids, (dir) => {
      const status = readFileSync(`${dir}/status`, 'utf8');
      const name = /^Name:\s*(.*)$/m.exec(status)?.[1] ?? '?';
      const count = (field: string) =>
        Number(new RegExp(`^${field}:\\s*(\\d+)`, 'm').exec(status)?.[1] ?? 0);
      const runNs = Number(readFileSync(`${dir}/schedstat`, 'utf8').split(' ')[0]);
      const key = `${label}/${name}`;
      const prev = out.get(key);
      out.set(key, {
        runNs: (prev?.runNs ?? 0) + runNs,
        voluntary: (prev?.voluntary ?? 0) + count('voluntary_ctxt_switches'),
        involuntary: (prev?.involuntary ?? 0) + count('nonvoluntary_ctxt_switches'),
      });
    });
  }
  return out;
}

/** Pids of every process whose command line matches `pattern` (pgrep -f). */
export function pidsMatching(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
