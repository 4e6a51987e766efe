/**
 * What a decider may not make up itself: the current instant and fresh ids.
 * Services pass the real clock and crypto; tests pass fixed values.
 */
export interface DecideContext {
  /** ISO-8601 instant at which the command is decided. */
  readonly now: string;
  /** Returns a fresh UUID on each call. */
  readonly newId: () => string;
}
