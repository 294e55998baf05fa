/**
 * @internal The one check of human-entered text: token names, comments,
 * verification-token names, the operation and detail of `record()`.
 *
 * Every string is stored and answered in Unicode Normalization Form C, so
 * `café` typed on two keyboards (precomposed `é`, or `e` + U+0301) is one
 * name. Refused everywhere, because no store keeps them faithfully or they
 * change what a reader sees (Unicode TR #36, "Trojan Source" CVE-2021-42574):
 * - lone surrogates (UTF-8 stores turn them into U+FFFD, jsonb refuses them);
 * - noncharacters (U+FDD0–U+FDEF and U+xFFFE/U+xFFFF of every plane);
 * - C0 and C1 controls, U+0085 included (multi-line text keeps tab and LF);
 * - the separators U+2028 and U+2029 (they break lines and JSON-in-JS);
 * - the bidi embedding, override and isolate controls U+202A–U+202E and
 *   U+2066–U+2069, which reorder what follows them.
 * The implicit marks U+200E, U+200F and U+061C cannot reorder anything
 * beyond their neighbours and are needed to show mixed-direction prose, so
 * comments and details keep them; names refuse them, like every other
 * invisible character, so two names that look alike differ visibly.
 */
import { invalid } from './errors.js';

const ALWAYS_REFUSED = /[\p{Cs}\p{Noncharacter_Code_Point}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;
const ANY_CONTROL = /\p{Cc}/u;
const CONTROL_BUT_TAB_OR_LF = /(?![\t\n])\p{Cc}/u;

/** Shows nothing by itself: spaces and U+2800 BRAILLE PATTERN BLANK (a common "empty name" trick). */
const BLANK = /^[\p{White_Space}\u2800]$/u;
/** Format and default-ignorable characters: U+200B, U+2060, U+FEFF, U+00AD, U+3164, variation selectors, tags… */
const INVISIBLE = /^[\p{Cf}\p{Default_Ignorable_Code_Point}]$/u;
const MARK = /^\p{M}$/u;
const ZWJ_OR_ZWNJ = /^[\u200C\u200D]$/u;
const TAG = /^[\u{E0020}-\u{E007F}]$/u;

const isVisible = (c: string): boolean => !BLANK.test(c) && !INVISIBLE.test(c) && !MARK.test(c);
/** A base or a mark attached to one (emoji variation selectors are marks). */
const isInk = (c: string): boolean => isVisible(c) || MARK.test(c);

/**
 * Why a code point of a name is not allowed where it stands, or null when
 * it is. `index` is at least 1: the first code point is checked visible first.
 */
function misplaced(chars: readonly string[], index: number): string | null {
  const c = chars[index]!;
  const before = chars[index - 1]!;
  if (!INVISIBLE.test(c)) return null;
  // Joiners shape emoji sequences and Persian or Indic words: only between two visible characters.
  if (ZWJ_OR_ZWNJ.test(c)) {
    const after = chars[index + 1];
    return isInk(before) && after !== undefined && isVisible(after) ? null : 'a joiner outside a word';
  }
  // Variation selectors and Mongolian free variation selectors modify the character before them.
  if (MARK.test(c)) return isInk(before) ? null : 'a variation selector without a base';
  // Emoji tag sequences (the flags of England, Scotland, Wales) follow their base.
  if (TAG.test(c)) return isVisible(before) || TAG.test(before) ? null : 'a stray tag';
  return 'an invisible or format character';
}

/**
 * NFC shrinks text by at most a few code units per character (a Hangul
 * syllable from three jamo), so anything longer than this many times the
 * limit is refused before it is scanned or normalized.
 */
const MOST_SHRINK = 4;

/** Refuses what no text may hold; answers the NFC form. `noun` words the message ("keys "). */
function wellFormed(value: unknown, field: string, multiline: boolean, max: number, noun = ''): string {
  if (typeof value !== 'string') throw invalid(field, `${noun}must be a string`);
  if (value.length > max * MOST_SHRINK) throw invalid(field, `${noun}must be at most ${max} characters`);
  if (ALWAYS_REFUSED.test(value)) {
    throw invalid(field, `${noun}must not contain lone surrogates, noncharacters, line separators or bidi controls`);
  }
  if ((multiline ? CONTROL_BUT_TAB_OR_LF : ANY_CONTROL).test(value)) {
    throw invalid(
      field,
      multiline ? `${noun}must not contain control characters but tab and newline` : `${noun}must be one line`,
    );
  }
  return value.normalize('NFC');
}

/**
 * A single-line label: a token name, a verification-token name, the
 * operation of `record()`. At most `max` UTF-16 code units of NFC text that
 * starts with a visible character, does not end with white space, and holds
 * no invisible character except joiners between visible characters,
 * variation selectors and emoji tags after their base.
 */
export function labelText(value: unknown, field: string, max: number): string {
  const text = wellFormed(value, field, false, max);
  if (text.length === 0 || text.length > max) throw invalid(field, `must be 1-${max} characters`);
  const chars = Array.from(text);
  if (BLANK.test(chars[0]!) || BLANK.test(chars[chars.length - 1]!)) {
    throw invalid(field, 'must not start or end with white space');
  }
  // A mark or joiner first has nothing to attach to; with the loop below this also means "something visible".
  if (!isVisible(chars[0]!)) throw invalid(field, 'must start with a visible character');
  for (let index = 1; index < chars.length; index++) {
    const problem = misplaced(chars, index);
    if (problem !== null) throw invalid(field, `must not contain ${problem}`);
  }
  return text;
}

/** Free text (a comment, a detail value): NFC, at most `max` UTF-16 code units; tab and newline allowed. */
export function freeText(value: unknown, field: string, max: number): string {
  const text = wellFormed(value, field, true, max);
  if (text.length > max) throw invalid(field, `must be at most ${max} characters`);
  return text;
}

/** A short, plain key is named in the field path; any other by its position. */
const PLAIN_KEY = /^[A-Za-z0-9_$-]{1,64}$/;

/**
 * Keys refused in JSON objects (meta, details), as the management API's body
 * reader refuses them: an application merging such an object into its own
 * would otherwise have its prototypes rewritten (prototype pollution).
 */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Every string of a parsed JSON value in NFC; keys that become equal once
 * normalized, and the reserved keys, are refused (naming the object's path).
 */
function normalizedJson(value: unknown, field: string): unknown {
  if (typeof value === 'string') return freeText(value, field, Number.MAX_SAFE_INTEGER);
  if (Array.isArray(value)) return value.map((item, index) => normalizedJson(item, `${field}[${index}]`));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [index, [key, item]] of Object.entries(value).entries()) {
    const name = wellFormed(key, field, false, Number.MAX_SAFE_INTEGER, 'keys ');
    if (RESERVED_KEYS.has(name)) throw invalid(field, `must not have a key named ${name}`);
    if (Object.hasOwn(out, name)) throw invalid(field, 'has two keys that are equal once normalized');
    const path = PLAIN_KEY.test(name) ? `${field}.${name}` : `${field}[#${index}]`;
    // defineProperty, so a "__proto__" key stays a plain member.
    Object.defineProperty(out, name, {
      value: normalizedJson(item, path),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

const encoder = new TextEncoder();

/**
 * A JSON object of at most `maxBytes` UTF-8 bytes once serialized, as
 * `JSON.stringify` sees it (`toJSON` applied, `undefined` members dropped),
 * with every key and string checked and normalized like free text (keys:
 * one line). The answer is a fresh plain copy. For `record()` details.
 */
export function jsonObject(value: unknown, field: string, maxBytes: number): Record<string, unknown> {
  const tooLarge = invalid(field, `must be a JSON object of at most ${maxBytes} bytes`);
  // Before serializing: a list or a function is no object, whatever its `toJSON` answers (null is refused below).
  if (typeof value !== 'object' || Array.isArray(value)) throw tooLarge;
  let serialized: string | undefined;
  let nonFinite = false;
  try {
    // JSON has no Infinity or NaN: JSON.stringify would write null in their place, a change the caller never asked for.
    serialized = JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'number' && !Number.isFinite(item)) nonFinite = true;
      return item;
    }) as string | undefined;
  } catch {
    throw invalid(field, 'must be JSON-serializable');
  }
  if (nonFinite) throw invalid(field, 'must hold finite numbers only (JSON has no Infinity or NaN)');
  // A cheap refusal before any walk; the exact count is on the normalized copy.
  if (serialized === undefined || serialized.length > maxBytes * MOST_SHRINK) throw tooLarge;
  const parsed: unknown = JSON.parse(serialized);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw tooLarge;
  const copy = normalizedJson(parsed, field) as Record<string, unknown>;
  if (encoder.encode(JSON.stringify(copy)).length > maxBytes) throw tooLarge;
  return copy;
}
