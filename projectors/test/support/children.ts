import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupOnKill } from '@techflow/platform/testing';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Child {
  readonly role: string;
  process: ChildProcess;
  /** The last lines it wrote, for a failing test's diagnostics. */
  readonly output: string[];
}

/** Starts `node --import tsx projectors/src/main.ts` with the given role and environment. */
export function spawnProjectors(role: 'relay' | 'projections', env: Record<string, string>): Child {
  const output: string[] = [];
  return { role, process: start(role, env, output), output };
}

function start(role: string, env: Record<string, string>, output: string[]): ChildProcess {
  const p = spawn(process.execPath, ['--import', 'tsx', 'projectors/src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, PROJECTORS_ROLE: role, PROJECTORS_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => {
    output.push(...d.toString().split('\n').filter(Boolean));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  p.stdout?.on('data', keep);
  p.stderr?.on('data', keep);
  // Killed by tap's timeout, the test would leave it running.
  const onKill = cleanupOnKill(async () => {
    p.kill('SIGKILL');
  });
  p.once('exit', () => onKill.forget());
  return p;
}

/** SIGKILL: no shutdown hook runs, nothing is flushed, as when a machine dies. */
export async function kill(child: Child): Promise<void> {
  const p = child.process;
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGKILL');
  await exited;
}

export function restart(child: Child, env: Record<string, string>): void {
  child.process = start(child.role, env, child.output);
}
