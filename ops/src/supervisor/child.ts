import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { isStartUpMessage } from '@techflow/platform/http';
import type { Logger } from 'pino';

export interface RestartPolicy {
  /** More crashes than this inside `windowMs` and the child is given up on. */
  readonly maxCrashes: number;
  readonly windowMs: number;
  /** Backoff doubles from `baseDelayMs` per crash in the window, capped at `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Five crashes in a minute is a crash loop (a bad config, a dependency that stays down). */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  maxCrashes: 5,
  windowMs: 60_000,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
};

export interface ChildOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  /** Called once, when the child keeps dying; the supervisor then stops everything. */
  readonly onGiveUp: (error: Error) => void;
  readonly policy?: RestartPolicy;
}

/** How a stop ended: everything finished, or something open was cut. */
export type StopOutcome = 'clean' | 'cut';

const isAlive = (child: ChildProcess): boolean =>
  child.exitCode === null && child.signalCode === null;

/**
 * One service process: started, restarted with backoff when it dies unasked after it was
 * ready, stopped on request. Before it is ready, dying is a start-up failure: restarting
 * would only repeat it (a port taken, a bad config), so the failure is kept for the caller.
 */
export class SupervisedChild {
  readonly #options: ChildOptions;
  readonly #policy: RestartPolicy;
  #process: ChildProcess | undefined;
  #stopping = false;
  #ready = false;
  #crashes: number[] = [];
  #restartTimer: NodeJS.Timeout | undefined;
  #failure: Error | undefined;
  /** What the current process said over IPC: the port it bound, or why it could not start. */
  #listeningOn: number | undefined;
  #startFailure: string | undefined;

  constructor(options: ChildOptions) {
    this.#options = options;
    this.#policy = options.policy ?? DEFAULT_RESTART_POLICY;
  }

  get name(): string {
    return this.#options.name;
  }

  /** Set once the child has been given up on, or died before it was ready. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * The port the current process says it bound (runService tells its parent): only then is
   * what answers there this child, not whatever else holds the port.
   */
  get listeningOn(): number | undefined {
    return this.#listeningOn;
  }

  /** From here on a death is a crash to restart from, not a failed start. */
  markReady(): void {
    this.#ready = true;
  }

  start(): void {
    const { command, args, cwd, env, log, name } = this.#options;
    // Own process group: a terminal's Ctrl-C reaches the supervisor alone, which stops the
    // children itself after the gateway (see child-guard.ts for the other half).
    const child = spawn(command, [...args], {
      cwd,
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    this.#process = child;
    this.#listeningOn = undefined;
    this.#startFailure = undefined;
    log.info({ service: name, childPid: child.pid }, 'service started');
    child.on('message', (message) => {
      if (this.#process !== child || !isStartUpMessage(message)) return;
      if (message.type === 'techflow:listening') this.#listeningOn = message.port;
      else this.#startFailure = message.message;
    });
    child.once('error', (err) => this.#exited(child, null, null, err));
    // 'close', not 'exit': it waits for the IPC channel too, so a message the child sent just
    // before exiting (why it could not start) has arrived.
    child.once('close', (code, signal) => this.#exited(child, code, signal));
  }

  #exited(child: ChildProcess, code: number | null, signal: string | null, err?: Error): void {
    if (this.#process !== child || this.#stopping) return;
    this.#process = undefined;
    const { log, name } = this.#options;
    const now = Date.now();
    this.#crashes = [...this.#crashes.filter((t) => now - t < this.#policy.windowMs), now];
    const crashes = this.#crashes.length;
    const reason = err ? err.message : signal ? `signal ${signal}` : `exit code ${code}`;
    if (!this.#ready) {
      // Its own fatal line, sent over IPC too, says why: the port taken, Postgres unreachable.
      const why = this.#startFailure ?? 'it said nothing; see its output above';
      this.#failure = new Error(`${name} exited before it was ready (${reason}): ${why}`);
      return;
    }
    if (crashes > this.#policy.maxCrashes) {
      this.#failure = new Error(
        `${name} died ${crashes} times within ${this.#policy.windowMs / 1000} s (last: ${reason}); giving up`,
      );
      log.fatal({ service: name, code, signal }, this.#failure.message);
      this.#options.onGiveUp(this.#failure);
      return;
    }
    const delayMs = Math.min(
      this.#policy.baseDelayMs * 2 ** (crashes - 1),
      this.#policy.maxDelayMs,
    );
    log.error(
      { service: name, code, signal, restartInMs: delayMs, crashesInWindow: crashes },
      `${name} died unexpectedly (${reason}); restarting`,
    );
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (!this.#stopping) this.start();
    }, delayMs);
  }

  /**
   * SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited: `clean` when
   * it exited 0 (or was not running), `cut` when it was killed or exited otherwise (a service
   * exits 1 when its own grace period cut requests).
   */
  async stop(graceMs: number): Promise<StopOutcome> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const child = this.#process;
    if (!child || !isAlive(child)) return 'clean';
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.#options.log.warn({ service: this.name, graceMs }, 'service did not stop; SIGKILL');
      child.kill('SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
    this.#options.log.info(
      { service: this.name, code: child.exitCode, signal: child.signalCode },
      'service stopped',
    );
    return child.exitCode === 0 ? 'clean' : 'cut';
  }

  /** Synchronous last resort, for the supervisor's own exit path. */
  killNow(): void {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    if (this.#process && isAlive(this.#process)) this.#process.kill('SIGKILL');
  }
}
