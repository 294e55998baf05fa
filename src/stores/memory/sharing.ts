/**
 * @internal How the memory repository keeps the strings and small objects
 * it stores from costing more than their content (issue 12):
 *
 * - strings are stored as flat copies: a string built by concatenation is a
 *   rope of pieces (an id built digit by digit is about 100 bytes instead of
 *   48), and a slice keeps its whole parent alive (a token string, secret
 *   included, behind a 26-character id);
 * - frozen values that many tokens share (the detail of an 'issued' event,
 *   a list of grants) are stored once, through a bounded pool.
 */

/** Strings shorter than this are always flat in V8 (ropes and slices start at 13 characters). */
const SHORTEST_ROPE = 13;
const SLICE = 4096;

/**
 * `text` as the engine's one shared copy of it (V8 "internalizes" the
 * strings it uses as property names: `Object.keys` hands back that copy).
 * A namespace keeps its tenant and owner so: verification looks the owner
 * up in a directory, and a property lookup with a string that is not
 * internalized first searches the engine's string table for it — at a
 * million tokens one more cache miss per verification (issue 12). Always
 * flat; the same text, so nothing but the lookups' cost changes.
 */
export function internalized(text: string): string {
  // No prototype: "__proto__" is an own key like any other.
  const holder = Object.create(null) as Record<string, true>;
  holder[text] = true;
  return Object.keys(holder)[0]!;
}

/** A flat copy of `text`, made from its character codes (short strings are returned as they are). */
export function flatCopy(text: string): string {
  if (text.length < SHORTEST_ROPE) return text;
  const codes = new Array<number>(Math.min(text.length, SLICE));
  let out = '';
  for (let at = 0; at < text.length; at += SLICE) {
    const end = Math.min(text.length, at + SLICE);
    codes.length = end - at;
    for (let i = at; i < end; i++) codes[i - at] = text.charCodeAt(i);
    out = at === 0 ? String.fromCharCode(...codes) : out + String.fromCharCode(...codes);
  }
  return out;
}

/**
 * A key that tells two values apart exactly, or null when there is none:
 * their JSON text, for plain JSON data only (strings, finite numbers but
 * -0, booleans, null, arrays and plain objects of these, without
 * `undefined` members), where equal text means equal values.
 */
export function plainJsonKey(value: unknown): string | null {
  return isPlainJson(value, 0) ? JSON.stringify(value) : null;
}

function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object' || depth > 16) return false;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false;
    for (let i = 0; i < value.length; i++) if (!(i in value) || !isPlainJson(value[i], depth + 1)) return false;
    return Object.keys(value).length === value.length;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key of Object.keys(value)) {
    if (key === '__proto__' || !isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return Object.getOwnPropertySymbols(value).length === 0;
}

/**
 * Shared frozen values by key, at most `limit` of them: when full, the pool
 * starts over (values already stored stay shared by the rows holding them;
 * new ones are pooled afresh). Only frozen, immutable values go in.
 */
export class SharedPool<T> {
  private readonly byKey = new Map<string, T>();

  constructor(private readonly limit: number) {}

  /** The pooled value of `key`, pooling `make()` first if there is none. */
  get(key: string, make: () => T): T {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    if (this.byKey.size >= this.limit) this.byKey.clear();
    const made = make();
    this.byKey.set(key, made);
    return made;
  }
}
