import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupOnKill, createTestRedisKeys } from '@techflow/platform/testing';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface RunningSystem {
  readonly origin: string;
  readonly supervisor: ChildProcess;
  /** Every process `npm start` started: the supervisor and its children. */
  pids(): number[];
  /** SIGTERM and wait: the graceful path. Resolves to npm start's exit status. */
  stop(): Promise<number | null>;
  /**
   * SIGKILL every process at once: no handler runs, nothing is flushed. `tree` is pids()
   * listed beforehand: listing runs pgrep per process, long enough for the requests in flight
   * to be answered before the first signal.
   */
  killAll(tree?: readonly number[]): Promise<void>;
}

/**
 * Runs `npm start` with `env` and waits for its ready line. Its rate-limit counters are under
 * a REDIS_KEY_PREFIX of its own (unless `env` names one), deleted once it has stopped.
 */
export async function startSystem(env: Record<string, string>): Promise<RunningSystem> {
  const redisKeys = createTestRedisKeys();
  const supervisor = spawn('npm', ['start'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      COMMAND_PORT: '0',
      QUERY_PORT: '0',
      PROJECTORS_PORT: '0',
      // The supervisor's ready line is an info line.
      LOG_LEVEL: 'info',
      REDIS_KEY_PREFIX: redisKeys.prefix,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`system not ready in 120 s:\n${output}`)),
      120_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split('\n')) {
        if (!line.includes('"ready"') || !line.includes('origin')) continue;
        try {
          const parsed = JSON.parse(line) as { msg?: string; origin?: string };
          if (parsed.msg === 'ready' && parsed.origin) {
            clearTimeout(timer);
            // From here on the output is only drained (request logs), not kept.
            supervisor.stdout?.off('data', onData);
            supervisor.stdout?.resume();
            resolve(parsed.origin);
          }
        } catch {
          // a partial line; wait for the rest
        }
      }
    };
    supervisor.stdout?.on('data', onData);
    supervisor.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    supervisor.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`supervisor exited with ${code} before ready:\n${output}`));
    });
  });
  const exited = new Promise<void>((r) => {
    if (supervisor.exitCode !== null) r();
    else supervisor.once('exit', () => r());
  });
  const childrenOf = (pid: number): number[] => {
    try {
      const out = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
      return out.split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  // npm, the supervisor it runs, and the services: the whole tree.
  const pids = () => {
    const list = [supervisor.pid!];
    for (let i = 0; i < list.length; i++) list.push(...childrenOf(list[i]!));
    return list;
  };
  const gone = async (all: number[]) => {
    for (const pid of all) {
      for (let i = 0; i < 300; i++) {
        try {
          process.kill(pid, 0);
          await new Promise((r) => setTimeout(r, 50));
        } catch {
          break;
        }
      }
    }
    return all.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
  };
  // Killed by tap's timeout, the test would leave the whole tree running.
  const onKill = cleanupOnKill(async () => {
    for (const pid of pids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  void exited.then(() => onKill.forget());
  // Once the whole tree is gone: a service still running could write a key after it.
  const forget = async (left: number[]) => {
    if (left.length === 0) await redisKeys.cleanup();
  };
  return {
    origin,
    supervisor,
    pids,
    async stop() {
      const all = pids();
      // What an orchestrator or `timeout npm start` does: SIGTERM to npm alone.
      if (supervisor.exitCode === null) supervisor.kill('SIGTERM');
      await exited;
      const left = await gone(all);
      await forget(left);
      if (left.length > 0) {
        for (const pid of left) process.kill(pid, 'SIGKILL');
        throw new Error(`SIGTERM to npm start left processes running: ${left.join(', ')}`);
      }
      return supervisor.exitCode;
    },
    async killAll(tree) {
      const all = tree ? [...tree] : pids();
      for (const pid of all) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await exited;
      // Wait until the children are gone too, so their ports and connections are released.
      await forget(await gone(all.slice(1)));
    },
  };
}

/** A JSON line `npm start` or one of its processes wrote. */
export interface LogLine {
  readonly name?: string;
  readonly level?: number;
  readonly msg?: string;
}

export interface FinishedStart {
  readonly code: number | null;
  /** Everything written, for a failing test's comment. */
  readonly output: string;
  readonly lines: LogLine[];
}

/**
 * `npm start` with `env` over the test's own, run until it exits by itself (a start that must
 * fail); SIGKILLed after `limitMs` if it does not.
 */
export async function runStartToExit(
  env: Record<string, string>,
  limitMs: number,
): Promise<FinishedStart> {
  const supervisor = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => {
    output += d.toString();
  };
  supervisor.stdout.on('data', keep);
  supervisor.stderr.on('data', keep);
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => supervisor.kill('SIGKILL'), limitMs);
    supervisor.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  const lines = output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
  return { code, output, lines };
}
