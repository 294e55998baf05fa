/**
 * Junk the one-pass parse (src/core/opaque-parse.ts) must refuse although
 * its checksum is made to fit a parse that went wrong: the random changes
 * of opaque-parse.test.ts almost never build these.
 *
 * - A character that is not base62 in the checksum must not be read as
 *   the digit 0: each '0' of a valid checksum replaced by a separator.
 * - A failed step must stay failed: after a wrong prefix or separator,
 *   or a wrong character in the id, a CRC started afresh over the rest
 *   equals a checksum computed over just that rest.
 */
import { describe, expect, it } from 'vitest';
import { base62Fixed, crc32Ascii } from '../../src/core/encoding.js';
import { opaqueFormat } from '../../src/core/format.js';

const ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const parse = (token: string) => opaqueFormat('acme').parse(token);
const checksum = (text: string) => base62Fixed(crc32Ascii(text), 6);
const token = (head: string) => `${head}${checksum(head)}`;

/** Valid tokens whose checksum holds a '0', found by trying secrets in order. */
function tokensWithZeroInChecksum(count: number): string[] {
  const found: string[] = [];
  for (let n = 0; found.length < count; n++) {
    const text = token(`acme_p_${ID}${n.toString(36).padStart(30, 'x')}`);
    if (text.slice(-6).includes('0')) found.push(text);
  }
  return found;
}

describe('one-pass opaque parse: junk with a fitted checksum', () => {
  it('refuses a checksum in which a separator or other non-base62 character stands for a 0', () => {
    for (const valid of tokensWithZeroInChecksum(8)) {
      expect(parse(valid)).not.toBeNull();
      const at = valid.lastIndexOf('0');
      for (const char of ['_', '-', '.', '~', ' ', '/', '\u0080', 'é']) {
        expect(parse(valid.slice(0, at) + char + valid.slice(at + 1)), `${char} for 0`).toBeNull();
      }
    }
  });

  it.each([
    ['another prefix', 'acmf_p_'],
    ['a hyphen for the first separator', 'acme-p_'],
    ['a hyphen for the second separator', 'acme_p-'],
  ])('refuses %s with a checksum over the id and secret alone', (_, head) => {
    const rest = `${ID}${'s'.repeat(30)}`;
    expect(parse(`${head}${rest}${checksum(rest)}`)).toBeNull();
    // The same with its own checksum: refused too, by the head.
    expect(parse(token(`${head}${rest}`))).toBeNull();
  });

  it.each([
    ['I', 0],
    ['L', 5],
    ['O', 12],
    ['U', 25],
    ['a', 3],
    ['_', 20],
  ])('refuses %s in the id at %i with a checksum over the secret alone', (char, at) => {
    const id = ID.slice(0, at) + char + ID.slice(at + 1);
    const secret = 'S'.repeat(30);
    expect(parse(`acme_p_${id}${secret}${checksum(secret)}`)).toBeNull();
    expect(parse(token(`acme_p_${id}${secret}`))).toBeNull();
  });

  it('refuses a secret character outside base62 whatever the checksum', () => {
    const secret = `${'S'.repeat(29)}-`;
    expect(parse(`acme_p_${ID}${secret}${checksum(secret)}`)).toBeNull();
    expect(parse(token(`acme_p_${ID}${secret}`))).toBeNull();
  });

  // A code of 128 or more is refused before any table is read: the id's digit table has 128 entries, and a
  // read past it would pass as the digit 0 under a checksum computed over the character's low byte. Four
  // such characters side by side, where the id is read four at a time, and one alone.
  it.each(['\u0080', '\u00ff', '\u0100', '\u0130'])('refuses %s in the id under a checksum that fits it', (char) => {
    for (const [at, count] of [
      [0, 4],
      [4, 4],
      [20, 4],
      [5, 1],
      [25, 1],
    ] as const) {
      const id = ID.slice(0, at) + char.repeat(count) + ID.slice(at + count);
      expect(parse(token(`acme_p_${id}${'S'.repeat(30)}`))).toBeNull();
    }
  });
});
