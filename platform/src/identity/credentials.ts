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
  | { readonly kind: 'invalid' }
  /** The password fits logins in several tenants: the caller must name one. */
  | { readonly kind: 'ambiguous'; readonly tenantIds: readonly string[] };

/**
 * Checks an email and password, in one tenant or (without tenantId) across all. Unknown
 * emails cost a full hash check too, so timing does not reveal who is registered.
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
  // The same 20 every time (the oldest memberships), not whichever the planner finds first.
  const rows = await query.orderBy('created_at').orderBy('tenant_id').limit(20).execute();
  if (rows.length === 0) return verifyNothing(login.password).then(() => ({ kind: 'invalid' }));
  const matches: CredentialRow[] = [];
  for (const row of rows) {
    if (await verifyPassword(login.password, row.password_hash)) matches.push(row);
  }
  const [first] = matches;
  if (!first) return { kind: 'invalid' };
  if (matches.length > 1) return { kind: 'ambiguous', tenantIds: matches.map((m) => m.tenant_id) };
  return { kind: 'ok', credential: toCredential(first) };
}
