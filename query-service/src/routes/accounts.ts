import { hash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ACCOUNTS_PROJECTION, type Account, type AccountEntry } from '@techflow/platform';
import { BEARER, ProblemDetails, problem } from '@techflow/platform/http';
import { balanceAt, listEntries } from '../read-models/account-entries.js';
import { accountLoader, listAccounts } from '../read-models/accounts.js';
import {
  type CursorScope,
  decodeCursor,
  encodeCursor,
  type Keyset,
} from '../read-models/cursor.js';
import {
  AccountParams,
  AccountView,
  BalanceQuery,
  BalanceView,
  EntryView,
  ListAccountsQuery,
  PageQuery,
} from '../schemas/accounts.js';
import {
  ConditionalReadHeaders,
  canonicalUuid,
  NoQuery,
  NotModified,
  ReadHeaders,
  readErrors,
  ref,
} from '../schemas/common.js';

const DEFAULT_LIMIT = 50;
const FUTURE_SKEW_MS = 60_000;

const toAccountView = (row: Account) => ({
  accountId: row.account_id,
  name: row.name,
  currency: row.currency,
  balance: row.balance,
  available: row.available,
  pending: row.pending,
  status: row.status,
  allowOverdraft: row.allow_overdraft,
  updatedAt: row.updated_at.toISOString(),
  kind: row.kind,
});

const toEntryView = (row: AccountEntry) => ({
  entryId: row.entry_id,
  position: row.position,
  kind: row.kind,
  // API.md: an amount is digits; the line's kind says which way it moved the balance.
  amount: row.amount.startsWith('-') ? row.amount.slice(1) : row.amount,
  balanceAfter: row.balance_after,
  ...(row.transfer_id === null ? {} : { transferId: row.transfer_id }),
  ...(row.reference === null ? {} : { reference: row.reference }),
  at: row.at.toISOString(),
});

const cursorOrFail = (scope: CursorScope, cursor: string | undefined): Keyset | undefined => {
  if (cursor === undefined) return undefined;
  const key = decodeCursor(scope, cursor);
  if (!key) throw problem('validation_failed', 'cursor is not one this API handed out');
  return key;
};

/**
 * A strong validator. A row changes when its last applied position does; the same position
 * reads differently after a rebuild by another projection version, or when this service's
 * representation changes (a tag of the response schema, so nobody has to remember to bump it).
 */
const REPRESENTATION = hash('sha256', JSON.stringify(AccountView), 'hex').slice(0, 8);
const etagOf = (row: Account, projectionVersion: number) =>
  `"${row.position}.${projectionVersion}.${REPRESENTATION}"`;

/** RFC 9110 If-None-Match: weak comparison, a list of tags or `*`. */
const matches = (ifNoneMatch: string | undefined, etag: string): boolean =>
  (ifNoneMatch ?? '').split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });

export const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const accounts = accountLoader(app.readDb);

  app.get(
    '/v1/accounts',
    {
      schema: {
        security: BEARER,
        summary: "The tenant's accounts in the order they were opened",
        tags: ['accounts'],
        querystring: ListAccountsQuery,
        headers: ReadHeaders,
        response: {
          200: Type.Object({
            items: Type.Array(ref(AccountView)),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...readErrors,
        },
      },
    },
    async (request) => {
      const { limit = DEFAULT_LIMIT, cursor, status, currency, kind } = request.query;
      const { tenantId } = request.principal;
      // Filters are not in the scope: every filter pages the one (position, id) order.
      const scope = ['accounts', tenantId];
      const page = await listAccounts(app.readDb, tenantId, {
        limit,
        status,
        currency,
        kind,
        after: cursorOrFail(scope, cursor),
      });
      return {
        items: page.rows.map(toAccountView),
        nextCursor: page.next ? encodeCursor(scope, page.next) : null,
      };
    },
  );

  app.get(
    '/v1/accounts/:id',
    {
      schema: {
        security: BEARER,
        summary: 'One account; conditional with If-None-Match',
        tags: ['accounts'],
        params: AccountParams,
        querystring: NoQuery,
        headers: ConditionalReadHeaders,
        response: {
          200: ref(AccountView),
          304: NotModified,
          404: ref(ProblemDetails),
          ...readErrors,
        },
      },
    },
    async (request, reply) => {
      const id = canonicalUuid(request.params.id);
      const row = await accounts.load(request.principal.tenantId, id);
      if (!row) throw problem('not_found', `no account ${id}`);
      const etag = etagOf(row, app.checkpoints.version(ACCOUNTS_PROJECTION));
      reply.header('etag', etag);
      if (matches(request.headers['if-none-match'], etag)) return reply.code(304).send(undefined);
      return toAccountView(row);
    },
  );

  app.get(
    '/v1/accounts/:id/entries',
    {
      schema: {
        security: BEARER,
        summary: "The account's statement lines, newest first",
        tags: ['accounts'],
        params: AccountParams,
        querystring: PageQuery,
        headers: ReadHeaders,
        response: {
          200: Type.Object({
            items: Type.Array(ref(EntryView)),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          404: ref(ProblemDetails),
          ...readErrors,
        },
      },
    },
    async (request) => {
      const { tenantId } = request.principal;
      const { limit = DEFAULT_LIMIT, cursor } = request.query;
      const id = canonicalUuid(request.params.id);
      const scope = ['entries', tenantId, id];
      const before = cursorOrFail(scope, cursor);
      let page = await listEntries(app.readDb, tenantId, id, { limit, before });
      // An empty page may mean no such account (say so rather than "no entries"), or an
      // external one, whose lines are the other side of its currency's customer lines.
      if (page.rows.length === 0) {
        const account = await accounts.load(tenantId, id);
        if (!account) throw problem('not_found', `no account ${id}`);
        if (account.kind === 'external') {
          page = await listEntries(app.readDb, tenantId, id, { limit, before, external: true });
        }
      }
      return {
        items: page.rows.map(toEntryView),
        nextCursor: page.next ? encodeCursor(scope, page.next) : null,
      };
    },
  );

  app.get(
    '/v1/accounts/:id/balance',
    {
      schema: {
        security: BEARER,
        summary: 'The balance as of an instant (zero before the account existed)',
        tags: ['accounts'],
        params: AccountParams,
        querystring: BalanceQuery,
        headers: ReadHeaders,
        response: { 200: BalanceView, 404: ref(ProblemDetails), ...readErrors },
      },
    },
    async (request) => {
      const now = Date.now();
      const at = new Date(request.query.at ?? now);
      if (Number.isNaN(at.getTime())) throw problem('validation_failed', 'at is not an instant');
      // Movements yet to come would change it: a balance is known only up to now (a client's
      // clock a little ahead of ours is not the future it asks about).
      if (at.getTime() > now + FUTURE_SKEW_MS) {
        throw problem('validation_failed', `at is in the future; balances are known up to now`);
      }
      const id = canonicalUuid(request.params.id);
      const found = await balanceAt(app.readDb, request.principal.tenantId, id, at);
      if (!found) throw problem('not_found', `no account ${id}`);
      return { ...found, at: at.toISOString() };
    },
  );
};
