/**
 * How one environment variable's text becomes a setting, the same for config.ts and for the
 * few variables a single process reads itself. Strict on purpose: TypeBox's Value.Convert read
 * `1e3` as 1, `8080.5` as 8080, `0x50` as 80 and `true` as 1 (`Number()` reads `0x50` and
 * ` 80` as 80 too), so a typo started a service with a port or a timeout nobody wrote. Every
 * message names the variable; a URL's text never appears in one, since it may hold a password.
 */

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Node's timers take at most this; a longer delay fires after 1 ms (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2_147_483_647;

export interface WholeNumberSpec {
  readonly minimum: number;
  /** Every setting has one: no unbounded number reaches a timer, a pool or a buffer. */
  readonly maximum: number;
  /** What is counted, for messages: `milliseconds`, `seconds`. */
  readonly unit?: string;
}

// No sign, exponent, hex, fraction or whitespace: none of our numbers is negative.
const DECIMAL_DIGITS = /^[0-9]+$/;

/** Why `raw` is not a valid value for `name`, or undefined when `Number(raw)` is. */
export function wholeNumberProblem(
  name: string,
  raw: string,
  spec: WholeNumberSpec,
): string | undefined {
  const expected = `${name}: expected a whole number${spec.unit ? ` of ${spec.unit}` : ''} from ${spec.minimum} to ${spec.maximum}`;
  if (!DECIMAL_DIGITS.test(raw)) return `${expected} (decimal digits), got '${raw}'`;
  // Every maximum is a safe integer, so a longer run of digits fails here, never rounds.
  const value = Number(raw);
  if (value < spec.minimum || value > spec.maximum) return `${expected}, got ${raw}`;
  return undefined;
}

export interface UrlSpec {
  /** With their colon, as `URL.protocol` has them: `postgres:`. */
  readonly schemes: readonly string[];
  /** The shape expected, shown in messages. */
  readonly example: string;
  /** Several URLs, comma-separated (NATS's server list, as connectNats splits it). */
  readonly urlList?: boolean;
  /** Several hosts, comma-separated, in one URL (EventStoreDB's gossip seeds). */
  readonly hostList?: boolean;
  /** The client has no use for a URL without a host (`nats:x` parses, with none). */
  readonly hostRequired?: boolean;
}

const tryUrl = (text: string): URL | undefined => {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
};

const SCHEME_AUTHORITY_REST = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/s;

/**
 * `text` as URLs, one per host: `new URL` refuses `esdb://a:2113,b:2113` (the comma makes the
 * port invalid), so each host is put back alone into the rest of the URL.
 */
function urlsOf(text: string, hostList: boolean): (URL | undefined)[] {
  const parts = hostList ? SCHEME_AUTHORITY_REST.exec(text) : null;
  if (!parts) return [tryUrl(text)];
  const [, scheme = '', authority = '', rest = ''] = parts;
  const userinfo = authority.slice(0, authority.lastIndexOf('@') + 1);
  return authority
    .slice(userinfo.length)
    .split(',')
    .map((host) => tryUrl(`${scheme}${userinfo}${host}${rest}`));
}

/** Why `raw` is not a valid value for `name`, or undefined. Never quotes `raw`. */
export function urlProblem(name: string, raw: string, spec: UrlSpec): string | undefined {
  const expected = `${name}: expected ${spec.urlList ? 'comma-separated URLs' : 'a URL'} like ${spec.example} (${spec.schemes.join(' or ')})`;
  const texts = spec.urlList ? raw.split(',').map((s) => s.trim()) : [raw];
  for (const url of texts.flatMap((text) => urlsOf(text, spec.hostList ?? false))) {
    if (url === undefined) return `${expected}; the value does not parse as a URL`;
    if (!spec.schemes.includes(url.protocol)) return `${expected}, got ${url.protocol}`;
    if (spec.hostRequired && url.hostname === '') return `${expected}; the value names no host`;
  }
  return undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `name` as a whole number, the spec's default when unset or empty; throws ConfigError. */
export function readWholeNumber(
  env: Env,
  name: string,
  spec: WholeNumberSpec & { readonly default: number },
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return spec.default;
  const problem = wholeNumberProblem(name, raw, spec);
  if (problem !== undefined) throw new ConfigError(`invalid configuration: ${problem}`);
  return Number(raw);
}

/** `name` as a URL of one of the spec's schemes, its default when unset or empty; throws ConfigError. */
export function readUrl(
  env: Env,
  name: string,
  spec: UrlSpec & { readonly default: string },
): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return spec.default;
  const problem = urlProblem(name, raw, spec);
  if (problem !== undefined) throw new ConfigError(`invalid configuration: ${problem}`);
  return raw;
}
