/**
 * The memory store's compact parts (issue 12), against plain models: the
 * id index against a `Map`, ULID words against the text they came from,
 * and the listing order of ULIDs by their words against string order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
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
});
