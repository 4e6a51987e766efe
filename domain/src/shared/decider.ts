import type { DecideContext } from './context.js';
import type { DomainEvent } from './event.js';

/**
 * An aggregate as plain functions over data (Emmett's decider): the command handler reads the
 * stream with `evolve` from `initialState()`, calls `decide`, and appends what it returns.
 * An empty array means "already done": the handler appends nothing and still succeeds.
 */
export interface Decider<Command, Event extends DomainEvent, State> {
  /** Stream category: streams are `<category>-<tenantId>:<id>`. */
  readonly category: string;
  /** Throws a DomainError when a rule forbids the command; never does I/O. */
  readonly decide: (command: Command, state: State, ctx: DecideContext) => Event[];
  /** Total over stored history: must not throw, whatever the event and state. */
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: () => State;
}
