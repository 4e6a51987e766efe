import { request } from 'undici';

export interface Upstream {
  /** The name problems, logs and /ready use; the projectors are only asked for /ready. */
  readonly name: 'command' | 'query' | 'projectors';
  readonly url: string;
}

/** ok with `degraded`: ready, with the optional dependencies its own /ready names. */
export type Readiness = { ok: true; degraded: readonly string[] } | { ok: false; reason: string };

/** The gateway asks an upstream at most this long: /ready must answer before a prober gives up. */
const PROBE_TIMEOUT_MS = 2000;

/** GET `path` on the upstream and parse its JSON body; rejects with a readable reason. */
export async function getJson(upstream: Upstream, path: string): Promise<unknown> {
  const res = await request(new URL(path, upstream.url), {
    method: 'GET',
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`GET ${path} answered ${res.statusCode}`);
  }
  return res.body.json();
}

/** An upstream is ready when its own /ready says 200 (its dependencies are reachable). */
export async function probeReady(upstream: Upstream): Promise<Readiness> {
  try {
    const res = await request(new URL('/ready', upstream.url), {
      method: 'GET',
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    const body = await res.body.text();
    if (res.statusCode === 200) return { ok: true, degraded: degradedOf(body) };
    return { ok: false, reason: `/ready answered ${res.statusCode}: ${body.slice(0, 300)}` };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

function degradedOf(body: string): readonly string[] {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || !('degraded' in parsed)) return [];
    const { degraded } = parsed;
    return Array.isArray(degraded) ? degraded.filter((d) => typeof d === 'string') : [];
  } catch {
    return [];
  }
}
