/**
 * The id factory (src/core/ids.ts) draws ULID randomness from a pool: one
 * `random(1024)` call serves 256 draws (16 ids of 16 characters each). The
 * expected ids are written out here from the ULID layout (10 time
 * characters, then 16 random ones, the last draw first) and the Crockford
 * alphabet, not computed by the `ulid` package.
 */
import { describe, expect, it } from 'vitest';
import { createIdFactory } from '../../src/core/ids.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * `length` random bytes whose 32-bit words (little-endian, as a Uint32Array
 * reads them on every platform Node runs on) each pick the Crockford digit
 * `(start + word index) % 32`: the digit is the word's top five bits.
 */
function patterned(length: number, start = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let word = 0; word * 4 + 3 < length; word++) bytes[word * 4 + 3] = ((start + word) % 32) << 3;
  return bytes;
}

/** A random source that records how many bytes each call asked for. */
function source(make: (call: number) => Uint8Array) {
  const calls: number[] = [];
  const random = (length: number) => {
    calls.push(length);
    return make(calls.length - 1);
  };
  return { calls, random };
}

/** The 16 random characters of the ids made from draws `first` … `first + 15` of the patterned pool. */
function randomPart(first: number): string {
  let text = '';
  for (let draw = first; draw < first + 16; draw++) text = CROCKFORD[draw % 32] + text;
  return text;
}

describe('createIdFactory', () => {
  it('draws each character from the pool word by word, the time from now()', () => {
    const { calls, random } = source(() => patterned(1024));
    let clock = 1;
    const next = createIdFactory(random, () => clock++);
    // Time 1 is '0000000001'; draws 0–15 give 0…F, written last draw first.
    expect(next()).toBe(`0000000001${'FEDCBA9876543210'}`);
    expect(next()).toBe(`0000000002${'ZYXWVTSRQPNMKJHG'}`);
    expect(calls).toEqual([1024]);
  });

  it('asks for 1024 bytes once per 256 draws: 16 ids, then a fresh pool', () => {
    const { calls, random } = source((call) => patterned(1024, call * 7));
    let clock = 1_000;
    const next = createIdFactory(random, () => clock++);
    const ids = Array.from({ length: 16 }, () => next());
    expect(calls).toEqual([1024]);
    for (const [i, id] of ids.entries()) expect(id.slice(10), `id ${i}`).toBe(randomPart(i * 16));
    // The 17th id comes from the second pool, whose words start at digit 7.
    expect(next().slice(10)).toBe(randomPart(7));
    expect(calls).toEqual([1024, 1024]);
  });

  it('reads only whole words of a source that answers a length not divisible by four', () => {
    // 1026 bytes: 256 words and two bytes left over, which are not read.
    const { calls, random } = source(() => patterned(1026));
    let clock = 5;
    const next = createIdFactory(random, () => clock++);
    const ids = Array.from({ length: 17 }, () => next());
    expect(ids[0]!.slice(10)).toBe(randomPart(0));
    expect(ids[15]!.slice(10)).toBe(randomPart(240));
    expect(calls).toEqual([1024, 1024]);
  });

  it('reads a source that answers an unaligned view of a larger buffer', () => {
    const backing = new Uint8Array(1025);
    backing.set(patterned(1024), 1);
    const next = createIdFactory(
      () => backing.subarray(1),
      () => 42,
    );
    expect(next()).toBe(`000000001A${'FEDCBA9876543210'}`);
  });

  it('is monotonic within one millisecond: the random part counts up by one', () => {
    const { random } = source(() => patterned(1024));
    const next = createIdFactory(random, () => 7);
    expect(next()).toBe(`0000000007${'FEDCBA9876543210'}`);
    expect(next()).toBe(`0000000007${'FEDCBA9876543211'}`);
    expect(next()).toBe(`0000000007${'FEDCBA9876543212'}`);
  });
});
