import { TokenError } from '../core/errors.js';
import { repeatedName } from '../core/json-names.js';

/**
 * @internal The strict JSON body reader of the management and introspection
 * routes, shared by the Express and Fastify helpers so both answer alike.
 *
 * `JSON.parse` does the parsing; what it cannot do is notice a member name
 * given twice (it keeps the last one silently). A proxy or WAF that keeps
 * the first would then see another request than the app does, so repeated
 * names are refused. General JSON parsers that report duplicates exist, but
 * they would be a second full parser (and a runtime dependency of every
 * install) for one narrow question about text `JSON.parse` has already
 * accepted; `repeatedName` answers it with a single pass over that text.
 */

// A fatal decoder refuses invalid UTF-8 instead of turning it into U+FFFD; a leading BOM is dropped (RFC 8259 §8.1).
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function invalidBody(message: string, field = 'body'): TokenError {
  return new TokenError('invalid_request', message, { field });
}

/** @internal A body's bytes as text; bytes that are not UTF-8 are refused, not replaced. */
export function utf8Text(content: Uint8Array | string): string {
  if (typeof content === 'string') return content;
  try {
    return UTF8.decode(content);
  } catch {
    throw invalidBody('the request body is not valid UTF-8');
  }
}

/**
 * Reads a JSON request body: `undefined` for an empty one (a POST without a
 * body), otherwise a plain object. Refuses with `TokenError('invalid_request')`
 * (`field: 'body'`, or the path of a repeated name such as `grants[0].bucket`):
 * bytes that are not UTF-8, text that is not JSON, a value that is not an
 * object (`null`, a number, a string, a boolean, an array), and an object
 * anywhere in it that names one member twice, however the names are escaped.
 */
export function readJsonBody(content: Uint8Array | string): Record<string, unknown> | undefined {
  const text = utf8Text(content);
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidBody('the request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidBody('the request body must be a JSON object');
  }
  const repeated = repeatedName(text);
  if (repeated !== null) {
    throw repeated === 'body'
      ? invalidBody('the request body gives a member name twice')
      : invalidBody(`${repeated} is given more than once`, repeated);
  }
  return value as Record<string, unknown>;
}
