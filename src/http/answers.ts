import { invalid, isTokenError, type TokenError, type TokenErrorCode } from '../core/errors.js';
import { isApplicationFault } from './app-fault.js';

/**
 * @internal How errors become HTTP answers (RFC 6750 §3 for authentication,
 * the `TokenError` status table for everything else). Framework helpers only
 * copy an `HttpAnswer` onto their response object.
 *
 * Nothing from the request reaches a header: the realm comes from
 * configuration (checked by `checkRealm`), the error codes are fixed words,
 * and a `scope` attribute is only ever built from a guard's configured need.
 */

/** A response in framework-neutral form. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body; `undefined` for an empty body. */
  readonly body?: unknown;
}

/**
 * The JSON body of every error answer. `error` and `error_description` are
 * the members OAuth clients read (RFC 6749 §5.2, RFC 7009 §2.2.1, RFC 7662
 * §2.3); `message` says the same for clients written before them.
 */
export interface ErrorBody {
  /**
   * A `TokenError` code, `token_missing` (no credentials), `internal_error`,
   * or, on the OAuth routes, `invalid_client` (RFC 6749 §5.2) and
   * `unsupported_token_type` (RFC 7009 §2.2.1).
   */
  readonly error: TokenErrorCode | 'token_missing' | 'internal_error' | 'invalid_client' | 'unsupported_token_type';
  /** A generic, human-readable message. Never contains a token or a secret. */
  readonly message: string;
  /** The same text as `message`, under its RFC 6749 §5.2 name. */
  readonly error_description: string;
  /** The rejected input field, for `invalid_request`. */
  readonly field?: string;
  /** The limit in milliseconds, for `duration_exceeds_policy` and `limit_exceeded`. */
  readonly limit?: number | null;
  /**
   * For `rate_limited` and `usage_exceeded` (429): milliseconds until the
   * same request could pass, or null when waiting cannot help. The
   * `Retry-After` header says the same in whole seconds, rounded up.
   */
  readonly retryAfter?: number | null;
  /** For `rate_limited`: the name of the token's rate limit that refused the request. */
  readonly ratelimit?: string;
}

/** RFC 6750 §3.1 error codes. */
type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

// quoted-string content without quote, backslash or control characters.
const REALM = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,200}$/;
// RFC 6750 §3: scope-token characters, space separated.
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;

/**
 * Validates a configured realm (`TokenError('invalid_request')`, field
 * `realm`): a quote, backslash, CR or LF would let it break out of the header.
 */
export function checkRealm(realm: unknown): string {
  const value = realm ?? 'api';
  if (typeof value !== 'string' || !REALM.test(value)) {
    throw invalid('realm', 'must be 1-200 printable ASCII characters without quotes or backslashes');
  }
  return value;
}

/** True when `scope` can be sent as an RFC 6750 `scope` attribute. */
export function isScopeAttribute(scope: string): boolean {
  return SCOPE.test(scope);
}

/** Builds a `WWW-Authenticate: Bearer …` value. */
export function bearerChallenge(realm: string, error?: BearerErrorCode, scope?: string): string {
  let value = `Bearer realm="${realm}"`;
  if (error !== undefined) value += `, error="${error}"`;
  if (scope !== undefined && isScopeAttribute(scope)) value += `, scope="${scope}"`;
  return value;
}

const JSON_HEADERS = { 'cache-control': 'no-store' } as const;

/**
 * Seconds a client is asked to wait after a 503 (RFC 9110 §10.2.3): long
 * enough for a database failover or a restart, short enough that a remote
 * verifier or an OAuth client does not give up on a brief outage.
 */
export const RETRY_AFTER_SECONDS = 5;

/** The body members of an error answer. */
type ErrorFields = Omit<ErrorBody, 'error_description'>;

/**
 * @internal Any error answer: `error_description` repeats the message, and
 * every 503 says when to retry, so no route can forget either.
 */
export function errorAnswer(
  status: number,
  fields: ErrorFields,
  extraHeaders: Readonly<Record<string, string>> = {},
): HttpAnswer {
  const headers: Record<string, string> = { ...JSON_HEADERS, ...extraHeaders };
  if (status === 503) headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  // RFC 6585 §4: a 429 may say how long to wait; rounded up, so a client that waits that long is let through.
  if (status === 429 && typeof fields.retryAfter === 'number') {
    headers['retry-after'] = String(Math.max(1, Math.ceil(fields.retryAfter / 1000)));
  }
  const { error, message, ...rest } = fields;
  return { status, headers, body: { error, message, error_description: message, ...rest } };
}

function answer(status: number, fields: ErrorFields, challenge?: string): HttpAnswer {
  return errorAnswer(status, fields, challenge === undefined ? {} : { 'www-authenticate': challenge });
}

/** 401 for a request without credentials: a challenge with no error attribute (RFC 6750 §3.1). */
export function missingCredentials(realm: string): HttpAnswer {
  return answer(401, { error: 'token_missing', message: 'authentication is required' }, bearerChallenge(realm));
}

/** Fixed messages for answers whose cause must not be described further. */
const GENERIC: Partial<Record<TokenErrorCode, string>> = {
  token_invalid: 'the token is invalid, expired or revoked',
  token_expired: 'the token is invalid, expired or revoked',
  token_revoked: 'the token is invalid, expired or revoked',
  token_disabled: 'the token is disabled',
  insufficient_scope: 'the token does not grant access to this resource',
  forbidden: 'the caller may not do this',
  unavailable: 'the token service is unavailable; try again later',
};

const INTERNAL: HttpAnswer = answer(500, { error: 'internal_error', message: 'internal error' });

/**
 * The answer for a failed authentication or guard (RFC 6750 §3.1):
 * - `invalid_request` → 400 `error="invalid_request"`;
 * - `token_invalid` / `token_expired` / `token_revoked` / `token_disabled` → 401 `error="invalid_token"`;
 * - `insufficient_scope` → 403 `error="insufficient_scope"`, with `scope` when the guard names one;
 * - `unavailable` → 503 (a storage outage never lets a request through);
 * - anything else → its `TokenError` status, or 500 for foreign errors.
 */
export function authFailure(error: unknown, realm: string, scope?: string): HttpAnswer {
  // The application's own fault (a resolver's bad answer) is a server error, never the client's.
  if (!isTokenError(error) || isApplicationFault(error)) return INTERNAL;
  const message = GENERIC[error.code] ?? error.message;
  switch (error.code) {
    case 'invalid_request':
      return answer(400, { error: error.code, message }, bearerChallenge(realm, 'invalid_request'));
    case 'token_invalid':
    case 'token_expired':
    case 'token_revoked':
    case 'token_disabled':
      return answer(401, { error: error.code, message }, bearerChallenge(realm, 'invalid_token'));
    case 'insufficient_scope':
      return answer(403, { error: error.code, message }, bearerChallenge(realm, 'insufficient_scope', scope));
    default:
      return answer(error.status, { error: error.code, message, ...waitFields(error) });
  }
}

/** The members of a 429 answer that say how long to wait (`rate_limited`, `usage_exceeded`), else none. */
function waitFields(error: TokenError): Pick<ErrorFields, 'retryAfter' | 'ratelimit'> {
  if (error.status !== 429) return {};
  const { retryAfter = null, ratelimit } = error.details;
  return ratelimit === undefined ? { retryAfter } : { retryAfter, ratelimit };
}

/**
 * The answer for a failed management call: the `TokenError` status with its
 * code and (generic) message, plus the rejected field or the limit when the
 * error names one. 401s carry a Bearer challenge, as RFC 7235 requires.
 */
export function managementFailure(error: unknown, realm: string): HttpAnswer {
  if (!isTokenError(error)) return INTERNAL;
  if (error.status === 401 || error.code === 'insufficient_scope') return authFailure(error, realm);
  const message = GENERIC[error.code] ?? error.message;
  const body: { -readonly [K in keyof ErrorFields]: ErrorFields[K] } = { error: error.code, message };
  if (error.details.field !== undefined) body.field = error.details.field;
  if (error.details.limit !== undefined) body.limit = error.details.limit;
  return answer(error.status, { ...body, ...waitFields(error) });
}

/**
 * 415 for a body the route cannot read, or a body-less POST that a
 * cross-site form could have sent. `Accept` lists what the route reads
 * (RFC 9110 §12.5.1 lets a server name the media types it accepts).
 */
export function unsupportedMediaType(accepted: readonly string[], field: string, message: string): HttpAnswer {
  return errorAnswer(415, { error: 'invalid_request', message, field }, { accept: accepted.join(', ') });
}

/** 400 for a body the framework could not read, 413 for one over the limit. */
export function unreadableBody(status = 400): HttpAnswer {
  return answer(status === 413 ? 413 : 400, {
    error: 'invalid_request',
    message: status === 413 ? 'the request body is too large' : 'the request body could not be read',
  });
}
