import { sql } from 'kysely';
import { hashPassword, verifyNothing, verifyPassword } from './passwords.js';
import type { CredentialRow, IdentityDb } from './tables.js';

export interface NewCredential {
  readonly tenantId: string;
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly password: string;
}

export interface Credential {
  readonly tenantId: string;
  readonly userId: string;
  readonly email: string;
  readonly name: string;
}

const toCredential = (r: CredentialRow): Credential => ({
  tenantId: r.tenant_id,
  userId: r.user_id,
  email: r.email,
  name: r.name,
});

export class EmailTaken extends Error {
  override readonly name = 'EmailTaken';
}

/** Stores a login; throws EmailTaken when the tenant already has that email (any casing). */
export async function createCredential(db: IdentityDb, c: NewCredential): Promise<Credential> {
  const passwordHash = await hashPassword(c.password);
  try {
    await db
      .insertInto('credentials')
      .values({
        tenant_id: c.tenantId,
        user_id: c.userId,
        email: c.email,
        name: c.name,
        password_hash: passwordHash,
      })
      .execute();
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
    if (code === '23505') throw new EmailTaken(`${c.email} already has a login in this tenant`);
    throw e;
  }
  return { tenantId: c.tenantId, userId: c.userId, email: c.email, name: c.name };
}

export type PasswordCheck =
  | { readonly kind: 'ok'; readonly credential: Credential }
  | { readonly kind: 'invalid' };

/**
 * Checks an email and password against one login: the named tenant's, or without tenantId the
 * email's first (oldest) membership. Exactly one hash check every time, an unknown email's
 * included: checking each of an email's logins made the answer's time say how many
 * organizations it belongs to, and let one request cost up to twenty hashes.
 */
export async function checkPassword(
  db: IdentityDb,
  login: { readonly email: string; readonly password: string; readonly tenantId?: string },
): Promise<PasswordCheck> {
  let query = db
    .selectFrom('credentials')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', login.email.toLowerCase());
  if (login.tenantId !== undefined) query = query.where('tenant_id', '=', login.tenantId);
  const row = await query.orderBy('created_at').orderBy('tenant_id').limit(1).executeTakeFirst();
  if (!row) return verifyNothing(login.password).then(() => ({ kind: 'invalid' }));
  if (!(await verifyPassword(login.password, row.password_hash))) return { kind: 'invalid' };
  return { kind: 'ok', credential: toCredential(row) };
}
