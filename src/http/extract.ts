import { invalid, TokenError } from '../core/errors.js';
import { booleanOption } from './options.js';

/**
 * @internal Token extraction from an HTTP request, shared by the Express and
 * Fastify helpers. It works on the raw header list so that a repeated header
 * is seen as repeated (Node keeps only the first `Authorization` in
 * `req.headers`), and it never puts anything from the request into an error
 * message.
 */

/** Where a token may come from. */
export type TokenSource = 'authorization' | 'header' | 'cookie' | 'query';

/** Where to look for a token, besides `Authorization: Bearer`. */
export interface ExtractionOptions {
  /** Accept `Authorization: Bearer <token>` (default true). */
  readonly authorization?: boolean;
  /** A custom header carrying the bare token, e.g. Database Lab's `Verification-Token`. */
  readonly header?: string;
  /** A cookie carrying the token, e.g. Tengri's `auth_token`. */
  readonly cookie?: string;
  /**
   * Accept the RFC 6750 `access_token` query parameter (default false: such
   * requests are refused with `invalid_request`, since URLs end up in logs).
   */
  readonly query?: boolean;
  /** Longer credentials are refused as `token_invalid` without a lookup (default 4096). */
  readonly maxTokenLength?: number;
}

/** The parts of a request extraction reads. */
export interface RequestParts {
  /** `[name, value, name, value, …]` exactly as received (Node's `rawHeaders`). */
  readonly rawHeaders: readonly string[];
  /** The request target: path and query string. */
  readonly url: string;
}

/** A token found in a request. */
export interface ExtractedToken {
  readonly token: string;
  readonly source: TokenSource;
}

/** Extraction settings after validation. */
export interface ExtractionSettings {
  readonly authorization: boolean;
  readonly header: string | null;
  readonly cookie: string | null;
  readonly query: boolean;
  readonly maxTokenLength: number;
}

// RFC 7230 token characters, for header and cookie names given in configuration.
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 6750 §2.1 b64token: what may follow `Bearer ` in the Authorization header. */
export const B64TOKEN: RegExp = /^[A-Za-z0-9\-._~+/]+=*$/;
/** 1 for each character code of the b64token set before its `=` padding: `A-Z a-z 0-9 - . _ ~ + /`. */
const B64_CHARS: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/')
    table[char.charCodeAt(0)] = 1;
  return table;
})();
const EQUALS = 0x3d;

/**
 * True when `value` matches `B64TOKEN` (RFC 6750 §2.1 b64token): one or
 * more token characters, then only `=`. A scan of the character codes,
 * proven equal to the regular expression by fast-check
 * (test/http/extract.test.ts): it runs on every guarded request (issue 12).
 */
export function isB64Token(value: string): boolean {
  const length = value.length;
  let at = 0;
  // Codes of 128 and above read `undefined` from the table: not token characters.
  while (at < length && B64_CHARS[value.charCodeAt(at)] === 1) at++;
  if (at === 0) return false;
  while (at < length && value.charCodeAt(at) === EQUALS) at++;
  return at === length;
}

// Longer than any header a Node server accepts by default (16 KiB), with room to spare.
const MAX_TOKEN_LENGTH_LIMIT = 65_536;

/** Extraction options, as `AuthOptions` lists them for the helpers that check unknown keys. */
export const EXTRACTION_KEYS: readonly string[] = ['authorization', 'header', 'cookie', 'query', 'maxTokenLength'];

/**
 * Validates extraction options once, at setup: a bad option is a
 * `TokenError('invalid_request')` naming it, as is a setup with no token source.
 */
export function extractionSettings(options: ExtractionOptions = {}): ExtractionSettings {
  const { header, cookie } = options;
  if (
    header !== undefined &&
    (typeof header !== 'string' || !HTTP_TOKEN.test(header) || header.toLowerCase() === 'authorization')
  ) {
    throw invalid('header', 'must be a header name other than Authorization');
  }
  if (cookie !== undefined && (typeof cookie !== 'string' || !HTTP_TOKEN.test(cookie))) {
    throw invalid('cookie', 'must be a cookie name');
  }
  const maxTokenLength = options.maxTokenLength ?? 4096;
  if (!Number.isSafeInteger(maxTokenLength) || maxTokenLength < 16 || maxTokenLength > MAX_TOKEN_LENGTH_LIMIT) {
    throw invalid('maxTokenLength', 'must be an integer from 16 to 65536');
  }
  const settings: ExtractionSettings = {
    authorization: booleanOption(options.authorization, 'authorization', true),
    header: header === undefined ? null : header.toLowerCase(),
    cookie: cookie ?? null,
    query: booleanOption(options.query, 'query', false),
    maxTokenLength,
  };
  if (!settings.authorization && settings.header === null && settings.cookie === null && !settings.query) {
    throw invalid('authorization', 'is off and no other token source (header, cookie, query) is on');
  }
  return settings;
}

function malformed(message: string): TokenError {
  return new TokenError('invalid_request', message);
}

/** True when the raw header name `raw` is `name` (given in lower case), without lowering every name. */
function isHeader(raw: string, name: string): boolean {
  return raw.length === name.length && (raw === name || raw.toLowerCase() === name);
}

function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (isHeader(rawHeaders[i]!, name)) values.push(rawHeaders[i + 1]!);
  }
  return values;
}

/** The value of the one header `name`, undefined without one; a repeated header is malformed. */
function singleHeader(rawHeaders: readonly string[], name: string, repeated: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (!isHeader(rawHeaders[i]!, name)) continue;
    if (found !== undefined) throw malformed(repeated);
    found = rawHeaders[i + 1]!;
  }
  return found;
}

const SPACE = 0x20;
const TAB = 0x09;
/** `bearer`, one character code per letter, compared ignoring ASCII case. */
const BEARER = [0x62, 0x65, 0x61, 0x72, 0x65, 0x72];

/** True when the scheme `value[0, end)` is `Bearer` in any ASCII case, as `toLowerCase() === 'bearer'` says. */
function isBearerScheme(value: string, end: number): boolean {
  if (end !== BEARER.length) return false;
  for (let i = 0; i < end; i++) if ((value.charCodeAt(i) | 0x20) !== BEARER[i]) return false;
  return true;
}

/**
 * The credential of an `Authorization` value, `null` when the value uses
 * another scheme (then it is not ours to judge: RFC 6750 §3.1 treats an
 * unsupported method like no credentials at all). The scheme ends at the
 * first space or tab; `Bearer` must be followed by one or more spaces and
 * one credential without spaces. A scan of the characters, proven equal by
 * fast-check (test/http/extract.test.ts) to the regular expressions it
 * replaces: this runs on every guarded request (issue 12).
 */
function bearerCredential(value: string): string | null {
  if (value === '') throw malformed('the Authorization header is empty');
  let schemeEnd = 0;
  while (schemeEnd < value.length) {
    const code = value.charCodeAt(schemeEnd);
    if (code === SPACE || code === TAB) break;
    schemeEnd++;
  }
  if (!isBearerScheme(value, schemeEnd)) return null;
  let start = schemeEnd;
  while (start < value.length && value.charCodeAt(start) === SPACE) start++;
  if (start === schemeEnd || start === value.length || value.indexOf(' ', start) !== -1) {
    throw malformed('the Authorization header must be "Bearer" followed by one token');
  }
  return value.slice(start);
}

function cookieValues(rawHeaders: readonly string[], name: string): string[] {
  const found: string[] = [];
  for (const header of headerValues(rawHeaders, 'cookie')) {
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
      let value = pair.slice(eq + 1).trim();
      // RFC 6265 allows the value in double quotes.
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      found.push(value);
    }
  }
  return found;
}

/** No query values: shared, so the common request (no query string) allocates no list. */
const NONE: readonly string[] = Object.freeze([]);

/**
 * The values of every `access_token` parameter, with names compared after
 * decoding exactly as a form decoder (`URLSearchParams`, and the frameworks'
 * query parsers) reads them: `access%5Ftoken` and `%61ccess_token` are the
 * same parameter, so they cannot slip a token past the checks.
 */
function queryValues(url: string): readonly string[] {
  const start = url.indexOf('?');
  if (start === -1) return NONE;
  const hashAt = url.indexOf('#', start);
  const search = url.slice(start + 1, hashAt === -1 ? undefined : hashAt);
  // Fast path: without the plain name or any percent-escape, no parameter can decode to it.
  if (!search.includes('access_token') && !search.includes('%')) return NONE;
  return new URLSearchParams(search).getAll('access_token');
}

function checkShape(token: string, settings: ExtractionSettings, where: string): string {
  if (token.length > settings.maxTokenLength) {
    // Well-formed but too long to be any token we issue: no lookup needed.
    throw new TokenError('token_invalid', 'the token is invalid');
  }
  if (!isB64Token(token)) throw malformed(`the token in the ${where} has characters a token cannot have`);
  return token;
}

/**
 * Finds the request's token. Returns null when there is none; throws
 * `TokenError('invalid_request')` for a malformed request: a repeated
 * header, a bad `Authorization` value, characters outside the RFC 6750
 * `b64token` set, a query-string token when those are off, or two different
 * tokens in one request (the same token in two places is accepted).
 */
export function extractToken(request: RequestParts, settings: ExtractionSettings): ExtractedToken | null {
  const found: Found = { first: null, differs: false };

  if (settings.authorization) {
    const value = singleHeader(request.rawHeaders, 'authorization', 'the Authorization header is repeated');
    if (value !== undefined) {
      const credential = bearerCredential(value);
      if (credential !== null) note(found, checkShape(credential, settings, 'Authorization header'), 'authorization');
    }
  }

  if (settings.header !== null) {
    const value = singleHeader(request.rawHeaders, settings.header, 'the token header is repeated');
    if (value !== undefined) {
      if (value === '') throw malformed('the token header is empty');
      note(found, checkShape(value, settings, 'token header'), 'header');
    }
  }

  if (settings.cookie !== null) {
    const values = cookieValues(request.rawHeaders, settings.cookie);
    const distinct = [...new Set(values)];
    if (distinct.length > 1) throw malformed('the token cookie is set more than once');
    if (distinct.length === 1) {
      if (distinct[0] === '') throw malformed('the token cookie is empty');
      note(found, checkShape(distinct[0]!, settings, 'token cookie'), 'cookie');
    }
  }

  const queried = queryValues(request.url);
  if (queried.length > 0) {
    if (!settings.query) throw malformed('tokens in the query string are not accepted; use the Authorization header');
    if (queried.length > 1) throw malformed('the access_token parameter is repeated');
    note(found, checkShape(queried[0]!, settings, 'query string'), 'query');
  }

  if (found.differs) throw malformed('the request carries two different tokens');
  return found.first;
}

/**
 * The request's token alone, as `extractToken` finds it (the same token,
 * null, or the same error). A request of a setup that reads only the
 * `Authorization` header (and the query string), the common one, is
 * answered without the bookkeeping of several sources: no object is made
 * for a request that carries a token (issue 12).
 */
export function extractTokenValue(request: RequestParts, settings: ExtractionSettings): string | null {
  if (settings.header !== null || settings.cookie !== null) return extractToken(request, settings)?.token ?? null;
  let token: string | null = null;
  if (settings.authorization) {
    const value = singleHeader(request.rawHeaders, 'authorization', 'the Authorization header is repeated');
    if (value !== undefined) {
      const credential = bearerCredential(value);
      if (credential !== null) token = checkShape(credential, settings, 'Authorization header');
    }
  }
  const queried = queryValues(request.url);
  if (queried.length === 0) return token;
  if (!settings.query) throw malformed('tokens in the query string are not accepted; use the Authorization header');
  if (queried.length > 1) throw malformed('the access_token parameter is repeated');
  const fromQuery = checkShape(queried[0]!, settings, 'query string');
  if (token !== null && fromQuery !== token) throw malformed('the request carries two different tokens');
  return fromQuery;
}

/**
 * The first token found, and whether another source carried a different
 * one: that refusal comes last, after every source has had its own checks.
 */
interface Found {
  first: ExtractedToken | null;
  differs: boolean;
}

/** Notes a token found in `source`. (A function of the module, not a closure: this runs on every guarded request.) */
function note(found: Found, token: string, source: TokenSource): void {
  if (found.first === null) found.first = { token, source };
  else if (token !== found.first.token) found.differs = true;
}
