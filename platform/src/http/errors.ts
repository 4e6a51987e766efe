import type { DomainErrorCode } from '@techflow/domain';

/**
 * The one catalogue of problem codes the API answers with (Fastify's `createError` idea):
 * clients branch on `code`, the status and title follow from it. Add codes here, never inline.
 */
export const PROBLEMS = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  duplicate_json_key: { status: 400, title: 'A key appears twice in one JSON object' },
  bad_request: { status: 400, title: 'Bad request' },
  unauthenticated: { status: 401, title: 'Authentication is required' },
  invalid_credentials: { status: 401, title: 'The credentials are not valid' },
  invalid_refresh_token: { status: 401, title: 'The refresh token is not valid' },
  forbidden: { status: 403, title: 'Not allowed for this role' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  request_timeout: { status: 408, title: 'The request did not arrive in time' },
  concurrency_conflict: { status: 409, title: 'Someone else changed this at the same time' },
  idempotency_key_reused: {
    status: 409,
    title: 'This Idempotency-Key was used with another request',
  },
  idempotency_key_in_use: {
    status: 409,
    title: 'The first request with this Idempotency-Key is still being processed',
  },
  account_already_exists: { status: 409, title: 'An account with this id already exists' },
  account_already_frozen: { status: 409, title: 'The account is already frozen' },
  organization_already_exists: { status: 409, title: 'The organization already exists' },
  member_already_exists: { status: 409, title: 'The user is already a member' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  insufficient_funds: { status: 422, title: 'Insufficient funds' },
  account_frozen: { status: 422, title: 'The account is frozen' },
  account_closed: { status: 422, title: 'The account is closed' },
  account_not_frozen: { status: 409, title: 'The account is not frozen' },
  balance_not_zero: { status: 422, title: 'The balance is not zero' },
  currency_mismatch: { status: 422, title: 'The currencies do not match' },
  amount_out_of_range: { status: 422, title: 'The amount is out of range' },
  external_account: {
    status: 422,
    title:
      "The external settlement account moves only as the other side of its tenant's deposits and withdrawals",
  },
  rate_limited: { status: 429, title: 'Too many requests' },
  request_header_fields_too_large: { status: 431, title: 'The request headers are too large' },
  internal_error: { status: 500, title: 'Internal error' },
  not_ready: { status: 503, title: 'A dependency is not reachable' },
  stale_read_model: { status: 503, title: 'The read model has not caught up yet' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

/** Where a problem's `type` URL points: one page per code. */
export const PROBLEM_TYPE_BASE = 'https://techflow.dev/problems/';

/** RFC 9457 problem details as TechFlow answers them. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
}

/**
 * Headers a code always carries unless its thrower says otherwise. A 401 must name the scheme
 * that would succeed (RFC 9110 section 15.5.2); ours is a bearer token (RFC 6750).
 */
const HEADERS_OF: Partial<Record<ProblemCode, Readonly<Record<string, string>>>> = {
  unauthenticated: { 'www-authenticate': 'Bearer' },
};

/** An error that is an answer: thrown anywhere, the problem-json handler sends it as is. */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly statusCode: number;
  readonly title: string;
  /** Response headers: the code's own (HEADERS_OF), then the thrower's, e.g. Retry-After. */
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    readonly code: ProblemCode,
    readonly detail: string = PROBLEMS[code].title,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.statusCode = PROBLEMS[code].status;
    this.title = PROBLEMS[code].title;
    const own = HEADERS_OF[code];
    this.headers = own ? { ...own, ...headers } : headers;
  }

  toBody(): ProblemBody {
    return {
      type: PROBLEM_TYPE_BASE + this.code,
      title: this.title,
      status: this.statusCode,
      detail: this.detail,
      code: this.code,
    };
  }
}

export const problem = (
  code: ProblemCode,
  detail?: string,
  headers?: Readonly<Record<string, string>>,
): HttpProblem => new HttpProblem(code, detail, headers);

/**
 * Every domain code has an answer; the `satisfies` makes a new DomainErrorCode a compile error
 * here until it is mapped. Missing aggregates are `not_found` whatever their kind, so another
 * tenant's id and an unknown id look the same.
 */
const DOMAIN_TO_PROBLEM = {
  insufficient_funds: 'insufficient_funds',
  account_frozen: 'account_frozen',
  account_closed: 'account_closed',
  account_not_found: 'not_found',
  account_already_exists: 'account_already_exists',
  account_not_frozen: 'account_not_frozen',
  account_already_frozen: 'account_already_frozen',
  balance_not_zero: 'balance_not_zero',
  currency_mismatch: 'currency_mismatch',
  amount_out_of_range: 'amount_out_of_range',
  organization_not_found: 'not_found',
  organization_already_exists: 'organization_already_exists',
  member_already_exists: 'member_already_exists',
} as const satisfies Record<DomainErrorCode, ProblemCode>;

export const problemFromDomain = (code: DomainErrorCode, detail?: string): HttpProblem => {
  const mapped = DOMAIN_TO_PROBLEM[code];
  // A domain message that merely repeats its code says nothing a client can use.
  return new HttpProblem(mapped, detail && detail !== code ? detail : undefined);
};

/** The problem for a bare status (Fastify's own 4xx errors that have no code of ours). */
export const problemCodeForStatus = (status: number): ProblemCode => {
  switch (status) {
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 409:
      return 'concurrency_conflict';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    default:
      return status >= 500 ? 'internal_error' : 'bad_request';
  }
};
