import { KindGuard, type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { listenHostProblem, trustedPeersProblem } from './config-addresses.js';
import {
  ConfigError,
  MAX_TIMER_MS,
  type UrlSpec,
  urlProblem,
  type WholeNumberSpec,
  wholeNumberProblem,
} from './config-values.js';

/** A whole number from the environment; `unit` names what it counts in messages. */
const Whole = (options: WholeNumberSpec & { readonly default: number }) => Type.Integer(options);

/** Milliseconds that reach setTimeout or setInterval: past MAX_TIMER_MS Node fires after 1 ms. */
const Milliseconds = (options: Omit<WholeNumberSpec, 'unit'> & { readonly default: number }) => {
  if (options.maximum > MAX_TIMER_MS)
    throw new RangeError(`${options.maximum} ms overflows a timer`);
  return Whole({ ...options, unit: 'milliseconds' });
};

/** A URL setting; `url` is checked by urlProblem (config-values.ts). */
const Url = (url: UrlSpec, options: { readonly default?: string } = {}) =>
  Type.String({ ...options, url });

const PORT = { minimum: 0, maximum: 65535 } as const;
const PER_MINUTE = { minimum: 1, maximum: 1_000_000_000, unit: 'requests a minute' } as const;

/** A TRUST_PROXY-style list, checked by trustedPeersProblem (config-addresses.ts). */
const TrustedPeers = (options: { readonly default: string; readonly keepEmpty?: boolean }) =>
  Type.String({ ...options, trustedPeers: true });

/**
 * Every setting comes from the environment, is validated at start, and has a default that
 * works on a developer machine with the local Postgres, NATS and Redis.
 */
export const ConfigSchema = Type.Object({
  NODE_ENV: Type.String({ default: 'development' }),
  /** An IP address or localhost, checked by listenHostProblem (config-addresses.ts). */
  HOST: Type.String({ default: '127.0.0.1', listenHost: true }),
  /** The one origin: gateway serving the UI and routing writes/reads. */
  PORT: Whole({ ...PORT, default: 8080 }),
  COMMAND_PORT: Whole({ ...PORT, default: 8081 }),
  QUERY_PORT: Whole({ ...PORT, default: 8082 }),
  PROJECTORS_PORT: Whole({ ...PORT, default: 8083 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  // No host required: `postgresql:///techflow?host=/var/run/postgresql` is a Unix socket.
  DATABASE_URL: Url(
    { schemes: ['postgres:', 'postgresql:'], example: 'postgres://user@host:5432/database' },
    { default: 'postgres://postgres@127.0.0.1:5432/techflow' },
  ),
  PG_POOL_SIZE: Whole({ minimum: 1, maximum: 100, unit: 'connections', default: 10 }),
  /**
   * How long a service starting waits for Postgres to answer before it exits 1 naming it: in
   * a compose start Postgres may come up seconds after the services.
   */
  POSTGRES_WAIT_MS: Milliseconds({ minimum: 0, maximum: 600_000, default: 30_000 }),
  EVENT_STORE: Type.Union([Type.Literal('postgres'), Type.Literal('eventstoredb')], {
    default: 'postgres',
  }),
  /** Required with EVENT_STORE=eventstoredb (loadConfig); several gossip seeds are comma-separated. */
  EVENTSTORE_URL: Type.Optional(
    Url({
      schemes: ['esdb:', 'esdb+discover:'],
      example: 'esdb://host:2113?tls=false',
      hostList: true,
      hostRequired: true,
    }),
  ),
  /**
   * Group commit: several commands waiting, with fewer than DEFAULT_LEAVE_AT_EVENTS events
   * (group-commit.ts), leave no sooner than this after the previous batch started (0: never).
   * A lone command never waits.
   */
  APPEND_BATCH_INTERVAL_MS: Milliseconds({ minimum: 0, maximum: 100, default: 8 }),
  /**
   * Servers, comma-separated (connectNats). nats: only: the Node client ignores the scheme,
   * so tls:// would not force TLS (it is used whenever the server offers it, nats:// or not),
   * and it refuses ws:// and wss:// (WebSocket is wsconnect, another transport).
   */
  NATS_URL: Url(
    { schemes: ['nats:'], example: 'nats://host:4222', urlList: true, hostRequired: true },
    { default: 'nats://127.0.0.1:4222' },
  ),
  /** JetStream stream holding every event; subjects are `<prefix>.<tenant>.<category>.<type>`. */
  NATS_STREAM: Type.String({ pattern: '^[A-Za-z0-9_-]+$', default: 'TECHFLOW' }),
  NATS_SUBJECT_PREFIX: Type.String({ pattern: '^[A-Za-z0-9_-]+$', default: 'techflow' }),
  /**
   * Starts every Redis key the system writes (the rate-limit counters): two systems sharing
   * one Redis (a second `npm start` with another PORT) would otherwise count each other's
   * requests, per address and per user.
   */
  REDIS_KEY_PREFIX: Type.String({ default: 'techflow:', pattern: '^[A-Za-z0-9_.:-]{1,64}$' }),
  REDIS_URL: Type.Optional(
    Url(
      { schemes: ['redis:', 'rediss:'], example: 'redis://host:6379', hostRequired: true },
      { default: 'redis://127.0.0.1:6379' },
    ),
  ),
  // A billion a minute is far past what one instance serves: the benchmark's "no limit" is 1e8.
  RATE_LIMIT_PER_USER_PER_MINUTE: Whole({ ...PER_MINUTE, default: 60_000 }),
  RATE_LIMIT_PER_TENANT_PER_MINUTE: Whole({ ...PER_MINUTE, default: 300_000 }),
  /** Missing or invalid tokens per client address; past it they get 429, valid ones still pass. */
  AUTH_FAILURES_PER_IP_PER_MINUTE: Whole({ ...PER_MINUTE, default: 120 }),
  /** A day at most: an access token cannot be revoked before it expires. */
  ACCESS_TOKEN_TTL_SECONDS: Whole({ minimum: 30, maximum: 86_400, unit: 'seconds', default: 900 }),
  /**
   * A year at most. It becomes an expiry date (refresh-tokens.ts), never a timer, so its
   * milliseconds may pass MAX_TIMER_MS (the default, 30 days, does).
   */
  REFRESH_TOKEN_TTL_SECONDS: Whole({
    minimum: 60,
    maximum: 365 * 24 * 3600,
    unit: 'seconds',
    default: 30 * 24 * 3600,
  }),
  /**
   * A body is read and parsed whole in memory, in services whose heap is 256-512 MiB
   * (ops/src/services.ts): 16 MiB leaves room for a few at once; commands are a few hundred bytes.
   */
  BODY_LIMIT_BYTES: Whole({
    minimum: 1024,
    maximum: 16 * 1024 * 1024,
    unit: 'bytes',
    default: 64 * 1024,
  }),
  /** How long a read with X-Min-Position waits for the read models before 503; a minute at most. */
  MIN_POSITION_WAIT_MS: Milliseconds({ minimum: 0, maximum: 60_000, default: 5000 }),
  /** Idempotency-Key answers are kept this long (the API promises at least 24 h); a year at most. */
  IDEMPOTENCY_RETENTION_HOURS: Whole({ minimum: 24, maximum: 8760, unit: 'hours', default: 48 }),
  /**
   * Ten minutes at most: an orchestrator's own stop timeout (docker-compose's
   * stop_grace_period, Kubernetes' terminationGracePeriodSeconds) cuts a longer one anyway.
   */
  SHUTDOWN_GRACE_MS: Milliseconds({ minimum: 0, maximum: 600_000, default: 10_000 }),
  /**
   * Which peers may say who the client is (X-Forwarded-For): addresses, CIDRs or proxy-addr's
   * `loopback`, `linklocal`, `uniquelocal`, comma-separated; empty trusts none. The default
   * fits `npm start`, whose gateway reaches the services over loopback: without it every
   * client behind the gateway shares one per-address limit (signup, login, refresh).
   */
  TRUST_PROXY: TrustedPeers({
    default: 'loopback',
    // Elsewhere empty is unset; here it is how to say "none" (loopback would be the default).
    keepEmpty: true,
  }),
  /**
   * The same for the gateway, the edge: the client address it forwards (replacing the client's
   * own X-Forwarded-For) is the socket's unless the peer is listed here, e.g. a load balancer
   * in front. The default trusts none: the services trust the gateway's hop, so whatever the
   * gateway believes becomes every per-address limit's key.
   */
  GATEWAY_TRUST_PROXY: TrustedPeers({ default: '' }),
  /**
   * Which half of the projectors a process runs (a `--role=` argument wins). Here rather than
   * in the projectors alone so that `npm start` refuses a bad one before it starts anything.
   */
  PROJECTORS_ROLE: Type.Union(
    [Type.Literal('relay'), Type.Literal('projections'), Type.Literal('all')],
    { default: 'all' },
  ),
});

/** Fastify's `trustProxy` for a TRUST_PROXY or GATEWAY_TRUST_PROXY value. */
export const trustProxyOf = (value: string): string | false =>
  value.trim() === '' ? false : value;

export type Config = Static<typeof ConfigSchema>;

/** Why `raw` is no value for `name`, for the checks TypeBox's own messages say poorly. */
function problemOf(name: string, raw: string, schema: TSchema): string | undefined {
  if (KindGuard.IsInteger(schema)) {
    return wholeNumberProblem(name, raw, {
      minimum: schema.minimum ?? 0,
      maximum: schema.maximum ?? Number.MAX_SAFE_INTEGER,
      unit: schema['unit'],
    });
  }
  if (KindGuard.IsString(schema) && schema['url']) return urlProblem(name, raw, schema['url']);
  if (KindGuard.IsString(schema) && schema['trustedPeers']) return trustedPeersProblem(name, raw);
  if (KindGuard.IsString(schema) && schema['listenHost']) return listenHostProblem(name, raw);
  if (KindGuard.IsUnion(schema) && schema.anyOf.every(KindGuard.IsLiteralString)) {
    const allowed = schema.anyOf.map((l) => l.const);
    if (!allowed.includes(raw))
      return `${name}: expected one of ${allowed.join(', ')}, got '${raw}'`;
  }
  return undefined;
}

/** Reads, converts and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  const picked: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(ConfigSchema.properties)) {
    const raw = env[name];
    if (raw === undefined || (raw === '' && schema['keepEmpty'] !== true)) continue;
    const problem = problemOf(name, raw, schema);
    if (problem !== undefined) problems.push(problem);
    else picked[name] = KindGuard.IsInteger(schema) ? Number(raw) : raw;
  }
  if (picked['EVENT_STORE'] === 'eventstoredb' && !env['EVENTSTORE_URL']) {
    problems.push(
      'EVENTSTORE_URL: required with EVENT_STORE=eventstoredb (esdb://host:2113?tls=false)',
    );
  }
  const config = Value.Default(ConfigSchema, picked);
  for (const e of Value.Errors(ConfigSchema, config))
    problems.push(`${e.path.slice(1)}: ${e.message}`);
  if (problems.length > 0 || !Value.Check(ConfigSchema, config)) {
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return config;
}
