import fastifyJwt from '@fastify/jwt';
import { type Role, UUID_PATTERN } from '@techflow/domain';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { problem } from './errors.js';

/** Who is calling, from the verified token; the tenant never comes from the URL or body. */
export interface Principal {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: Role;
  /** `user:<id>`: the actor recorded on every event the request causes. */
  readonly actor: string;
}

export interface AuthKeys {
  readonly kid: string;
  readonly publicKeyPem: string;
  /** Only the service that issues tokens holds it; verifiers pass the public key alone. */
  readonly privateKeyPem?: string;
}

export interface AuthOptions {
  readonly keys: AuthKeys;
  readonly accessTokenTtlSeconds: number;
  readonly issuer?: string;
}

export interface AccessTokenSubject {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: Role;
}

type Authenticate = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest/preHandler hook: verifies the bearer token and sets request.principal. */
    authenticate: Authenticate;
    /** Signs an EdDSA access token (claims sub, tid, role); throws without a private key. */
    signAccessToken(subject: AccessTokenSubject): string;
  }
  interface FastifyRequest {
    /** Set by `authenticate`: read it only in routes behind that hook. */
    principal: Principal;
  }
}

const ROLES: readonly string[] = ['owner', 'admin', 'member', 'auditor', 'integrator'];
const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && ROLES.includes(value);

interface Claims {
  sub?: unknown;
  tid?: unknown;
  role?: unknown;
  exp?: unknown;
}

/** Verified tokens kept; a client reuses its token for many requests. */
const VERIFIED_CACHE_SIZE = 10_000;
/** How long a verified token is trusted without checking it again (bounds a key's removal). */
const VERIFIED_CACHE_MS = 60_000;

interface Verified {
  readonly principal: Principal;
  readonly until: number;
}

/**
 * Principals of tokens already verified, until the earlier of the token's expiry and
 * VERIFIED_CACHE_MS. Checked before @fastify/jwt, whose own cached path still decoded the
 * token and looked its key up on every request: a tenth of the command service's CPU.
 */
class VerifiedTokens {
  readonly #entries = new Map<string, Verified>();

  get(token: string, now: number): Principal | undefined {
    const hit = this.#entries.get(token);
    if (!hit) return undefined;
    if (hit.until > now) return hit.principal;
    this.#entries.delete(token);
    return undefined;
  }

  set(token: string, principal: Principal, claims: Claims, now: number) {
    if (typeof claims.exp !== 'number') return;
    const until = Math.min(claims.exp * 1000, now + VERIFIED_CACHE_MS);
    if (until <= now) return;
    if (this.#entries.size >= VERIFIED_CACHE_SIZE) {
      // Oldest first (insertion order): the map never outgrows its bound.
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(token, { principal, until });
  }
}

const bearerToken = (request: FastifyRequest): string | undefined => {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
};

/** Ids as this service issues them: they name streams and schemas, so nothing else passes. */
const isIssuedId = (value: unknown): value is string =>
  typeof value === 'string' && UUID_PATTERN.test(value) && value === value.toLowerCase();

const principalOf = (claims: Claims): Principal | null => {
  const { sub, tid, role } = claims;
  if (!isIssuedId(sub) || !isIssuedId(tid) || !isRole(role)) return null;
  return { tenantId: tid, userId: sub, role, actor: `user:${sub}` };
};

const reasonOf = (error: unknown): string => {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : '';
  if (code === 'FST_JWT_NO_AUTHORIZATION_IN_HEADER') return 'A bearer token is required';
  if (code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED') return 'The access token has expired';
  return 'The access token is not valid';
};

/**
 * A bearer token was sent and refused: RFC 6750 section 3.1 says so with `invalid_token`, so a
 * client knows to get a new token rather than to add one (a request without one gets the
 * plain `Bearer` challenge every `unauthenticated` problem carries).
 */
const invalidToken = (reason: string) =>
  problem('unauthenticated', reason, { 'www-authenticate': 'Bearer error="invalid_token"' });

/**
 * EdDSA (Ed25519) JWTs through @fastify/jwt. Verified tokens are remembered (VerifiedTokens,
 * bounded by the token's own expiry and a minute): a client sends the same token for many
 * requests, and signature checks are the main CPU cost of auth (BENCH.md).
 */
export const authPlugin = fp(
  async (app: FastifyInstance, options: AuthOptions) => {
    const { keys } = options;
    await app.register(fastifyJwt, {
      secret: keys.privateKeyPem
        ? { private: keys.privateKeyPem, public: keys.publicKeyPem }
        : { public: keys.publicKeyPem },
      sign: {
        algorithm: 'EdDSA',
        kid: keys.kid,
        expiresIn: `${options.accessTokenTtlSeconds}s`,
        ...(options.issuer ? { iss: options.issuer } : {}),
      },
      verify: {
        algorithms: ['EdDSA'],
        // Our tokens always expire; one without `exp` would be good forever.
        requiredClaims: ['exp'],
        ...(options.issuer ? { allowedIss: options.issuer } : {}),
      },
    });
    // Null until authenticate runs; the type says Principal because only routes behind it read it.
    app.decorateRequest<Principal | null>('principal', null);
    app.decorate('signAccessToken', (subject: AccessTokenSubject) =>
      app.jwt.sign({ tid: subject.tenantId, role: subject.role }, { sub: subject.userId }),
    );
    const verified = new VerifiedTokens();
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const token = bearerToken(request);
      const now = Date.now();
      const known = token === undefined ? undefined : verified.get(token, now);
      if (known) {
        request.principal = known;
        return;
      }
      let claims: Claims;
      try {
        claims = await request.jwtVerify<Claims>();
      } catch (error) {
        throw token === undefined
          ? problem('unauthenticated', reasonOf(error))
          : invalidToken(reasonOf(error));
      }
      const principal = principalOf(claims);
      if (!principal) throw invalidToken('The access token is not valid');
      if (token !== undefined) verified.set(token, principal, claims, now);
      request.principal = principal;
    });
  },
  { name: 'techflow-auth', fastify: '5.x' },
);

/** preHandler refusing roles not listed: 403 forbidden. Runs after `authenticate`. */
export const requireRole =
  (...roles: readonly Role[]) =>
  async (request: FastifyRequest): Promise<void> => {
    if (!roles.includes(request.principal.role)) {
      throw problem('forbidden', `This needs one of the roles: ${roles.join(', ')}`);
    }
  };
