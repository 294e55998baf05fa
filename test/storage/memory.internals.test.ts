/**
 * The memory store's compact parts (issue 12), against plain models: the
 * id index against a `Map`, ULID words against the text they came from,
 * and the listing order of ULIDs by their words against string order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { opaqueFormat } from '../../src/core/format.js';
import { IdIndex } from '../../src/stores/memory/id-index.js';
import { Rows } from '../../src/stores/memory/rows.js';
import { ulidToWords, wordsToUlid } from '../../src/stores/memory/ulid-words.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const arbUlid = fc
  .tuple(
    fc.constantFrom(...CROCKFORD.slice(0, 8)),
    fc.string({ unit: fc.constantFrom(...CROCKFORD), minLength: 25, maxLength: 25 }),
  )
  .map(([first, rest]) => first + rest);

describe('ULID words', () => {
  it('spell back exactly the canonical ULID they were read from', () => {
    const words = new Int32Array(6);
    fc.assert(
      fc.property(arbUlid, fc.nat(2), (text, offset) => {
        expect(ulidToWords(text, words, offset)).toBe(true);
        expect(wordsToUlid(words, offset)).toBe(text);
      }),
      { numRuns: 3000 },
    );
  });

  it('order canonical ULIDs as their text orders them', () => {
    const a = new Int32Array(4);
    const b = new Int32Array(4);
    fc.assert(
      fc.property(arbUlid, arbUlid, (x, y) => {
        ulidToWords(x, a, 0);
        ulidToWords(y, b, 0);
        let order = 0;
        for (let i = 0; i < 4 && order === 0; i++) order = Math.sign((a[i]! >>> 0) - (b[i]! >>> 0));
        expect(order).toBe(x < y ? -1 : x > y ? 1 : 0);
      }),
    );
  });

  it('read any 26 characters as the digit-by-digit reading does (no word written when refused)', () => {
    // The reference: the 130 bits of 26 base32 digits as a BigInt, the top 2 of which must be 0.
    const reference = (text: string): bigint | null => {
      let value = 0n;
      for (const c of text) {
        const digit = CROCKFORD.indexOf(c);
        if (digit < 0) return null;
        value = (value << 5n) | BigInt(digit);
      }
      return value >> 128n === 0n ? value : null;
    };
    // Digits, and characters that are not: lowercase, aliases, and codes of 128 or more whose low 7 bits are a digit.
    const unit = fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...CROCKFORD) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('a', 'z', 'I', 'L', 'O', 'U', '\u00b0', '\u0130', '\u0141', '\uffd9', '\u0000'),
      },
    );
    const words = new Int32Array(4);
    fc.assert(
      fc.property(fc.string({ unit, minLength: 26, maxLength: 26 }), (text) => {
        words.fill(7);
        const expected = reference(text);
        expect(ulidToWords(text, words, 0)).toBe(expected !== null);
        const read = [...words].reduce((all, word) => (all << 32n) | BigInt(word >>> 0), 0n);
        expect(read).toBe(expected ?? [7n, 7n, 7n, 7n].reduce((all, word) => (all << 32n) | word, 0n));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuse any other text: lowercase, aliases, a first digit above 7, another length', () => {
    const words = new Int32Array(4);
    for (const text of [
      '01ksr49200e675zpdrer1xbzjc',
      '01KSR49200E675ZPDRER1XBZJI',
      '01KSR49200E675ZPDRER1XBZJO',
      '81KSR49200E675ZPDRER1XBZJC',
      '01KSR49200E675ZPDRER1XBZJ',
      '01KSR49200E675ZPDRER1XBZJC0',
      'T000001',
      '',
    ]) {
      expect(ulidToWords(text, words, 0)).toBe(false);
    }
  });
});

describe('ULID words after a parse (the id words a parse leaves, secret-block.ts)', () => {
  const format = opaqueFormat('acme');
  const tokenOf = (id: string): string =>
    format.encode({
      id,
      secret: 'S'.repeat(30),
      type: 'personal',
      tenant: 't',
      owner: null,
      issuedAt: 0,
      expiresAt: null,
    });
  /** The words of `text` read from its characters, with no parse before. */
  const plain = (text: unknown): { readonly ok: boolean; readonly words: number[] } => {
    format.parse('not a token');
    const words = new Int32Array(4).fill(7);
    const ok = ulidToWords(text as string, words, 0);
    return { ok, words: [...words] };
  };

  it('are the words of the text asked for, whatever was parsed just before', () => {
    const arbId = fc.oneof(arbUlid, fc.string({ unit: fc.constantFrom(...CROCKFORD), minLength: 26, maxLength: 26 }));
    const arbAsked = (parsed: string) =>
      fc.oneof(
        fc.constant<unknown>(parsed),
        fc.constant<unknown>(Array.from(parsed).join('')),
        arbUlid,
        fc.constantFrom<unknown>(null, undefined, '', 'T000001', parsed.toLowerCase()),
      );
    fc.assert(
      fc.property(
        arbId.chain((id) => fc.tuple(fc.constant(id), arbAsked(id))),
        fc.nat(2),
        ([id, asked], offset) => {
          const expected = plain(asked);
          expect(format.parse(tokenOf(id))?.id).toBe(id);
          const words = new Int32Array(6).fill(7);
          expect(ulidToWords(asked as string, words, offset)).toBe(expected.ok);
          expect([...words.subarray(offset, offset + 4)]).toEqual(expected.words);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never hand a non-string id the words of the last parse, nor of a refused string', () => {
    for (const before of ['nothing', 'refused'] as const) {
      format.parse(before === 'nothing' ? 'x' : `${tokenOf('01KSR49200E675ZPDRER1XBZJC').slice(0, -1)}0`);
      for (const odd of [null, undefined, 42]) {
        const words = new Int32Array(4).fill(7);
        expect(ulidToWords(odd as unknown as string, words, 0)).toBe(false);
        expect([...words]).toEqual([7, 7, 7, 7]);
      }
    }
  });
});

describe('id index', () => {
  it('finds every id it holds and none it does not, through adds, removals and adds again (against a Map)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(arbUlid, { minLength: 300, maxLength: 1500 }),
        fc.infiniteStream(fc.constantFrom('keep', 'remove', 'remove and add again')),
        (ulids, fates) => {
          const rows = new Rows();
          const index = new IdIndex(rows);
          const model = new Map<string, number>();
          const ids = [...ulids, 'T1', 'T2', 'not a ulid'];
          const add = (id: string): void => {
            const slot = rows.allocate();
            index.add(id, slot);
            model.set(id, slot);
          };
          for (const id of ids) add(id);
          const plans = ids.map((id) => [id, fates.next().value] as const);
          for (const [id, fate] of plans) {
            if (fate === 'keep') continue;
            index.remove(id, model.get(id)!);
            rows.release(model.get(id)!);
            model.delete(id);
          }
          for (const [id, fate] of plans) if (fate === 'remove and add again') add(id);
          for (const id of ids) expect(index.find(id)).toBe(model.get(id));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('tells apart ids whose last word (the tag an index position keeps) is the same', () => {
    // The last seven characters (and the low bits of the one before) make the last word: these ids share it.
    const head = fc.string({ unit: fc.constantFrom(...CROCKFORD), minLength: 18, maxLength: 18 });
    const sameTag = fc
      .tuple(fc.constantFrom(...CROCKFORD.slice(0, 8)), head, fc.constantFrom('0', '4', '8', 'C'))
      .map(([first, middle, beforeTail]) => `${first}${middle}${beforeTail}ZZZZZZ`);
    fc.assert(
      fc.property(fc.uniqueArray(sameTag, { minLength: 50, maxLength: 400 }), fc.array(fc.nat()), (ids, drops) => {
        const rows = new Rows();
        const index = new IdIndex(rows);
        const model = new Map<string, number>();
        for (const id of ids) {
          const slot = rows.allocate();
          index.add(id, slot);
          model.set(id, slot);
        }
        for (const drop of drops) {
          const id = ids[drop % ids.length]!;
          if (!model.has(id)) continue;
          index.remove(id, model.get(id)!);
          rows.release(model.get(id)!);
          model.delete(id);
        }
        for (const id of ids) expect(index.find(id)).toBe(model.get(id));
      }),
      { numRuns: 30 },
    );
  });
});
