/**
 * Group commit: concurrent callers' commands share one statement and one commit. While a batch
 * is in flight the next one accumulates; it leaves once the first is answered, so under load
 * batches grow by themselves and when idle a lone command leaves at once, with no timer.
 * A second batch may overlap the first only once the queue holds a full batch: it then spends
 * its round trip while the first commits (the log-head lock orders them in the database).
 *
 * Between those two loads, a steady stream of commands would leave in batches of a few, each
 * paying a statement, a commit and a wake-up of every subscriber. So when several commands
 * wait, but fewer than `leaveAtEvents` events, they wait until `minIntervalMs` after the
 * previous batch started. A lone command never waits: not after a quiet spell, and not when
 * one caller sends its commands one after another. A busy system fills the batch first.
 */

/** Events that make a batch leave without waiting for minIntervalMs, unless told otherwise. */
export const DEFAULT_LEAVE_AT_EVENTS = 16;

export interface GroupCommitOptions {
  /** Events per batch; a command bigger than this travels alone. */
  readonly maxEvents?: number;
  readonly maxInFlight?: number;
  /**
   * Shortest interval between the starts of two batches of several commands and fewer than
   * leaveAtEvents events; default 0.
   */
  readonly minIntervalMs?: number;
  /** Events that make a batch leave without waiting for minIntervalMs; default DEFAULT_LEAVE_AT_EVENTS. */
  readonly leaveAtEvents?: number;
}

interface Pending<C, O> {
  readonly command: C;
  readonly events: number;
  readonly resolve: (outcome: O) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommit<C, O> {
  /** Resolves with this command's own outcome, once its batch has committed. */
  submit(command: C, events: number): Promise<O>;
  /** Resolves when nothing is queued or in flight. */
  drain(): Promise<void>;
}

/**
 * `run` takes commands in order and returns one outcome per command. If a batch of several
 * fails as a whole (one command's bad input fails the statement), each command is retried on
 * its own so the error reaches only its sender; a retry of a command that did commit is a
 * no-op because its event ids are already stored.
 */
export function createGroupCommit<C, O>(
  run: (commands: readonly C[]) => Promise<readonly O[]>,
  options: GroupCommitOptions = {},
): GroupCommit<C, O> {
  const maxEvents = options.maxEvents ?? 200;
  const maxInFlight = options.maxInFlight ?? 2;
  const minIntervalMs = options.minIntervalMs ?? 0;
  const leaveAtEvents = options.leaveAtEvents ?? DEFAULT_LEAVE_AT_EVENTS;
  const queue: Pending<C, O>[] = [];
  let queuedEvents = 0;
  let inFlight = 0;
  let idle: (() => void)[] = [];
  let lastStart = Number.NEGATIVE_INFINITY;
  let intervalTimer: NodeJS.Timeout | null = null;

  const take = () => {
    const batch: Pending<C, O>[] = [];
    let events = 0;
    while (queue.length > 0 && (batch.length === 0 || events + queue[0]!.events <= maxEvents)) {
      const next = queue.shift()!;
      events += next.events;
      batch.push(next);
    }
    queuedEvents -= events;
    return batch;
  };

  /**
   * `committed` runs once the batch's statement has answered, before its callers are: the next
   * batch leaves first, so its round trip overlaps the work of answering this one's requests
   * (answering ~25 HTTP requests first delayed it by milliseconds of event-loop work).
   */
  const settle = async (batch: readonly Pending<C, O>[], committed?: () => void) => {
    let outcomes: readonly O[];
    try {
      outcomes = await run(batch.map((p) => p.command));
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else await Promise.all(batch.map((p) => settle([p])));
      return;
    }
    const answer = () => {
      for (const [i, p] of batch.entries()) p.resolve(outcomes[i]!);
    };
    if (!committed) return answer();
    committed();
    // The pool hands the next batch its connection on a process tick: answer after it, so that
    // batch's statement is on the wire before this one's callers run.
    await new Promise<void>((done) =>
      process.nextTick(() => {
        answer();
        done();
      }),
    );
  };

  const pump = () => {
    if (inFlight === 0 && queue.length > 1 && queuedEvents < leaveAtEvents) {
      const wait = lastStart + minIntervalMs - performance.now();
      if (wait > 0) {
        intervalTimer ??= setTimeout(() => {
          intervalTimer = null;
          pump();
        }, wait);
        return;
      }
    }
    if (intervalTimer) {
      clearTimeout(intervalTimer);
      intervalTimer = null;
    }
    while (
      queue.length > 0 &&
      (inFlight === 0 || (inFlight < maxInFlight && queuedEvents >= maxEvents))
    ) {
      inFlight++;
      lastStart = performance.now();
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        inFlight--;
        pump();
      };
      void settle(take(), release).finally(() => {
        release();
        if (inFlight === 0 && queue.length === 0) {
          for (const resolve of idle) resolve();
          idle = [];
        }
      });
    }
  };

  return {
    submit(command, events) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ command, events, resolve, reject });
        queuedEvents += events;
        pump();
      });
    },
    drain() {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
}
