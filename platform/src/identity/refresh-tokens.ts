import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IdentityDb } from './tables.js';

export const hashToken = (token: string): string =>
  createHash('sha256').update(token).digest('hex');

export interface RefreshSubject {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: string;
}

export interface IssuedRefreshToken extends RefreshSubject {
  /** The opaque token, shown to the client once; only its hash is stored. */
  readonly token: string;
  readonly familyId: string;
  readonly expiresAt: Date;
}

export interface RefreshOptions {
  readonly ttlSeconds: number;
  readonly now?: Date;
}

/** Starts a family (a login) or continues one (a rotation) with a fresh token. */
export async function issueRefreshToken(
  db: IdentityDb,
  subject: RefreshSubject & { readonly familyId?: string },
  options: RefreshOptions,
): Promise<IssuedRefreshToken> {
  const now = options.now ?? new Date();
  const token = randomBytes(32).toString('base64url');
  const familyId = subject.familyId ?? randomUUID();
  const expiresAt = new Date(now.getTime() + options.ttlSeconds * 1000);
  await db
    .insertInto('refresh_tokens')
    .values({
      token_hash: hashToken(token),
      family_id: familyId,
      tenant_id: subject.tenantId,
      user_id: subject.userId,
      role: subject.role,
      issued_at: now,
      expires_at: expiresAt,
    })
    .execute();
  return {
    token,
    familyId,
    expiresAt,
    tenantId: subject.tenantId,
    userId: subject.userId,
    role: subject.role,
  };
}

export type Rotation =
  | { readonly kind: 'rotated'; readonly issued: IssuedRefreshToken }
  /** Unknown, expired or revoked. */
  | { readonly kind: 'invalid' }
  /** Used before: someone holds a copy, so its whole family was revoked just now. */
  | { readonly kind: 'reused'; readonly familyId: string };

/**
 * Exchanges a refresh token for a new one of the same family; the old one is dead from then
 * on. The row is locked, so two concurrent rotations of one token cannot both succeed: the
 * second sees it used, treats that as theft and revokes the family (OAuth 2.0 Security BCP).
 */
export async function rotateRefreshToken(
  db: IdentityDb,
  token: string,
  options: RefreshOptions,
): Promise<Rotation> {
  const now = options.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || row.expires_at.getTime() <= now.getTime()) {
      return { kind: 'invalid' };
    }
    if (row.used_at !== null) {
      await revokeFamily(trx, row.family_id, now);
      return { kind: 'reused', familyId: row.family_id };
    }
    await trx
      .updateTable('refresh_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', row.token_hash)
      .execute();
    const issued = await issueRefreshToken(
      trx,
      { tenantId: row.tenant_id, userId: row.user_id, role: row.role, familyId: row.family_id },
      { ...options, now },
    );
    return { kind: 'rotated', issued };
  });
}

/** Kills every live token of a family (logout, theft). Returns how many it revoked. */
export async function revokeFamily(
  db: IdentityDb,
  familyId: string,
  now = new Date(),
): Promise<number> {
  const result = await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: now })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Logout: revokes the family of the token, if the token is known. Never says which. */
export async function revokeRefreshToken(
  db: IdentityDb,
  token: string,
  now = new Date(),
): Promise<void> {
  const row = await db
    .selectFrom('refresh_tokens')
    .select('family_id')
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (row) await revokeFamily(db, row.family_id, now);
}

/**
 * Whether a token issued earlier may still be exchanged: known, never used, not revoked, not
 * expired. For a replayed refresh answer (an Idempotency-Key retry): it may hand the token
 * out again only while nobody has used it since.
 */
export async function liveRefreshToken(
  db: IdentityDb,
  token: string,
  now = new Date(),
): Promise<{ readonly live: boolean; readonly familyId: string | null }> {
  const row = await db
    .selectFrom('refresh_tokens')
    .select(['family_id', 'used_at', 'revoked_at', 'expires_at'])
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) return { live: false, familyId: null };
  const live =
    row.used_at === null && row.revoked_at === null && row.expires_at.getTime() > now.getTime();
  return { live, familyId: row.family_id };
}
