/**
 * The one error class tokenward throws, with a stable machine-readable code.
 *
 * Messages are generic on purpose: they never contain a token, a secret, a
 * hash or a claim code. Anything a caller may need to act on (the limit that
 * was exceeded, the grant that was missing) travels in typed fields instead.
 *
 * @example
 * ```ts
 * import { TokenError } from 'tokenward';
 * try { await tokens.verify(header); }
 * catch (e) { if (e instanceof TokenError && e.code === 'token_expired') … }
 * ```
 */
export type TokenErrorCode =
  | 'invalid_request'
  | 'token_invalid'
  | 'token_expired'
  | 'token_revoked'
  | 'token_disabled'
  | 'insufficient_scope'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'limit_exceeded'
  | 'duration_exceeds_policy'
  | 'rate_limited'
  | 'usage_exceeded'
  | 'unavailable';

/** Every error code, in a stable order (useful for docs and exhaustive tests). */
export const TOKEN_ERROR_CODES: readonly TokenErrorCode[] = [
  'invalid_request',
  'token_invalid',
  'token_expired',
  'token_revoked',
  'token_disabled',
  'insufficient_scope',
  'forbidden',
  'not_found',
  'conflict',
  'limit_exceeded',
  'duration_exceeds_policy',
  'rate_limited',
  'usage_exceeded',
  'unavailable',
];

/** The HTTP status each code maps to. */
export const TOKEN_ERROR_STATUS: Readonly<Record<TokenErrorCode, number>> = {
  invalid_request: 400,
  token_invalid: 401,
  token_expired: 401,
  token_revoked: 401,
  token_disabled: 401,
  insufficient_scope: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  limit_exceeded: 409,
  duration_exceeds_policy: 422,
  rate_limited: 429,
  usage_exceeded: 429,
  unavailable: 503,
};

/** Typed details a `TokenError` may carry. None of them is ever secret. */
export interface TokenErrorDetails {
  /** The input field that was rejected, for `invalid_request`. */
  readonly field?: string;
  /** The need that was not met, for `insufficient_scope`. */
  readonly need?: unknown;
  /** The effective limit in milliseconds, for `duration_exceeds_policy` and `limit_exceeded`. */
  readonly limit?: number | null;
  /** Where the limit came from, for `duration_exceeds_policy`. */
  readonly source?: unknown;
  /**
   * For `rate_limited` and `usage_exceeded`: milliseconds until the same
   * call could succeed (a rate limit has refilled enough, the credits are
   * refilled), or null when waiting cannot help (the cost exceeds the limit,
   * or the credits are never refilled). Over HTTP the `Retry-After` header,
   * in whole seconds rounded up (docs/limits.md).
   */
  readonly retryAfter?: number | null;
  /** For `rate_limited`: the name of the limit that refused the call. */
  readonly ratelimit?: string;
}

/** Options accepted by the `TokenError` constructor. */
export interface TokenErrorOptions extends TokenErrorDetails {
  /** The underlying error (for example a database error behind `unavailable`). */
  readonly cause?: unknown;
}

/**
 * The brand every `TokenError` carries on its prototype: a registered symbol
 * (`Symbol.for`), so it is the same symbol in every copy of tokenward loaded
 * in one process — the CommonJS and the ES module build side by side, or two
 * installed versions — where the classes themselves differ.
 */
const TOKEN_ERROR_BRAND: unique symbol = Symbol.for('tokenward.TokenError');

/**
 * The error every tokenward call throws for bad input, bad tokens, missing
 * rights and storage outages.
 *
 * `error instanceof TokenError` and `isTokenError(error)` recognize a
 * `TokenError` from any build or copy of tokenward (by its brand,
 * `Symbol.for('tokenward.TokenError')`), so a service built from
 * `require('tokenward')` and middleware imported from `tokenward/express`
 * agree on what is a `TokenError`. Subclasses (`StatementError`) keep the
 * ordinary `instanceof`.
 */
export class TokenError extends Error {
  /** Stable machine-readable code. */
  readonly code: TokenErrorCode;
  /** The HTTP status this code maps to. */
  readonly status: number;
  /** Typed, non-secret details. */
  readonly details: TokenErrorDetails;

  constructor(code: TokenErrorCode, message: string, options: TokenErrorOptions = {}) {
    const { cause, ...details } = options;
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'TokenError';
    this.code = code;
    this.status = TOKEN_ERROR_STATUS[code];
    this.details = details;
  }

  /** True for a `TokenError` of any build (see the class comment); ordinary `instanceof` for subclasses. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // `this` is the class on the right of `instanceof`: TokenError itself, or a subclass that inherits this method.
    // biome-ignore lint/complexity/noThisInStatic: the class name would answer for subclasses too
    return this === TokenError ? isTokenError(value) : Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

Object.defineProperty(TokenError.prototype, TOKEN_ERROR_BRAND, { value: true });

/**
 * True when `value` is a `TokenError` from any build or copy of tokenward
 * (CommonJS or ES modules), optionally with the given code.
 *
 * @example
 * ```ts
 * import { isTokenError } from 'tokenward';
 * try { await tokens.verify(header); }
 * catch (e) { if (isTokenError(e, 'token_expired')) return refresh(); throw e; }
 * ```
 */
export function isTokenError(value: unknown, code?: TokenErrorCode): value is TokenError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { readonly [TOKEN_ERROR_BRAND]?: unknown; readonly code?: unknown };
  return (
    candidate[TOKEN_ERROR_BRAND] === true &&
    typeof candidate.code === 'string' &&
    (code === undefined || candidate.code === code)
  );
}

/**
 * @internal `invalid_request` for one field: the message says the field and
 * what is wrong with it (`ttl must be a positive duration`), and
 * `details.field` names it. The one way every check reports bad input.
 */
export function invalid(field: string, what: string, cause?: unknown): TokenError {
  return new TokenError('invalid_request', `${field} ${what}`, cause === undefined ? { field } : { field, cause });
}
