/**
 * Token extraction as it was written before issue 12 made it a scan of
 * character codes: regular expressions and per-name lists. The plain
 * reference the fast path is proven equal to (test/http/extract.test.ts).
 */
import { TokenError } from '../../../src/core/errors.js';
import type { ExtractedToken, ExtractionSettings, RequestParts } from '../../../src/http/extract.js';

const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const BEARER_CREDENTIALS = /^ +([^ ]*)$/;

const malformed = (message: string): TokenError => new TokenError('invalid_request', message);

function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name) values.push(rawHeaders[i + 1]!);
  }
  return values;
}

function bearerCredential(value: string): string | null {
  if (value === '') throw malformed('the Authorization header is empty');
  const schemeEnd = value.search(/[ \t]/);
  const scheme = schemeEnd === -1 ? value : value.slice(0, schemeEnd);
  if (scheme.toLowerCase() !== 'bearer') return null;
  const match = BEARER_CREDENTIALS.exec(value.slice(scheme.length));
  if (match === null || match[1] === '') {
    throw malformed('the Authorization header must be "Bearer" followed by one token');
  }
  return match[1]!;
}

function cookieValues(rawHeaders: readonly string[], name: string): string[] {
  const found: string[] = [];
  for (const header of headerValues(rawHeaders, 'cookie')) {
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      found.push(value);
    }
  }
  return found;
}

function queryValues(url: string): string[] {
  const start = url.indexOf('?');
  if (start === -1) return [];
  const hashAt = url.indexOf('#', start);
  const search = url.slice(start + 1, hashAt === -1 ? undefined : hashAt);
  if (!search.includes('access_token') && !search.includes('%')) return [];
  return new URLSearchParams(search).getAll('access_token');
}

function checkShape(token: string, settings: ExtractionSettings, where: string): string {
  if (token.length > settings.maxTokenLength) throw new TokenError('token_invalid', 'the token is invalid');
  if (!B64TOKEN.test(token)) throw malformed(`the token in the ${where} has characters a token cannot have`);
  return token;
}

export function plainExtractToken(request: RequestParts, settings: ExtractionSettings): ExtractedToken | null {
  const found: ExtractedToken[] = [];
  if (settings.authorization) {
    const values = headerValues(request.rawHeaders, 'authorization');
    if (values.length > 1) throw malformed('the Authorization header is repeated');
    if (values.length === 1) {
      const credential = bearerCredential(values[0]!);
      if (credential !== null) {
        found.push({ token: checkShape(credential, settings, 'Authorization header'), source: 'authorization' });
      }
    }
  }
  if (settings.header !== null) {
    const values = headerValues(request.rawHeaders, settings.header);
    if (values.length > 1) throw malformed('the token header is repeated');
    if (values.length === 1) {
      if (values[0] === '') throw malformed('the token header is empty');
      found.push({ token: checkShape(values[0]!, settings, 'token header'), source: 'header' });
    }
  }
  if (settings.cookie !== null) {
    const distinct = [...new Set(cookieValues(request.rawHeaders, settings.cookie))];
    if (distinct.length > 1) throw malformed('the token cookie is set more than once');
    if (distinct.length === 1) {
      if (distinct[0] === '') throw malformed('the token cookie is empty');
      found.push({ token: checkShape(distinct[0]!, settings, 'token cookie'), source: 'cookie' });
    }
  }
  const queried = queryValues(request.url);
  if (queried.length > 0) {
    if (!settings.query) throw malformed('tokens in the query string are not accepted; use the Authorization header');
    if (queried.length > 1) throw malformed('the access_token parameter is repeated');
    found.push({ token: checkShape(queried[0]!, settings, 'query string'), source: 'query' });
  }
  if (found.length === 0) return null;
  const first = found[0]!;
  if (found.some((candidate) => candidate.token !== first.token)) {
    throw malformed('the request carries two different tokens');
  }
  return first;
}
