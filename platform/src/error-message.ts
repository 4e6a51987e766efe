/**
 * An error's message for a log line: Node's AggregateError (every address of a host refused)
 * has none of its own, only the ones it gathers; a bare code stands in for an empty message.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    return error.errors.map(errorMessage).join('; ');
  }
  if (error instanceof Error) {
    return error.message || ('code' in error ? String(error.code) : error.name);
  }
  return String(error);
}
