import { invalid, TokenError } from '../core/errors.js';

/** @internal Reading untrusted request bodies and query strings for the management API. */

/** The body as an object: absent is `{}`, anything but an object is refused. */
function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === '') return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TokenError('invalid_request', 'the request body must be a JSON object', { field: 'body' });
  }
  return body as Record<string, unknown>;
}

/**
 * A JSON object body; an absent body counts as `{}`. Unknown keys are
 * refused, and so is anything but an object (`null` included: a JSON
 * `null` is a body, not the absence of one), whoever parsed it.
 */
export function bodyObject(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  const record = objectBody(body);
  for (const key of Object.keys(record)) {
    // The key is request data: name it only when it is a plain identifier.
    if (!allowed.includes(key)) {
      throw invalid(/^[A-Za-z_]{1,40}$/.test(key) ? key : 'body', 'is not a known field');
    }
  }
  return record;
}

/**
 * The parameters of an OAuth endpoint (RFC 7009, RFC 7662) from a form or
 * JSON body: only the `known` ones are read, each a string given at most
 * once (RFC 6749 §3.1; a repeated form field arrives as a list), and an
 * empty value counts as absent. Unknown parameters are ignored, as RFC 6749
 * §3.2 requires: a client may send `client_id`, `resource` or extensions
 * this server does not know.
 */
export function oauthParameters<K extends string>(body: unknown, known: readonly K[]): Partial<Record<K, string>> {
  const fields = objectBody(body);
  const found: Partial<Record<K, string>> = {};
  for (const name of known) {
    if (!Object.hasOwn(fields, name)) continue;
    const value = fields[name];
    if (Array.isArray(value)) throw invalid(name, 'must be given once');
    if (typeof value !== 'string') throw invalid(name, 'must be a string');
    if (value !== '') found[name] = value;
  }
  return found;
}

/** One query parameter; repeated parameters are refused. */
export function queryString(query: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(name, 'must be given once');
  return value;
}

export function queryBoolean(query: Readonly<Record<string, unknown>>, name: string): boolean | undefined {
  const value = queryString(query, name);
  if (value === undefined) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalid(name, "must be 'true' or 'false'");
}

export function queryInteger(query: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const value = queryString(query, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,7}$/.test(value)) throw invalid(name, 'must be a positive integer');
  return Number(value);
}

/** An optional string field of a body. */
export function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(name, 'must be a string');
  return value;
}
