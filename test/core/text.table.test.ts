/**
 * The text checks of src/core/text.ts called directly, against written
 * answers (issue 15): lengths at their limits before and after NFC, where
 * each kind of invisible character may stand in a name, and what a JSON
 * detail becomes (the field each refusal names, a plain writable copy,
 * `toJSON` applied, the byte limit counted in UTF-8).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { freeText, jsonObject, labelText } from '../../src/core/text.js';
import { refusalOf } from '../support/refusal.js';

const refused = (field: string) => ({ code: 'invalid_request', field });

/** `labelText(value, 'name', max)`, or the refusal as `{ code, field }`. */
function label(value: unknown, max = 10): unknown {
  try {
    return labelText(value, 'name', max);
  } catch {
    return refusalOf(() => labelText(value, 'name', max));
  }
}

describe('labelText: lengths', () => {
  it.each<[string, unknown, unknown]>([
    ['exactly the limit', 'a'.repeat(10), 'a'.repeat(10)],
    ['one over the limit', 'a'.repeat(11), refused('name')],
    ['a quarter of the limit', 'abc', 'abc'],
    ['twice the limit in NFD, the limit in NFC', 'e\u0301'.repeat(10), '\u00e9'.repeat(10)],
    ['four times the limit in NFD, twice it in NFC', 'e\u0301'.repeat(20), refused('name')],
    ['more than four times the limit', 'a'.repeat(41), refused('name')],
    ['empty', '', refused('name')],
    ['a number', 12, refused('name')],
    ['null', null, refused('name')],
  ])('%s', (_what, value, expected) => {
    expect(label(value)).toEqual(expected);
  });

  it('takes text that NFC shrinks threefold into the limit (Hangul jamo into syllables)', () => {
    // Three jamo make one syllable: 12 code units are 4 in NFC, within a limit of 4.
    expect(label('\u1100\u1161\u11A8'.repeat(4), 4)).toBe('\uAC01'.repeat(4));
    expect(label('\u1100\u1161\u11A8'.repeat(5), 4)).toEqual(refused('name'));
  });
});

describe('labelText: where invisible characters may stand', () => {
  it.each<[string, string, boolean]>([
    ['a plain word', 'word', true],
    ['a leading space', ' a', false],
    ['a trailing space', 'a ', false],
    ['a trailing braille blank', 'a\u2800', false],
    ['a leading braille blank', '\u2800a', false],
    ['an inner space', 'a b', true],
    ['a leading mark', '\u0301a', false],
    ['a leading ZWSP', '\u200Ba', false],
    ['an inner ZWSP', 'a\u200Bb', false],
    ['a trailing ZWSP', 'a\u200B', false],
    ['an inner soft hyphen', 'a\u00ADb', false],
    ['an inner word joiner', 'a\u2060b', false],
    // Joiners: between two visible characters, or after a mark on a visible one.
    ['a ZWJ between letters', 'a\u200Db', true],
    ['a ZWNJ between letters', 'a\u200Cb', true],
    ['a ZWJ after a mark', 'x\u0301\u200Db', true],
    ['a ZWJ before a mark', 'a\u200D\u0301', false],
    ['a ZWJ at the end', 'a\u200D', false],
    ['a ZWNJ at the end', 'a\u200C', false],
    ['a ZWJ after a space', 'a \u200Db', false],
    ['a ZWJ before a space', 'a\u200D b', false],
    ['two ZWJs', 'a\u200D\u200Db', false],
    // Variation selectors: after a base, or after a mark on one.
    ['VS16 after a letter', 'a\uFE0F', true],
    ['VS16 after a mark', 'x\u0301\uFE0F', true],
    ['VS16 after a space', 'a \uFE0Fb', false],
    ['VS16 after a joiner', 'a\u200D\uFE0F', false],
    ['a Mongolian free variation selector after a letter', '\u1820\u180B', true],
    // Tags: after their visible base, or after another tag.
    ['a tag run after a base', '🏴\u{E0067}\u{E0062}\u{E007F}', true],
    ['a tag after a mark', 'x\u0301\u{E0067}', false],
    ['a tag after a space', 'a \u{E0067}', false],
    ['a tag after a variation selector', 'a\uFE0F\u{E0067}', false],
  ])('%s: %s', (_what, text, accepted) => {
    expect(label(text)).toEqual(accepted ? text.normalize('NFC') : refused('name'));
  });

  it('names the field it was given', () => {
    expect(refusalOf(() => labelText('\u200B', 'verificationTokens[2].name', 100))).toEqual(
      refused('verificationTokens[2].name'),
    );
  });
});

describe('freeText', () => {
  it.each<[string, unknown, unknown]>([
    ['exactly the limit', 'c'.repeat(10), 'c'.repeat(10)],
    ['one over the limit', 'c'.repeat(11), refused('comment')],
    ['twice the limit in NFD, the limit in NFC', 'e\u0301'.repeat(10), '\u00e9'.repeat(10)],
    ['empty', '', ''],
    ['tab and newline', '\t\n', '\t\n'],
    ['a carriage return', '\r', refused('comment')],
    ['a ZWSP and marks anywhere', '\u200B\u0301x\u200E', '\u200B\u0301x\u200E'],
    ['surrounding spaces', ' x ', ' x '],
    ['a number', 1, refused('comment')],
  ])('%s', (_what, value, expected) => {
    let got: unknown;
    try {
      got = freeText(value, 'comment', 10);
    } catch {
      got = refusalOf(() => freeText(value, 'comment', 10));
    }
    expect(got).toEqual(expected);
  });
});

/** `jsonObject(value, 'detail', max)`, or the refusal as `{ code, field }`. */
function json(value: unknown, max = 4096): unknown {
  try {
    return jsonObject(value, 'detail', max);
  } catch {
    return refusalOf(() => jsonObject(value, 'detail', max));
  }
}

const cycle: Record<string, unknown> = {};
cycle.self = cycle;

describe('jsonObject: refusals and the field each names', () => {
  const key64 = 'k'.repeat(64);
  const key65 = 'k'.repeat(65);

  it.each<[string, unknown, string]>([
    ['null', null, 'detail'],
    ['a list', ['x'], 'detail'],
    ['a string', 'x', 'detail'],
    ['a number', 3, 'detail'],
    ['a cycle', cycle, 'detail'],
    ['a BigInt inside', { n: 1n }, 'detail'],
    // JSON has no Infinity or NaN; JSON.stringify would have written null (found by test/sql/properties.test.ts).
    ['Infinity inside', { n: Number.POSITIVE_INFINITY }, 'detail'],
    ['-Infinity in a list', { n: [1, Number.NEGATIVE_INFINITY] }, 'detail'],
    ['NaN deep inside', { a: { b: Number.NaN } }, 'detail'],
    ['toJSON answering undefined', { toJSON: () => undefined }, 'detail'],
    ['toJSON answering a list', { toJSON: () => [1] }, 'detail'],
    ['toJSON answering a string', { toJSON: () => 'x' }, 'detail'],
    ['toJSON answering null', { toJSON: () => null }, 'detail'],
    // Refused before serializing: a list or a function is no object, whatever its toJSON answers.
    ['a list whose toJSON answers an object', Object.assign(['x'], { toJSON: () => ({ k: 'v' }) }), 'detail'],
    ['a function whose toJSON answers an object', Object.assign(() => 0, { toJSON: () => ({ k: 'v' }) }), 'detail'],
    ['a "constructor" key', { constructor: 1 }, 'detail'],
    ['a "prototype" key', { a: { prototype: 1 } }, 'detail.a'],
    ['a "__proto__" key', JSON.parse('{"__proto__": 1}'), 'detail'],
    ['two keys equal once normalized', { café: 1, 'cafe\u0301': 2 }, 'detail'],
    ['a bad value under a plain key', { a_b$1: '\u0000' }, 'detail.a_b$1'],
    ['a bad value under a key of 64 characters', { [key64]: '\u0000' }, `detail.${key64}`],
    ['a bad value under a key of 65 characters', { x: 1, [key65]: '\u0000' }, 'detail[#1]'],
    ['a bad value under a key with a space', { ok: 1, 'a b': '\u0000' }, 'detail[#1]'],
    ['a bad value under a key with a dot', { 'a.b': '\u0000' }, 'detail[#0]'],
    ['a bad value under an empty key', { '': '\u0000' }, 'detail[#0]'],
    ['a bad value under a key of one non-ASCII letter', { é: '\u0000' }, 'detail[#0]'],
    ['a bad value in a list', { list: ['ok', ['ok', '\u2028']] }, 'detail.list[1][1]'],
    ['a bad key inside a list', { list: [{ 'a\nb': 1 }] }, 'detail.list[0]'],
  ])('%s', (_what, value, field) => {
    expect(json(value)).toEqual(refused(field));
  });
});

describe('each refusal says which rule', () => {
  it.each<[string, () => unknown, string]>([
    ['a joiner at the end', () => labelText('a\u200D', 'name', 10), 'name must not contain a joiner outside a word'],
    [
      'a variation selector after a space',
      () => labelText('a \uFE0Fb', 'name', 10),
      'name must not contain a variation selector without a base',
    ],
    ['a tag after a space', () => labelText('a \u{E0067}', 'name', 10), 'name must not contain a stray tag'],
    ['a ZWSP', () => labelText('a\u200Bb', 'name', 10), 'name must not contain an invisible or format character'],
    ['a number', () => labelText(12, 'name', 10), 'name must be a string'],
    ['a newline in a key', () => jsonObject({ 'a\nb': 1 }, 'detail', 100), 'detail keys must be one line'],
    ['a cycle', () => jsonObject(cycle, 'detail', 100), 'detail must be JSON-serializable'],
    ['a BigInt', () => jsonObject({ n: 1n }, 'detail', 100), 'detail must be JSON-serializable'],
  ])('%s', (_what, call, message) => {
    expect(call).toThrow(new TokenError('invalid_request', message, { field: message.split(' ')[0]! }));
  });
});

describe('jsonObject: what it answers', () => {
  it('a fresh plain copy, toJSON applied and undefined members dropped, every string in NFC', () => {
    const given = { 'cafe\u0301': ['e\u0301', 1, true, null], at: new Date(0), gone: undefined, n: { m: 'x' } };
    const copy = json(given) as Record<string, unknown>;
    expect(copy).toStrictEqual({
      café: ['é', 1, true, null],
      at: '1970-01-01T00:00:00.000Z',
      n: { m: 'x' },
    });
    expect(copy).not.toBe(given);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });

  it('whose members can be changed, deleted and listed like any object', () => {
    const copy = json({ a: 1, b: 2 }) as Record<string, unknown>;
    copy.a = 5;
    delete copy.b;
    expect(copy).toEqual({ a: 5 });
    expect(Object.keys(copy)).toEqual(['a']);
    expect(JSON.stringify(copy)).toBe('{"a":5}');
  });

  it('an object whose toJSON answers an object is that object', () => {
    expect(json({ toJSON: () => ({ k: 'v' }) })).toStrictEqual({ k: 'v' });
  });

  it('counts the limit in UTF-8 bytes of the normalized copy', () => {
    // {"x":"…"} is 8 bytes around the value; é is two bytes.
    expect(json({ x: 'é'.repeat(46) }, 100)).toEqual({ x: 'é'.repeat(46) });
    expect(json({ x: 'é'.repeat(47) }, 100)).toEqual(refused('detail'));
    expect(json({ x: 'a'.repeat(92) }, 100)).toEqual({ x: 'a'.repeat(92) });
    expect(json({ x: 'a'.repeat(93) }, 100)).toEqual(refused('detail'));
    // 184 code units in NFD are 92 bytes in NFC: within 100 once normalized, and not refused before.
    expect(json({ x: 'e\u0301'.repeat(46) }, 100)).toEqual({ x: '\u00e9'.repeat(46) });
  });

  it('refuses a serialization longer than four times the limit before walking it', () => {
    const big = { x: 'e\u0301'.repeat(200) };
    expect(JSON.stringify(big).length).toBeGreaterThan(400);
    expect(json(big, 100)).toEqual(refused('detail'));
    const fits = { x: 'a'.repeat(392) };
    expect(JSON.stringify(fits).length).toBe(400);
    expect(json(fits, 400)).toEqual(fits);
  });
});

describe('the cheap refusal before any scan or normalization', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** How many times `call` normalizes a string. */
  function normalizations(call: () => unknown): number {
    const spy = vi.spyOn(String.prototype, 'normalize');
    try {
      call();
    } catch {
      // Refused or not, only the count matters here.
    }
    const count = spy.mock.calls.length;
    spy.mockRestore();
    return count;
  }

  it('a name or comment longer than four times its limit is refused without being normalized', () => {
    expect(normalizations(() => labelText('a'.repeat(41), 'name', 10))).toBe(0);
    expect(normalizations(() => freeText('a'.repeat(41), 'comment', 10))).toBe(0);
    // Exactly four times the limit is still looked at (and then refused as too long).
    expect(normalizations(() => labelText('a'.repeat(40), 'name', 10))).toBe(1);
    expect(normalizations(() => freeText('a'.repeat(40), 'comment', 10))).toBe(1);
    expect(refusalOf(() => freeText('a'.repeat(40), 'comment', 10))).toEqual(refused('comment'));
  });

  it('a detail serialized longer than four times its limit is refused without a walk', () => {
    // {"x":"…"} is 8 characters around the value: 392 + 8 = 400 = 4 × 100.
    expect(normalizations(() => jsonObject({ x: 'a'.repeat(393) }, 'detail', 100))).toBe(0);
    expect(normalizations(() => jsonObject({ x: 'a'.repeat(392) }, 'detail', 100))).toBeGreaterThan(0);
    expect(json({ x: 'a'.repeat(392) }, 100)).toEqual(refused('detail'));
  });
});
