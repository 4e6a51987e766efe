import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  ACCOUNT_CATEGORY,
  type AccountCommand,
  type AccountEvent,
  type AccountState,
  AmountString,
  Currency,
  canonicalUuid,
  DomainError,
  Label,
  parseMinor,
  streamName,
} from '@techflow/domain';
import { externalAccountCurrency } from '@techflow/platform';
import { BEARER, pendingIdempotency, problem, requireRole } from '@techflow/platform/http';
import type { CommandHandler } from '../handle-command.js';
import { commandMeta, sendResult } from '../request-context.js';
import { Position, PositionAnswer, ProblemRef, ReasonBody, Uuid, UuidInput } from '../schemas.js';

export interface AccountRoutesOptions {
  readonly accounts: CommandHandler<AccountCommand, AccountEvent, AccountState>;
  readonly newId: () => string;
}

const OpenAccountBody = Type.Object(
  {
    accountId: Type.Optional(UuidInput),
    name: Label(200),
    currency: Currency,
    allowOverdraft: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

const MovementBody = Type.Object(
  {
    amount: AmountString,
    reference: Type.Optional(Label(200)),
  },
  { additionalProperties: false },
);

const AccountParams = Type.Object({ id: UuidInput }, { additionalProperties: false });

const problems = {
  400: ProblemRef,
  401: ProblemRef,
  403: ProblemRef,
  404: ProblemRef,
  409: ProblemRef,
  422: ProblemRef,
  429: ProblemRef,
};

const Opened = Type.Object(
  { accountId: Uuid, position: Position },
  { additionalProperties: false },
);
const Moved = Type.Object({ entryId: Uuid, position: Position }, { additionalProperties: false });

/** Who may move money and change accounts; auditors only read. */
const WRITERS = requireRole('owner', 'admin', 'member', 'integrator');

/** The ledger's account commands: thin, every rule is the domain's. */
export const accountRoutes: FastifyPluginAsyncTypebox<AccountRoutesOptions> = async (
  app,
  { accounts, newId },
) => {
  const stream = (tenantId: string, accountId: string) =>
    streamName(ACCOUNT_CATEGORY, tenantId, accountId);
  /**
   * The reads show the tenant's external settlement accounts beside its own, so a command on
   * one is told what it is rather than 404 (no stream holds it: the projection derives it).
   */
  const commandable = (tenantId: string, id: string): string => {
    const accountId = canonicalUuid(id);
    const currency = externalAccountCurrency(tenantId, accountId);
    if (currency !== undefined) {
      throw problem(
        'external_account',
        `${accountId} is the organization's external settlement account for ${currency}`,
      );
    }
    return accountId;
  };

  app.post(
    '/v1/accounts',
    {
      preHandler: WRITERS,
      schema: {
        summary: 'Open an account',
        description: 'Creation is idempotent on a client-chosen accountId with the same details.',
        tags: ['accounts'],
        security: BEARER,
        body: OpenAccountBody,
        response: { 201: Opened, ...problems },
      },
    },
    async (request, reply) => {
      const { tenantId } = request.principal;
      const given = request.body.accountId;
      const accountId = given === undefined ? newId() : canonicalUuid(given);
      const external =
        given === undefined ? undefined : externalAccountCurrency(tenantId, accountId);
      if (external !== undefined) {
        // The id is taken, by an account the read side shows but no stream holds.
        throw new DomainError(
          'account_already_exists',
          `${accountId} is the organization's external settlement account for ${external}`,
        );
      }
      const result = await accounts.handle({
        streamId: stream(tenantId, accountId),
        command: {
          type: 'OpenAccount',
          data: {
            accountId,
            name: request.body.name,
            currency: request.body.currency,
            allowOverdraft: request.body.allowOverdraft ?? false,
          },
        },
        meta: commandMeta(request),
        idempotency: pendingIdempotency(request, tenantId),
        answer: () => ({ status: 201, body: { accountId } }),
      });
      return sendResult(reply, result);
    },
  );

  for (const [path, type, summary] of [
    ['deposits', 'DepositFunds', "Deposit from the tenant's external account"],
    ['withdrawals', 'WithdrawFunds', "Withdraw to the tenant's external account"],
  ] as const) {
    app.post(
      `/v1/accounts/:id/${path}`,
      {
        preHandler: WRITERS,
        schema: {
          summary,
          tags: ['accounts'],
          security: BEARER,
          params: AccountParams,
          body: MovementBody,
          response: { 201: Moved, ...problems },
        },
      },
      async (request, reply) => {
        const { tenantId } = request.principal;
        const accountId = commandable(tenantId, request.params.id);
        // Chosen here, not in decide, so a retried attempt records the same entry id.
        const entryId = newId();
        const { reference } = request.body;
        const result = await accounts.handle({
          streamId: stream(tenantId, accountId),
          command: {
            type,
            data: {
              accountId,
              amount: parseMinor(request.body.amount),
              entryId,
              ...(reference === undefined ? {} : { reference }),
            },
          },
          meta: commandMeta(request),
          idempotency: pendingIdempotency(request, tenantId),
          answer: () => ({ status: 201, body: { entryId } }),
        });
        return sendResult(reply, result);
      },
    );
  }

  for (const [path, type, summary] of [
    ['freeze', 'FreezeAccount', 'Freeze an account'],
    ['unfreeze', 'UnfreezeAccount', 'Unfreeze an account'],
    ['close', 'CloseAccount', 'Close an account at a zero balance'],
  ] as const) {
    app.post(
      `/v1/accounts/:id/${path}`,
      {
        preHandler: WRITERS,
        // The body is optional ({ reason? }): a bodiless POST means no reason.
        preValidation: async (request) => {
          request.body ??= {};
        },
        schema: {
          summary,
          tags: ['accounts'],
          security: BEARER,
          params: AccountParams,
          body: ReasonBody,
          response: { 200: PositionAnswer, ...problems },
        },
      },
      async (request, reply) => {
        const { tenantId } = request.principal;
        const accountId = commandable(tenantId, request.params.id);
        const { reason } = request.body;
        const result = await accounts.handle({
          streamId: stream(tenantId, accountId),
          command: { type, data: { accountId, ...(reason === undefined ? {} : { reason }) } },
          meta: commandMeta(request),
          idempotency: pendingIdempotency(request, tenantId),
          answer: () => ({ status: 200, body: {} }),
        });
        return sendResult(reply, result);
      },
    );
  }
};
