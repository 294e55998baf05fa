/**
 * Human-entered text (issue 8, finding 7): names, comments, `record()`
 * operations and details, verification-token names. One validator: NFC
 * stored and answered, and no character that a store cannot keep or that
 * changes what a reader sees.
 */
import fc from 'fast-check';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { freeText, jsonObject, labelText } from '../../src/core/text.js';
import { codeOf } from '../support/errors.js';
import { rejectionOf } from '../support/refusal.js';
import { ALICE, BOB, makeHarness } from '../support/service.js';

const ENGINE_SECRET = 'engine-secret-0123456789';

/** Names that must be kept, each with the form stored and answered. */
const GOOD_NAMES: readonly (readonly [string, string, string])[] = [
  ['precomposed é', 'café', 'café'],
  ['e + combining acute, stored precomposed', 'cafe\u0301', 'café'],
  ['ANGSTROM SIGN, stored as Å', '\u212Bngstr\u00F6m', '\u00C5ngstr\u00F6m'],
  ['an emoji ZWJ sequence', '👨\u200D👩\u200D👧', '👨\u200D👩\u200D👧'],
  ['VS16 then ZWJ (eye in speech bubble)', '👁\uFE0F\u200D🗨\uFE0F', '👁\uFE0F\u200D🗨\uFE0F'],
  ['a heart with VS16', '❤\uFE0F', '❤\uFE0F'],
  [
    'the flag of England (tag sequence)',
    '🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}',
    '🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}',
  ],
  ['Persian with ZWNJ', 'می\u200Cخواهم', 'می\u200Cخواهم'],
  ['Devanagari virama + ZWJ', 'क\u094D\u200Dष', 'क\u094D\u200Dष'],
  ['Hebrew and a digit', 'גיבוי 2', 'גיבוי 2'],
  ['inner spaces', 'ci pipeline', 'ci pipeline'],
  ['120 code units that are 60 in NFC', 'e\u0301'.repeat(60), '\u00E9'.repeat(60)],
];

/** Names that must be refused with `invalid_request` naming the field. */
const BAD_NAMES: readonly (readonly [string, string])[] = [
  ['only U+200B', '\u200B'],
  ['only ZWSPs and spaces', '\u200B \u200B'],
  ['U+200B inside', 'a\u200Bb'],
  ['only HANGUL FILLER', '\u3164'],
  ['only BRAILLE PATTERN BLANK', '\u2800'],
  ['only a combining mark', '\u0301'],
  ['only a variation selector', '\uFE0F'],
  ['U+0085 (NEL)', 'a\u0085b'],
  ['U+2028', 'a\u2028b'],
  ['U+2029', 'a\u2029b'],
  ['U+202E (RLO)', 'invoice\u202Efdp.exe'],
  ['U+202A (LRE)', 'a\u202Ab'],
  ['U+2066..U+2069 (isolates)', 'a\u2066b\u2069'],
  ['U+200E (LRM) in a name', 'a\u200Eb'],
  ['U+061C (ALM) in a name', 'a\u061Cb'],
  ['a noncharacter U+FDD0', 'a\uFDD0'],
  ['a noncharacter U+FFFE', 'a\uFFFE'],
  ['a noncharacter U+1FFFF', 'a\u{1FFFF}'],
  ['a noncharacter U+10FFFF', 'a\u{10FFFF}'],
  ['a lone high surrogate U+D800', 'a\uD800'],
  ['a lone low surrogate U+DC00', 'a\uDC00b'],
  ['surrogates in the wrong order', '\uDC00\uD800'],
  ['a trailing ZWJ', 'a\u200D'],
  ['a leading ZWNJ', '\u200Ca'],
  ['a ZWJ after a space', 'a \u200Db'],
  ['a BOM', '\uFEFFa'],
  ['a soft hyphen', 'a\u00ADb'],
  ['a leading NBSP', '\u00A0a'],
  ['a trailing ideographic space', 'a\u3000'],
  ['a tab', 'a\tb'],
  ['a newline', 'a\nb'],
  ['a carriage return', 'a\rb'],
  ['ESC', 'a\u001B[31mb'],
  ['DEL', 'a\u007Fb'],
  ['a C1 control (CSI)', 'a\u009Bb'],
  ['NUL', 'a\u0000b'],
  ['101 characters', 'n'.repeat(101)],
  ['empty', ''],
];

describe('token names', () => {
  it.each(GOOD_NAMES)('keeps %s, stored and answered in NFC', async (_label, name, stored) => {
    const h = makeHarness();
    const { token, info } = await h.service.issue({ name }, BOB);
    expect(info.name).toBe(stored);
    expect((await h.service.get(info.id, BOB)).name).toBe(stored);
    expect((await h.service.verify(token)).name).toBe(stored);
    expect((await h.repository.findById(info.id))?.name).toBe(stored);
    // Found by either spelling.
    expect((await h.service.get({ owner: 'bob', name }, BOB)).id).toBe(info.id);
    expect((await h.service.get({ owner: 'bob', name: stored }, BOB)).id).toBe(info.id);
  });

  it.each(BAD_NAMES)('refuses %s with invalid_request naming the field, storing nothing', async (_label, name) => {
    const h = makeHarness();
    expect(await rejectionOf(h.service.issue({ name }, BOB))).toEqual({ code: 'invalid_request', field: 'name' });
    expect(await rejectionOf(h.service.get({ owner: 'bob', name }, BOB))).toEqual({
      code: 'invalid_request',
      field: 'ref.name',
    });
    const all = await h.service.list({ all: true, hideExpired: false, hideRevoked: false }, ALICE);
    expect(all.items).toEqual([]);
  });

  it('decides uniqueness on the NFC form: café and cafe\\u0301 are one name', async () => {
    const h = makeHarness();
    await h.service.issue({ name: 'café' }, BOB);
    expect(await codeOf(h.service.issue({ name: 'cafe\u0301' }, BOB))).toBe('conflict');
    const other = makeHarness();
    await other.service.issue({ name: 'cafe\u0301' }, BOB);
    expect(await codeOf(other.service.issue({ name: 'café' }, BOB))).toBe('conflict');
  });

  it('keeps a name stored before normalization working, found by the spelling it was stored in', async () => {
    const h = makeHarness();
    const { token, info } = await h.service.issue({ name: 'legacy' }, BOB);
    const stored = (await h.repository.findById(info.id))!;
    // A row written by an earlier version, whose name is not NFC.
    const legacy = { ...stored, id: ulid(h.clock.now()), name: 'cafe\u0301' };
    await h.repository.insert(legacy, { now: h.clock.now() });
    expect((await h.service.get({ owner: 'bob', name: 'cafe\u0301' }, BOB)).id).toBe(legacy.id);
    expect(await codeOf(h.service.get({ owner: 'bob', name: 'café' }, BOB))).toBe('not_found');
    // A new NFC token of the same name is not refused (the store compares stored forms); both keep working.
    const fresh = await h.service.issue({ name: 'café' }, BOB);
    expect((await h.service.get({ owner: 'bob', name: 'café' }, BOB)).id).toBe(fresh.info.id);
    expect((await h.service.get({ owner: 'bob', name: 'cafe\u0301' }, BOB)).id).toBe(fresh.info.id);
    expect((await h.service.get(legacy.id, BOB)).name).toBe('cafe\u0301');
    await expect(h.service.verify(token)).resolves.toBeDefined();
  });

  it('checks verification-token names with the same rules', () => {
    for (const name of ['\u200B', 'a\u202Eb', 'a\uD800']) {
      expect(() => makeHarness({ verificationTokens: [{ secret: ENGINE_SECRET, name }] })).toThrow(
        expect.objectContaining({ code: 'invalid_request', details: { field: 'verificationTokens[0].name' } }),
      );
    }
  });

  it('answers a verification token by the NFC form of its name', async () => {
    const h = makeHarness({ verificationTokens: [{ secret: ENGINE_SECRET, name: 'moteur-cafe\u0301' }] });
    expect((await h.service.verify(ENGINE_SECRET)).name).toBe('moteur-café');
  });
});

const GOOD_COMMENTS: readonly (readonly [string, string, string])[] = [
  ['lines and tabs', 'line 1\nline 2\tend', 'line 1\nline 2\tend'],
  ['surrounding spaces', '  padded  ', '  padded  '],
  ['empty', '', ''],
  ['an LRM in mixed-direction prose', 'גיבוי\u200E 2', 'גיבוי\u200E 2'],
  ['a ZWSP in prose', 'a\u200Bb', 'a\u200Bb'],
  ['NFD, stored in NFC', 'cafe\u0301', 'café'],
];

const BAD_COMMENTS: readonly (readonly [string, string])[] = [
  ['NUL', 'a\u0000b'],
  ['a carriage return', 'a\r\nb'],
  ['ESC', '\u001B[2J'],
  ['U+0085 (NEL)', 'a\u0085b'],
  ['U+2028', 'a\u2028b'],
  ['U+202E (RLO)', 'a\u202Eb'],
  ['U+2067 (RLI)', 'a\u2067b'],
  ['a lone surrogate', 'a\uD800'],
  ['a noncharacter', 'a\uFFFF'],
  ['1001 characters', 'c'.repeat(1001)],
];

describe('comments', () => {
  it.each(GOOD_COMMENTS)('keeps %s', async (_label, comment, stored) => {
    const h = makeHarness();
    const { info } = await h.service.issue({ name: 'ci', comment }, BOB);
    expect(info.comment).toBe(stored);
    const { info: other } = await h.service.issue({ name: 'other' }, BOB);
    expect((await h.service.updateComment(other.id, comment, BOB)).comment).toBe(stored);
    expect((await h.repository.findById(other.id))?.comment).toBe(stored);
  });

  it.each(BAD_COMMENTS)('refuses %s, in issue and updateComment', async (_label, comment) => {
    const h = makeHarness();
    expect(await rejectionOf(h.service.issue({ name: 'ci', comment }, BOB))).toEqual({
      code: 'invalid_request',
      field: 'comment',
    });
    const { info } = await h.service.issue({ name: 'kept', comment: 'before' }, BOB);
    expect(await rejectionOf(h.service.updateComment(info.id, comment, BOB))).toEqual({
      code: 'invalid_request',
      field: 'comment',
    });
    expect((await h.service.get(info.id, BOB)).comment).toBe('before');
  });
});

describe('record(): operation and detail', () => {
  async function recorded(detail: Record<string, unknown>, operation = 'GET /x') {
    const h = makeHarness();
    const { token, info } = await h.service.issue({ name: 'ci' }, BOB);
    await h.service.record(await h.service.verify(token), operation, detail);
    const events = await h.service.events(info.id, BOB);
    return events.items.find((event) => event.type === 'used')!;
  }

  it('stores every key and string in NFC, keeping tabs and newlines in values', async () => {
    const event = await recorded(
      { 'cafe\u0301': 'cafe\u0301', list: ['e\u0301', { note: 'a\nb\tc' }], n: 1 },
      'appel cafe\u0301',
    );
    expect(event.operation).toBe('appel café');
    expect(event.detail).toEqual({ café: 'café', list: ['é', { note: 'a\nb\tc' }], n: 1 });
  });

  it('refuses a "__proto__" key, as meta and request bodies do (test/core/meta-keys.test.ts)', async () => {
    await expect(recorded(JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>)).rejects.toMatchObject({
      code: 'invalid_request',
      details: { field: 'detail' },
    });
  });

  it.each([
    ['NUL in a value', { x: 'a\u0000b' }, 'detail.x'],
    ['a lone surrogate in a value', { x: 'a\uD800' }, 'detail.x'],
    ['a lone surrogate in a list', { x: ['ok', '\uDFFF'] }, 'detail.x[1]'],
    ['RLO deep inside', { a: { b: 'x\u202Ey' } }, 'detail.a.b'],
    ['U+2028 in a value', { x: 'a\u2028b' }, 'detail.x'],
    ['a noncharacter in a value', { x: '\uFDEF' }, 'detail.x'],
    ['NUL in a key', { 'a\u0000': 1 }, 'detail'],
    ['a newline in a key', { 'a\nb': 1 }, 'detail'],
    ['a lone surrogate in a nested key', { a: { '\uD800': 1 } }, 'detail.a'],
    ['two keys equal once normalized', { café: 1, 'cafe\u0301': 2 }, 'detail'],
    ['over 4096 UTF-8 bytes (3000 é)', { x: 'é'.repeat(3000) }, 'detail'],
    ['not an object', ['x'], 'detail'],
  ])('refuses %s with invalid_request naming the field', async (_label, detail, field) => {
    const h = makeHarness({ verificationTokens: [ENGINE_SECRET] });
    const { token, info } = await h.service.issue({ name: 'ci' }, BOB);
    const principal = await h.service.verify(token);
    expect(await rejectionOf(h.service.record(principal, 'GET /x', detail as never))).toEqual({
      code: 'invalid_request',
      field,
    });
    // The same answer for a verification token, which has no history to write to.
    expect(
      await rejectionOf(h.service.record(await h.service.verify(ENGINE_SECRET), 'GET /x', detail as never)),
    ).toEqual({
      code: 'invalid_request',
      field,
    });
    expect((await h.service.events(info.id, BOB)).items.map((event) => event.type)).toEqual(['issued']);
  });

  it.each([
    ['empty', ''],
    ['a newline', 'GET\n/x'],
    ['RLO', 'GET /\u202Ex'],
    ['a lone surrogate', 'GET /\uD800'],
    ['only a ZWSP', '\u200B'],
    ['201 characters', 'o'.repeat(201)],
  ])('refuses an operation with %s', async (_label, operation) => {
    const h = makeHarness();
    const { token } = await h.service.issue({ name: 'ci' }, BOB);
    expect(await rejectionOf(h.service.record(await h.service.verify(token), operation))).toEqual({
      code: 'invalid_request',
      field: 'operation',
    });
  });
});

// Every UTF-16 code unit is possible, lone surrogates included, with the interesting ones often.
const SPECIAL = [
  '\u0000',
  '\t',
  '\n',
  '\r',
  '\u0085',
  '\u00A0',
  '\u00AD',
  '\u0301',
  '\u061C',
  '\u200B',
  '\u200C',
  '\u200D',
  '\u200E',
  '\u2028',
  '\u202E',
  '\u2066',
  '\u2800',
  '\u3164',
  '\uD800',
  '\uDC00',
  '\uFDD0',
  '\uFE0F',
  '\uFEFF',
  '\uFFFF',
  '\u{E0067}',
  '\u{E007F}',
  '\u{1FFFF}',
  ' ',
  'a',
  'é',
  'e',
  '👩',
  '🏴',
];
const anyText = fc
  .array(fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 12 })
  .map((parts) => parts.join(''));

const NEVER_KEPT = /[\p{Cs}\p{Noncharacter_Code_Point}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

function outcome(check: () => string): string | TokenError {
  try {
    return check();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError);
    expect((error as TokenError).code).toBe('invalid_request');
    return error as TokenError;
  }
}

/** Every key and string inside a JSON value. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => [key, ...stringsOf(item)]);
}

describe('the text rules as properties', () => {
  it('a name is refused, or kept in NFC with nothing invisible at its ends; checking it again changes nothing', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const kept = outcome(() => labelText(text, 'name', 100));
        if (kept instanceof TokenError) {
          expect(kept.details.field).toBe('name');
          return;
        }
        expect(kept).toBe(kept.normalize('NFC'));
        expect(kept).toBe(text.normalize('NFC'));
        expect(NEVER_KEPT.test(kept)).toBe(false);
        expect(/\p{Cc}/u.test(kept)).toBe(false);
        expect(kept.trim()).toBe(kept);
        expect(/^[\p{Cf}\p{M}]/u.test(kept)).toBe(false);
        expect(labelText(kept, 'name', 100)).toBe(kept);
      }),
      { numRuns: 2000 },
    );
  });

  it('free text is refused, or kept in NFC with no control but tab and newline', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const kept = outcome(() => freeText(text, 'comment', 1000));
        if (kept instanceof TokenError) return;
        expect(kept).toBe(text.normalize('NFC'));
        expect(NEVER_KEPT.test(kept)).toBe(false);
        expect(/(?![\t\n])\p{Cc}/u.test(kept)).toBe(false);
        expect(freeText(kept, 'comment', 1000)).toBe(kept);
      }),
      { numRuns: 2000 },
    );
  });

  it('a JSON detail is refused, or comes back as a plain copy whose every string is NFC and storable', () => {
    const json = fc.dictionary(anyText, fc.oneof(anyText, fc.integer(), fc.array(anyText, { maxLength: 3 })), {
      maxKeys: 4,
    });
    fc.assert(
      fc.property(json, (detail) => {
        let copy: Record<string, unknown>;
        try {
          copy = jsonObject(detail, 'detail', 4096);
        } catch (error) {
          expect((error as TokenError).code).toBe('invalid_request');
          return;
        }
        for (const text of stringsOf(copy)) {
          expect(NEVER_KEPT.test(text)).toBe(false);
          expect(/(?![\t\n])\p{Cc}/u.test(text)).toBe(false);
          expect(text.normalize('NFC')).toBe(text);
        }
        expect(jsonObject(copy, 'detail', 4096)).toEqual(copy);
      }),
      { numRuns: 1000 },
    );
  });
});
