import { DeadlineExceededError, NotLeaderError, UnavailableError } from '@eventstore/db-client';
import { EventStoreUnavailable } from '../port.js';

/**
 * Runs a read, turning the client's transport failures (server down, no answer in time, a
 * follower answering) into the port's EventStoreUnavailable, which readers retry. Only reads:
 * an append that timed out may still have been written, which is not a blip to retry blindly.
 */
export async function readOrUnavailable<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (
      error instanceof UnavailableError ||
      error instanceof DeadlineExceededError ||
      error instanceof NotLeaderError
    ) {
      throw new EventStoreUnavailable(`EventStoreDB unavailable: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}
