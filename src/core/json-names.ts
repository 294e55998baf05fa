/**
 * @internal Finds a member name given twice in JSON text. `JSON.parse`
 * keeps the last one silently; a proxy, WAF or reader that keeps the first
 * would then see another value than tokenward does, so every JSON that
 * tokenward reads from outside (request bodies, introspection answers,
 * `SET META` in token statements) is refused when this finds one.
 */

// Names are outside data: a path is named in an error only when every step is a plain identifier.
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;

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
