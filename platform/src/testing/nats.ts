import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { cleanupOnKill } from './cleanup-on-kill.js';

export const TEST_NATS_URL = process.env['TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

export interface TestNats {
  readonly url: string;
  /** A JetStream stream name nobody else uses. */
  readonly stream: string;
  /** A subject prefix nobody else uses, so streams never overlap. */
  readonly subjectPrefix: string;
  /** Deletes the stream (and with it its consumers) if it was created. */
  cleanup(): Promise<void>;
}

/** Names for a test's own JetStream stream; the code under test creates it. */
export function createTestNats(): TestNats {
  const id = `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
  const stream = `TFTEST_${id}`;
  const cleanup = async () => {
    const nc = await connect({ servers: TEST_NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(stream).catch(() => undefined);
    } finally {
      await nc.close();
    }
  };
  const onKill = cleanupOnKill(cleanup);
  return {
    url: TEST_NATS_URL,
    stream,
    subjectPrefix: `tftest_${id}`,
    async cleanup() {
      await cleanup();
      onKill.forget();
    },
  };
}
