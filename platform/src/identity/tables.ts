import type { ColumnType, Generated, Kysely, Selectable } from 'kysely';
import type pg from 'pg';
import { createKysely } from '../db/kysely.js';

/** Everything identity keeps lives in this schema, with its own migration history. */
export const IDENTITY_SCHEMA = 'identity';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface SigningKeysTable {
  kid: string;
  algorithm: string;
  public_key_pem: string;
  private_key_pem: string;
  created_at: Generated<Date>;
  retired_at: Timestamp | null;
}

export interface CredentialsTable {
  tenant_id: string;
  user_id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: Generated<Date>;
}

export interface RefreshTokensTable {
  /** sha256 (hex) of the opaque token: a leaked table row cannot be used as a token. */
  token_hash: string;
  family_id: string;
  tenant_id: string;
  user_id: string;
  role: string;
  issued_at: Generated<Date>;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface SealedResponsesTable {
  /** sha256 (hex) of scope and Idempotency-Key. */
  lookup: string;
  /** iv | GCM tag | ciphertext of the answer; null while the request is in progress. */
  sealed: Buffer | null;
  claimed_at: Generated<Date>;
  completed_at: Timestamp | null;
}

export interface IdentityTables {
  signing_keys: SigningKeysTable;
  credentials: CredentialsTable;
  refresh_tokens: RefreshTokensTable;
  sealed_responses: SealedResponsesTable;
}

export type IdentityDb = Kysely<IdentityTables>;
export type CredentialRow = Selectable<CredentialsTable>;
export type RefreshTokenRow = Selectable<RefreshTokensTable>;

/** A Kysely over the caller's pool, scoped to the identity schema. Never destroy it. */
export const createIdentityDb = (pool: pg.Pool): IdentityDb =>
  createKysely<IdentityTables>(pool).withSchema(IDENTITY_SCHEMA);
