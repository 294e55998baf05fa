import { type HttpAnswer, unsupportedMediaType } from './answers.js';
import { type AmbientHeaders, carriesPreflightedHeader, NO_EXTRA_AMBIENT } from './cross-site.js';
import { readJsonBody, utf8Text } from './json.js';

/**
 * @internal What the management and introspection routes accept as a
 * request body, decided from the headers before any body is read, the same
 * way for Express and Fastify.
 */

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** What a route reads from its body: JSON only, or JSON and HTML-form fields (RFC 7009, RFC 7662, claims). */
export type BodyKind = 'json' | 'json-or-form';

export const JSON_TYPE = 'application/json';
export const FORM_TYPE = 'application/x-www-form-urlencoded';

/** @internal Whether a request announces a body (so an unparsed body means an unsupported content type). */
export function announcesBody(headers: Headers): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return typeof length === 'string' && length !== '0';
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The media type (lower case, without parameters) and its `charset` parameter, if any. */
export function mediaType(contentType: string): { readonly type: string; readonly charset: string | undefined } {
  const [type = '', ...parameters] = contentType.split(';');
  let charset: string | undefined;
  for (const parameter of parameters) {
    const eq = parameter.indexOf('=');
    if (eq !== -1 && parameter.slice(0, eq).trim().toLowerCase() === 'charset') {
      charset = parameter
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
    }
  }
  return { type: type.trim().toLowerCase(), charset };
}

function accepted(kind: BodyKind): readonly string[] {
  return kind === 'json' ? [JSON_TYPE] : [JSON_TYPE, FORM_TYPE];
}

/**
 * @internal Refuses, with 415, what a route cannot read or what a
 * cross-site form could have sent; null lets the request through.
 *
 * - `Content-Encoding` other than `identity`: neither framework decodes it alike, so neither accepts it.
 * - A `Content-Type` outside the route's list, or a `charset` other than UTF-8 (RFC 8259 §8.1).
 * - A body with no `Content-Type` at all.
 * - On JSON-only routes, a POST without a body that sends neither
 *   `Content-Type: application/json` nor a header a form cannot set: an
 *   HTML form (or a "simple" cross-site `fetch`) can POST with the user's
 *   cookies and no body, but cannot set such a header without a CORS
 *   preflight. PATCH, PUT and DELETE never come from a form or a simple
 *   request; routes that take form fields carry their credential in the body.
 */
export function bodyRefusal(
  method: string,
  headers: Headers,
  kind: BodyKind,
  ambient: AmbientHeaders = NO_EXTRA_AMBIENT,
): HttpAnswer | null {
  const types = accepted(kind);
  const encoding = single(headers['content-encoding'])?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    return unsupportedMediaType(types, 'content-encoding', 'the request body must not be compressed');
  }
  const contentType = single(headers['content-type']);
  if (contentType !== undefined) {
    const { type, charset } = mediaType(contentType);
    if (!types.includes(type) || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
      return unsupportedMediaType(types, 'content-type', bodyRule(kind));
    }
    return null;
  }
  if (announcesBody(headers)) return unsupportedMediaType(types, 'content-type', bodyRule(kind));
  if (kind === 'json' && method === 'POST' && !carriesPreflightedHeader(headers, ambient)) {
    return unsupportedMediaType(
      types,
      'content-type',
      'a POST without a body must send Content-Type: application/json (cross-site form protection)',
    );
  }
  return null;
}

function bodyRule(kind: BodyKind): string {
  return kind === 'json'
    ? 'the request body must be JSON (Content-Type: application/json; charset UTF-8)'
    : 'the request body must be JSON or form fields (application/x-www-form-urlencoded; charset UTF-8)';
}

/**
 * @internal Form fields (RFC 7009, RFC 7662 and claim requests) read the way
 * `URLSearchParams` reads them, on both frameworks: names and values
 * percent-decoded, `+` as a space, no bracket syntax; a repeated field
 * becomes a list, which the routes refuse. `undefined` for an empty body.
 */
export function readFormBody(content: Uint8Array | string): Record<string, string | string[]> | undefined {
  const text = utf8Text(content);
  if (text === '') return undefined;
  // No prototype: a field named `__proto__` is a field like any other.
  const fields: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = Object.hasOwn(fields, key) ? fields[key] : undefined;
    fields[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return fields;
}

/** @internal A body read by the route's own reader for its (already checked) content type. */
export function readBody(contentType: string | undefined, content: Uint8Array | string): unknown {
  const type = contentType === undefined ? JSON_TYPE : mediaType(contentType).type;
  return type === FORM_TYPE ? readFormBody(content) : readJsonBody(content);
}
