import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  canonicalUuid,
  Label,
  ORGANIZATION_CATEGORY,
  type OrganizationCommand,
  type OrganizationEvent,
  type OrganizationState,
  type Role,
  streamName,
} from '@techflow/domain';
import { backoffMs, isTransient } from '@techflow/platform';
import { problem } from '@techflow/platform/http';
import {
  checkPassword,
  createCredential,
  type IdentityDb,
  issueRefreshToken,
  jwks,
  liveRefreshToken,
  revokeFamily,
  revokeRefreshToken,
  rotateRefreshToken,
  type SigningKeys,
} from '@techflow/platform/identity';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandHandler } from '../handle-command.js';
import { correlationIdOf } from '../request-context.js';
import { Position, ProblemRef, Uuid, UuidInput } from '../schemas.js';
import { sealedIdempotency } from '../sealed-idempotency.js';

const CREDENTIAL_ATTEMPTS = 4;

export interface AuthRoutesOptions {
  readonly organizations: CommandHandler<OrganizationCommand, OrganizationEvent, OrganizationState>;
  readonly identity: IdentityDb;
  readonly signingKeys: SigningKeys;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly newId: () => string;
  readonly clock: () => Date;
  /** Runs first on signup, login, refresh and logout (the per-IP limit). */
  readonly limit: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

const Email = Type.String({ format: 'email', maxLength: 320 });
const Password = Type.String({ minLength: 8, maxLength: 200 });
const Name = Label(200);
const RefreshToken = Type.String({ minLength: 16, maxLength: 200 });

const TokenPair = {
  accessToken: Type.String(),
  refreshToken: Type.String(),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
};

const SignupBody = Type.Object(
  { organizationName: Name, email: Email, password: Password, name: Name },
  { additionalProperties: false },
);
const SignedUp = Type.Object(
  { tenantId: Uuid, userId: Uuid, ...TokenPair, position: Position },
  { additionalProperties: false },
);
const LoginBody = Type.Object(
  {
    email: Email,
    password: Type.String({ minLength: 1, maxLength: 200 }),
    tenantId: Type.Optional(
      Type.String({
        ...UuidInput,
        description: `The organization to log in to; without it, the first one this email joined. ${UuidInput.description}`,
      }),
    ),
  },
  { additionalProperties: false },
);
const Tokens = Type.Object(TokenPair, { additionalProperties: false });
const RefreshBody = Type.Object({ refreshToken: RefreshToken }, { additionalProperties: false });

const Jwk = Type.Object({
  kty: Type.String(),
  crv: Type.String(),
  x: Type.String(),
  kid: Type.String(),
  alg: Type.String(),
  use: Type.String(),
});
const Jwks = Type.Object({ keys: Type.Array(Jwk) });

const problems = { 400: ProblemRef, 401: ProblemRef, 429: ProblemRef };

/** Signup, login, token refresh and logout; none of them needs a token. */
export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, options) => {
  const { organizations, identity, newId, clock } = options;

  /** The member's current role, from the organization's own events (roles change there). */
  const roleOf = async (tenantId: string, userId: string): Promise<Role | null> => {
    const org = await organizations.load(streamName(ORGANIZATION_CATEGORY, tenantId, tenantId));
    if (org.state.status !== 'active') return null;
    return org.state.members[userId]?.role ?? null;
  };

  const tokensFor = async (tenantId: string, userId: string, role: Role) => {
    const refresh = await issueRefreshToken(
      identity,
      { tenantId, userId, role },
      { ttlSeconds: options.refreshTokenTtlSeconds, now: clock() },
    );
    return {
      accessToken: app.signAccessToken({ tenantId, userId, role }),
      refreshToken: refresh.token,
      expiresIn: options.accessTokenTtlSeconds,
    };
  };

  app.addHook('onRequest', options.limit);
  sealedIdempotency(app, identity, {
    // A refresh retried under its key gets its first answer again only while the refresh
    // token that answer holds is unused: once it has been exchanged (or its login ended), the
    // retry is the old token used a second time, and that is theft, key or no key.
    '/v1/auth/refresh': async (request, answer) => {
      if (answer.status !== 200) return;
      const { refreshToken } = JSON.parse(answer.payload) as { refreshToken?: unknown };
      if (typeof refreshToken !== 'string') return;
      const now = clock();
      const handedOut = await liveRefreshToken(identity, refreshToken, now);
      if (handedOut.live) return;
      if (handedOut.familyId) {
        await revokeFamily(identity, handedOut.familyId, now);
        request.log.warn({ familyId: handedOut.familyId }, 'refresh token reused; family revoked');
      }
      throw problem('invalid_refresh_token', 'The refresh token is unknown, expired or revoked');
    },
  });

  app.post(
    '/v1/signup',
    {
      schema: {
        summary: 'Sign an organization up with its owner',
        tags: ['identity'],
        body: SignupBody,
        response: { 201: SignedUp, ...problems },
      },
    },
    async (request, reply) => {
      const tenantId = newId();
      const userId = newId();
      const { organizationName, email, password, name } = request.body;
      const result = await organizations.handle({
        streamId: streamName(ORGANIZATION_CATEGORY, tenantId, tenantId),
        command: {
          type: 'CreateOrganization',
          data: { tenantId, name: organizationName, owner: { userId, email, name } },
        },
        meta: {
          tenantId,
          actor: `user:${userId}`,
          correlationId: correlationIdOf(request),
          causationId: request.id,
        },
        answer: () => ({ status: 201, body: {} }),
      });
      // After the events: a credential without its organization could log in to nothing, and
      // a stray one could become the email's first membership, which a login without tenantId
      // opens. A blip of the
      // database here would leave an organization nobody can enter, so it is retried.
      const credential = { tenantId, userId, email, name, password };
      for (let attempt = 0; ; attempt++) {
        try {
          await createCredential(identity, credential);
          break;
        } catch (e) {
          if (!isTransient(e) || attempt >= CREDENTIAL_ATTEMPTS - 1) throw e;
          request.log.warn({ err: e, tenantId }, 'storing the owner login failed; retrying');
          await sleep(backoffMs(attempt, 1000));
        }
      }
      const tokens = await tokensFor(tenantId, userId, 'owner');
      const position = String(result.body['position'] ?? '0');
      return reply.code(201).send({ tenantId, userId, ...tokens, position });
    },
  );

  app.post(
    '/v1/auth/login',
    {
      schema: {
        summary: 'Exchange an email and password for tokens',
        tags: ['identity'],
        body: LoginBody,
        response: { 200: Tokens, ...problems },
      },
    },
    async (request) => {
      const { email, password, tenantId } = request.body;
      const check = await checkPassword(identity, {
        email,
        password,
        ...(tenantId === undefined ? {} : { tenantId: canonicalUuid(tenantId) }),
      });
      // Said whether or not the email is in several organizations: the answer must not tell.
      const wrong = () =>
        problem(
          'invalid_credentials',
          tenantId === undefined
            ? 'Wrong email or password (without tenantId, an email in several organizations ' +
                'logs in to the first it joined, with that password)'
            : 'Wrong email or password for this organization',
        );
      if (check.kind !== 'ok') throw wrong();
      const { credential } = check;
      const role = await roleOf(credential.tenantId, credential.userId);
      if (!role) throw wrong();
      return tokensFor(credential.tenantId, credential.userId, role);
    },
  );

  app.post(
    '/v1/auth/refresh',
    {
      schema: {
        summary: 'Exchange a refresh token for a new pair; the old one dies',
        description: 'Reusing a refresh token revokes every token of its login (theft).',
        tags: ['identity'],
        body: RefreshBody,
        response: { 200: Tokens, ...problems },
      },
    },
    async (request) => {
      const rotation = await rotateRefreshToken(identity, request.body.refreshToken, {
        ttlSeconds: options.refreshTokenTtlSeconds,
        now: clock(),
      });
      if (rotation.kind === 'reused') {
        request.log.warn({ familyId: rotation.familyId }, 'refresh token reused; family revoked');
      }
      if (rotation.kind !== 'rotated') {
        throw problem('invalid_refresh_token', 'The refresh token is unknown, expired or revoked');
      }
      const { issued } = rotation;
      const role = await roleOf(issued.tenantId, issued.userId);
      if (!role) throw problem('invalid_refresh_token', 'The user is no longer a member');
      return {
        accessToken: app.signAccessToken({
          tenantId: issued.tenantId,
          userId: issued.userId,
          role,
        }),
        refreshToken: issued.token,
        expiresIn: options.accessTokenTtlSeconds,
      };
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      schema: {
        summary: 'Revoke a refresh token and every token of its login',
        tags: ['identity'],
        body: RefreshBody,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      await revokeRefreshToken(identity, request.body.refreshToken, clock());
      return reply.code(204).send(null);
    },
  );
};

/** GET /.well-known/jwks.json: what verifiers (the query service, integrators) trust. */
export const jwksRoutes: FastifyPluginAsyncTypebox<{ readonly signingKeys: SigningKeys }> = async (
  app,
  options,
) => {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        summary: 'Public keys of the access token signer (JWKS)',
        tags: ['identity'],
        response: { 200: Jwks },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return jwks(options.signingKeys);
    },
  );
};
