import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { canonicalJson } from '../canonical-json.js';
import { expireInSlices } from '../db/expire-in-slices.js';
import type { IdentityDb } from './tables.js';

/**
 * Idempotency-Key answers of routes whose answers are secrets (tokens). The API promises that
 * a key with the same body returns the first answer again, so it must be kept; kept in clear,
 * anyone reading the table could use the tokens. So the row is found by a hash of the scope
 * and key, and the answer is sealed (AES-256-GCM) under a key derived from the scope, the
 * Idempotency-Key and the request body; none of the three is stored. Only a caller presenting
 * the same key and body (the password, the refresh token) can open it, and one who presents
 * the key with another body fails to open it: that is how "another body" is told apart
 * without storing a hash of a password-bearing body.
 */

export interface SealedAnswer {
  readonly status: number;
  readonly contentType: string | null;
  /** The serialized body exactly as first sent. */
  readonly payload: string;
}

export interface SealedRequest {
  /** Keys are per scope (route and caller): the same key elsewhere is another request. */
  readonly scope: string;
  readonly key: string;
  readonly body: unknown;
}

export type Claim =
  /** The key is new (or its first attempt was abandoned): run the request, then complete. */
  | { readonly kind: 'claimed' }
  | { readonly kind: 'replay'; readonly answer: SealedAnswer }
  /** The key was first used with another body. */
  | { readonly kind: 'mismatch' }
  /** The first request with this key is still running. */
  | { readonly kind: 'in_progress' };

const IV_BYTES = 12;
const TAG_BYTES = 16;

const digest = (...parts: string[]): Buffer =>
  createHash('sha256').update(parts.join('\n')).digest();

const lookupOf = (r: SealedRequest): string =>
  digest('techflow-sealed-lookup', r.scope, r.key).toString('hex');

const sealKeyOf = (r: SealedRequest): Buffer =>
  digest('techflow-sealed-key', r.scope, r.key, canonicalJson(r.body ?? null));

const seal = (r: SealedRequest, answer: SealedAnswer): Buffer => {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealKeyOf(r), iv);
  const text = Buffer.concat([cipher.update(JSON.stringify(answer), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), text]);
};

const open = (r: SealedRequest, sealed: Buffer): SealedAnswer | null => {
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealKeyOf(r), sealed.subarray(0, IV_BYTES));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const text = Buffer.concat([
      decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
    return JSON.parse(text) as SealedAnswer;
  } catch {
    return null;
  }
};

export interface ClaimOptions {
  /**
   * A claim never completed for this long belongs to a request that died with its process:
   * the key may be claimed again. Default 60 s, longer than any request may run.
   */
  readonly abandonedAfterMs?: number;
}

/** Claims the request's key, or says what the first request with it answered. */
export async function claimSealedResponse(
  db: IdentityDb,
  request: SealedRequest,
  options: ClaimOptions = {},
): Promise<Claim> {
  const lookup = lookupOf(request);
  const seconds = (options.abandonedAfterMs ?? 60_000) / 1000;
  const claimed = await sql<{ lookup: string }>`
    insert into identity.sealed_responses (lookup) values (${lookup})
    on conflict (lookup) do update set claimed_at = now()
     where sealed_responses.completed_at is null
       and sealed_responses.claimed_at < now() - make_interval(secs => ${seconds})
    returning lookup`.execute(db);
  if (claimed.rows.length > 0) return { kind: 'claimed' };
  const row = await db
    .selectFrom('sealed_responses')
    .select(['sealed', 'completed_at'])
    .where('lookup', '=', lookup)
    .executeTakeFirst();
  if (!row?.sealed || !row.completed_at) return { kind: 'in_progress' };
  const answer = open(request, row.sealed);
  return answer ? { kind: 'replay', answer } : { kind: 'mismatch' };
}

/** Keeps the claimed request's answer, sealed. */
export async function completeSealedResponse(
  db: IdentityDb,
  request: SealedRequest,
  answer: SealedAnswer,
): Promise<void> {
  await db
    .updateTable('sealed_responses')
    .set({ sealed: seal(request, answer), completed_at: new Date() })
    .where('lookup', '=', lookupOf(request))
    .execute();
}

/** Releases a claim whose request ended without an answer worth keeping (5xx, 429). */
export async function abandonSealedResponse(db: IdentityDb, request: SealedRequest) {
  await db
    .deleteFrom('sealed_responses')
    .where('lookup', '=', lookupOf(request))
    .where('completed_at', 'is', null)
    .execute();
}

/**
 * Forgets answers claimed more than `olderThanHours` ago (at least 24 h), in slices like
 * es.idempotency_keys (expireInSlices). Returns how many were removed.
 */
export function expireSealedResponses(
  db: IdentityDb,
  olderThanHours: number,
  slice = 5_000,
): Promise<number> {
  return expireInSlices(olderThanHours, slice, async (hours, limit) => {
    const r = await db
      .deleteFrom('sealed_responses')
      .where('lookup', 'in', (eb) =>
        eb
          .selectFrom('sealed_responses')
          .select('lookup')
          .where('claimed_at', '<', sql<Date>`now() - make_interval(hours => ${hours})`)
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });
}
