import { type ChildProcess, spawn } from 'node:child_process';
import { isStartUpMessage } from '../http/start-up.js';
import { cleanupOnKill } from './cleanup-on-kill.js';

export interface ServiceProcess {
  readonly pid: number;
  /** The port it bound, as it told its parent (runService). */
  readonly port: number;
  readonly origin: string;
  /** Its output lines so far. */
  readonly output: readonly string[];
  /** SIGTERM, then SIGKILL after 10 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Runs a service's main.ts from source (`node --import tsx`) as docker-compose would run its
 * bundle, with an IPC channel it reports its port on; resolves once it listens, rejects with
 * its output if it exits first or takes over `timeoutMs`.
 */
export function startServiceProcess(
  entry: string,
  env: Record<string, string>,
  { timeoutMs = 60_000 } = {},
): Promise<ServiceProcess> {
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const keep = (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // Killed by tap's timeout, the test would leave it running.
  const onKill = cleanupOnKill(async () => {
    child.kill('SIGKILL');
  });
  void exited.then(() => onKill.forget());
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${entry} not listening after ${timeoutMs} ms:\n${output.join('\n')}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited (${code}) before listening:\n${output.join('\n')}`));
    });
    child.on('message', (message) => {
      if (!isStartUpMessage(message) || message.type !== 'techflow:listening') return;
      clearTimeout(timer);
      resolve({
        pid: child.pid ?? 0,
        port: message.port,
        origin: `http://127.0.0.1:${message.port}`,
        output,
        stop,
      });
    });
  });
}
