import { TokenError } from '../core/errors.js';

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

// Field names are request data: a path is named in an answer only when every step is a plain identifier.
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;
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

/** One open object or array while scanning. */
type Frame =
  | { readonly kind: 'object'; readonly names: Set<string>; name: string | null; expectingName: boolean }
  | { readonly kind: 'array'; index: number };

/** Where a string literal that starts at `start` (its opening quote) ends (its closing quote). */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
    // An even run of backslashes escapes itself, not the quote.
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}

function pathOf(stack: readonly Frame[], last: string): string {
  let path = '';
  for (const frame of stack) {
    if (frame.kind === 'array') {
      path += `[${frame.index}]`;
      continue;
    }
    const name = frame === stack[stack.length - 1] ? last : frame.name;
    if (name === null || !PLAIN_NAME.test(name)) return 'body';
    path += path === '' ? name : `.${name}`;
  }
  return path;
}

/**
 * @internal The path of the first member name given twice in one object of
 * `text`, `'body'` when that path cannot be named, or null. Names are
 * compared decoded (`"n\u0061me"` repeats `"name"`), as `JSON.parse` reads
 * them. `text` must be JSON that `JSON.parse` accepted.
 */
export function repeatedName(text: string): string | null {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (char === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (top?.kind === 'object' && top.expectingName) {
        const raw = text.slice(i + 1, end);
        const name = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (top.names.has(name)) return pathOf(stack, name);
        top.names.add(name);
        top.name = name;
        top.expectingName = false;
      }
      i = end;
    } else if (char === 0x7b /* { */) {
      stack.push({ kind: 'object', names: new Set(), name: null, expectingName: true });
    } else if (char === 0x5b /* [ */) {
      stack.push({ kind: 'array', index: 0 });
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      stack.pop();
    } else if (char === 0x2c /* , */ && top !== undefined) {
      if (top.kind === 'object') top.expectingName = true;
      else top.index++;
    }
  }
  return null;
}
