import { invalid, isTokenError, TokenError } from '../core/errors.js';
import { parseNeed } from '../core/grants.js';
import { immediateVerifyOf } from '../core/immediate-verify.js';
import { consoleLogger, type Logger, safeLog } from '../core/logger.js';
import { withMethods } from '../core/options.js';
import { verifiedAllows } from '../core/principal.js';
import type { Principal } from '../core/principal-types.js';
import type { Need } from '../core/types.js';
import type { VerifyOptions } from '../service/types.js';
import { authFailure, checkRealm, type HttpAnswer, missingCredentials } from './answers.js';
import {
  EXTRACTION_KEYS,
  type ExtractionOptions,
  type ExtractionSettings,
  extractionSettings,
  extractTokenValue,
  type RequestParts,
} from './extract.js';
import { type MeteringOptions, type MeteringSettings, meteringSettings } from './metering.js';
import { booleanOption, functionOption, optionsObject, tenantOption, verifierOption } from './options.js';
import { scopeToken } from './scope.js';

/**
 * Anything that turns a token string into a principal: a `TokenService`,
 * or a remote verifier (`createRemoteVerifier`) in a service that checks
 * tokens against a central platform.
 */
export interface TokenVerifier {
  verify(token: string, options?: VerifyOptions): Promise<Principal>;
  /** Present on a `TokenService`; needed only for `record`. */
  record?(principal: Principal, operation: string, detail?: Readonly<Record<string, unknown>>): Promise<void>;
}

/** Options both framework helpers take for recording uses as token events. */
export interface RecordingOptions {
  /**
   * Record every authenticated request as a `used` token event (method,
   * route pattern, status) after the response is sent. Needs a
   * `TokenService`; recording failures never fail the request.
   */
  readonly record?: boolean;
  /** Called when recording fails (default: a warning to `logger` naming only the error code). */
  readonly onRecordError?: (error: unknown) => void;
  /**
   * Where the default `onRecordError` writes its warning (the service's
   * `Logger` shape: `warn` and `error`; default: the console).
   */
  readonly logger?: Logger;
}

/** @internal Where the realm a request was answered with is kept, so later guards answer alike. */
export const REALM = Symbol('tokenward.realm');

/**
 * True once any request of this process was given a realm other than the
 * default. Until then no request can carry one, so the default realm needs
 * neither a write nor a read: on an Express request even the read of an
 * absent property (down a long prototype chain) cost more than the guard
 * (issue 12).
 */
let otherRealmSeen = false;

/**
 * @internal Remembers the realm on the request itself (a symbol key: cheaper
 * than a WeakMap entry per request). The default realm is written only over
 * another one: a guard that finds none answers with the default anyway.
 */
export function rememberRealm(request: object, realm: string): void {
  if (realm !== DEFAULT_REALM) otherRealmSeen = true;
  else if (!otherRealmSeen) return;
  const known = (request as Record<symbol, string | null | undefined>)[REALM];
  if (realm !== DEFAULT_REALM || (known !== undefined && known !== null)) {
    (request as Record<symbol, string>)[REALM] = realm;
  }
}

/** @internal The realm of a guard with neither its own nor one remembered on the request. */
export const DEFAULT_REALM = 'api';

/** @internal The realm remembered on a request, if any. */
export function rememberedRealm(request: object): string | undefined {
  return (request as Record<symbol, string | undefined>)[REALM];
}

/** Options shared by the Express middleware and the Fastify plugin. */
export interface AuthOptions extends ExtractionOptions {
  /** The `realm` of the `WWW-Authenticate` challenge (default `api`); configuration only, never request data. */
  readonly realm?: string;
  /** Let requests without any token through with no principal (default false). Bad tokens are still refused. */
  readonly optional?: boolean;
}

/** @internal Options after validation. */
export interface AuthSettings {
  readonly realm: string;
  readonly optional: boolean;
  readonly extraction: ExtractionSettings;
}

/** @internal Validates the options once, at setup. */
export function authSettings(options: AuthOptions = {}): AuthSettings {
  return {
    realm: checkRealm(options.realm),
    optional: booleanOption(options.optional, 'optional', false),
    extraction: extractionSettings(options),
  };
}

/** @internal Everything `tokenAuth` and the Fastify plugin take, validated once; `R` is the framework's request. */
export interface HelperSettings<Resolver, R = unknown> extends AuthSettings {
  readonly verifier: TokenVerifier;
  readonly tenant: string | Resolver | undefined;
  readonly record: boolean;
  readonly onRecordError: (error: unknown) => void;
  /** What each request spends from a metered token. */
  readonly metering: MeteringSettings<R>;
}

const HELPER_KEYS: readonly string[] = [
  ...EXTRACTION_KEYS,
  'realm',
  'optional',
  'tenant',
  'record',
  'onRecordError',
  'cost',
  'ratelimit',
  'logger',
];

/**
 * @internal Validates the options of an authentication helper: unknown keys
 * (`extraKeys` adds the framework's own), each option's type, and `record`
 * with a verifier that cannot record. Every refusal is a
 * `TokenError('invalid_request')` naming the option.
 */
export function helperSettings<Resolver, R = unknown>(
  verifierInput: unknown,
  options: unknown,
  extraKeys: readonly string[] = [],
): HelperSettings<Resolver, R> {
  const verifier = verifierOption(verifierInput);
  const checked = optionsObject(options, [...HELPER_KEYS, ...extraKeys]) as AuthOptions & RecordingOptions;
  const record = booleanOption(checked.record, 'record', false);
  if (record && typeof verifier.record !== 'function') {
    throw invalid('record', 'needs a TokenService: this verifier cannot record uses');
  }
  const logger =
    checked.logger === undefined
      ? consoleLogger
      : withMethods<Logger>(checked.logger, 'logger', ['warn', 'error'], 'a Logger');
  return {
    ...authSettings(checked),
    verifier,
    tenant: tenantOption<Resolver>((checked as { tenant?: unknown }).tenant),
    record,
    onRecordError: functionOption(checked.onRecordError, 'onRecordError') ?? warnRecordFailure(logger),
    metering: meteringSettings(checked as MeteringOptions<R>),
  };
}

/** The outcome of authenticating one request. */
export type AuthOutcome =
  | { readonly kind: 'principal'; readonly principal: Principal }
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'refused'; readonly answer: HttpAnswer };

/**
 * @internal Extracts and verifies the request's token. A verifier failure of
 * any kind refuses the request (storage outages answer 503): nothing but a
 * principal lets it through, apart from an absent token in optional mode.
 * The promise never rejects.
 */
export function authenticate(
  verifier: TokenVerifier,
  request: RequestParts,
  settings: AuthSettings,
  verifyOptions?: VerifyOptions,
): Promise<AuthOutcome> {
  const token = requestToken(request, settings);
  return typeof token === 'string'
    ? verifyRequestToken(verifier, token, settings.realm, verifyOptions)
    : Promise.resolve(token);
}

const ANONYMOUS: AuthOutcome = Object.freeze({ kind: 'anonymous' });

/**
 * @internal The synchronous half of `authenticate`: the request's token, or
 * the outcome of a request without one (anonymous in optional mode, else
 * refused) or with a malformed one (refused). The adapters call the two
 * halves themselves, so a guarded request waits on the verifier's promise
 * alone (issue 12: each async layer cost a promise and a microtask).
 */
export function requestToken(request: RequestParts, settings: AuthSettings): string | AuthOutcome {
  try {
    const found = extractTokenValue(request, settings.extraction);
    if (found !== null) return found;
    return settings.optional ? ANONYMOUS : { kind: 'refused', answer: missingCredentials(settings.realm) };
  } catch (error) {
    return { kind: 'refused', answer: authFailure(error, settings.realm) };
  }
}

/**
 * @internal The asynchronous half of `authenticate`: the token's principal,
 * or the refusal (in `realm`) of whatever the verifier threw or rejected
 * with. The promise never rejects.
 */
export function verifyRequestToken(
  verifier: TokenVerifier,
  token: string,
  realm: string,
  verifyOptions: VerifyOptions | undefined,
): Promise<AuthOutcome> {
  return verification(verifier, token, verifyOptions).then(
    (principal): AuthOutcome => ({ kind: 'principal', principal }),
    (error: unknown) => refusedWith(error, realm),
  );
}

/**
 * @internal The verifier's answer for `token` as a native promise, whatever
 * the verifier does: one that throws instead of rejecting gives a rejected
 * promise, one that answers without a promise a resolved one. The Express
 * middleware and the Fastify hook attach their two handlers to it directly,
 * so a request costs one promise reaction and no outcome object (issue 12).
 */
export function verification(
  verifier: TokenVerifier,
  token: string,
  verifyOptions: VerifyOptions | undefined,
): Promise<Principal> {
  try {
    // Promise.resolve hands a native promise back as it is, and makes anything else one.
    return Promise.resolve(verifier.verify(token, verifyOptions));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * @internal What an adapter does with a verification's outcome, given the
 * request's own framework objects (up to four), so no closure is made per
 * request. Neither may throw: each catches what answering throws.
 */
export interface Settlement<A, B, C, D> {
  accept(a: A, b: B, c: C, d: D, principal: Principal): void;
  refuse(a: A, b: B, c: C, d: D, error: unknown): void;
}

/**
 * @internal Verifies `token` and settles the request: in this very call
 * when the verifier is a token service whose verification answered
 * directly (its synchronous form, src/core/immediate-verify.ts: on the
 * memory store a guarded request then goes on with no promise and no
 * microtask, issue 12), otherwise when the verifier's promise settles.
 * Never throws and never settles twice.
 */
export function settleVerification<A, B, C, D>(
  verifier: TokenVerifier,
  token: string,
  verifyOptions: VerifyOptions | undefined,
  settlement: Settlement<A, B, C, D>,
  a: A,
  b: B,
  c: C,
  d: D,
): void {
  let now: ReturnType<typeof immediateVerifyOf<VerifyOptions>>;
  try {
    now = immediateVerifyOf<VerifyOptions>(verifier);
  } catch {
    // A verifier that will not be asked for the entry (a strict or instrumenting Proxy): the promise path.
    now = undefined;
  }
  let answer: Principal | Promise<Principal>;
  if (now === undefined) answer = verification(verifier, token, verifyOptions);
  else {
    try {
      answer = now(token, verifyOptions);
    } catch (error) {
      settlement.refuse(a, b, c, d, error);
      return;
    }
  }
  if (answer instanceof Promise) {
    answer.then(
      (principal) => settlement.accept(a, b, c, d, principal),
      (error: unknown) => settlement.refuse(a, b, c, d, error),
    );
  } else settlement.accept(a, b, c, d, answer);
}

function refusedWith(error: unknown, realm: string): AuthOutcome {
  return { kind: 'refused', answer: authFailure(error, realm) };
}

/** @internal A guard compiled at setup: the needs and the `scope` attribute naming them. */
export interface GrantGuard {
  readonly needs: readonly Need[];
  readonly scope: string;
}

/**
 * @internal Validates a guard's needs at setup. The `scope` attribute lists
 * every need as its RFC 6749 scope token (`bucket:in.c-main:write`, see
 * `scope.ts`), so a client learns exactly what to ask for.
 */
export function grantGuard(need: Need | readonly Need[], field = 'need'): GrantGuard {
  const list: readonly unknown[] = Array.isArray(need) ? need : [need];
  if (list.length === 0) throw invalid(field, 'must name at least one need');
  const needs = list.map((item, index) => {
    const at = Array.isArray(need) ? `${field}[${index}]` : field;
    try {
      return parseNeed(item);
    } catch {
      throw invalid(at, 'must be { bucket, access }, { component, action } or { scope }');
    }
  });
  return { needs, scope: needs.map(scopeToken).join(' ') };
}

/** @internal Validates the options of `requireGrant` (every framework; `extraKeys` adds its own). */
export function guardRealm(options: unknown, extraKeys: readonly string[] = []): string | undefined {
  const checked = optionsObject(options, ['realm', ...extraKeys]);
  return checked.realm === undefined ? undefined : checkRealm(checked.realm);
}

/**
 * @internal True when the principal covers every need of the guard: the
 * check of a request let through, which needs no realm and builds no answer
 * (`checkGuard` builds the refusal).
 */
export function guardAllows(principal: Principal | null | undefined, guard: GrantGuard): boolean {
  if (principal === null || principal === undefined) return false;
  // The guard's needs were parsed at setup: a principal tokenward made is asked with them as they
  // are, without `can`'s per-call parse (a Unicode regular expression per name; issue 12). Any other
  // object (a remote verifier's custom principal) is asked through its own `can`.
  const allowed = verifiedAllows(principal, guard.needs);
  if (allowed !== undefined) return allowed;
  for (const need of guard.needs) if (!principal.can(need)) return false;
  return true;
}

/** @internal Checks a principal against a guard: null when allowed, otherwise the answer. */
export function checkGuard(
  principal: Principal | null | undefined,
  guard: GrantGuard,
  realm: string,
): HttpAnswer | null {
  // A guard without authentication in front of it is a configuration slip; refuse rather than pass.
  if (principal === null || principal === undefined) return missingCredentials(realm);
  // The same check as a guard that lets the request through (the Fetch API and Hono guards call this alone).
  if (guardAllows(principal, guard)) return null;
  return authFailure(new TokenError('insufficient_scope', 'insufficient scope'), realm, guard.scope);
}

/** @internal Records one authenticated request after its response; failures never reach the request. */
export function recordUse(
  verifier: TokenVerifier,
  principal: Principal,
  use: { readonly method: string; readonly route: string; readonly status: number },
  onError: (error: unknown) => void,
): void {
  if (verifier.record === undefined) return;
  const operation = `${use.method} ${use.route}`;
  let pending: Promise<void>;
  try {
    pending = verifier.record(principal, operation, { method: use.method, route: use.route, status: use.status });
  } catch (error) {
    onError(error);
    return;
  }
  pending.catch(onError);
}

/** @internal The default handler of recording failures: a warning to `logger` with the error code only. */
export function warnRecordFailure(logger: Logger): (error: unknown) => void {
  // Only the error code is logged: never the token, the principal or the error's message.
  return (error) =>
    safeLog(logger, 'warn', 'recording a use failed', {
      source: 'tokenward/http',
      code: isTokenError(error) ? error.code : 'error',
    });
}
