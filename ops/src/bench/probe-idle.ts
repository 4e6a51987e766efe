// Ad-hoc probe (not part of npm run bench): what the whole system costs doing nothing.
// IDLE_SECONDS=20 node --import tsx ops/src/bench/probe-idle.ts

import './closed-stdout.js';
import { createTestDatabase, createTestNats } from '@techflow/platform/testing';
import { buildBundles } from '../bundle.js';
import { cpuPercent, cpuSnapshot } from './cpu.js';
import { depositLoad, httpPool, seedTenant } from './http-load.js';
import { type Service, serviceEnv, startService } from './services.js';

const SECONDS = Number(process.env['IDLE_SECONDS'] ?? 20);

await buildBundles();
const db = await createTestDatabase('tf_probe');
const nats = createTestNats();
const env = serviceEnv(db.url, nats);
const services: Service[] = [];
try {
  for (const name of ['command-service', 'query-service', 'projectors'] as const)
    services.push(await startService(name, env));
  const commands = httpPool(services[0]!.url);
  const tenant = await seedTenant(commands, 20);
  await depositLoad(commands, tenant, 200, 8);
  await commands.close();
  await new Promise((r) => setTimeout(r, 3000));
  const pids = Object.fromEntries(services.map((s) => [s.name, s.child.pid!]));
  const c0 = cpuSnapshot(pids);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  console.log(JSON.stringify({ idleCpuPct: cpuPercent(c0, cpuSnapshot(pids), SECONDS) }));
} finally {
  for (const s of services.reverse()) await s.stop();
  await nats.cleanup();
  await db.drop();
}
