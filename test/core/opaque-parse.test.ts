/**
 * The one-pass parse of opaque tokens (issue 12) accepts and refuses
 * exactly what the token pattern and the CRC accept and refuse, and reads
 * the same id, secret and type: checked against that reference on valid
 * tokens, on tokens changed anywhere with the checksum recomputed (so the
 * character classes decide) and without (so the checksum decides), and on
 * arbitrary text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base62Fixed, base62Value, crc32Ascii } from '../../src/core/encoding.js';
import { opaqueFormat } from '../../src/core/format.js';
import type { ParsedToken } from '../../src/core/format-types.js';
import { TOKEN_SHAPE, TYPES_BY_CODE } from '../../src/core/token-shape.js';
import type { StoredTokenType } from '../../src/core/types.js';

/** The parse as it was before: the token pattern, the prefix, then the CRC over the head. */
function reference(token: string, prefix: string): ParsedToken | null {
  const match = TOKEN_SHAPE.exec(token);
  if (match === null || match[1] !== prefix) return null;
  const end = token.length - 6;
  if (base62Value(token, end, 6) !== crc32Ascii(token, end)) return null;
  return { id: match[3]!, secret: match[4]!.slice(0, 30), type: TYPES_BY_CODE[match[2]!]! };
}

const PREFIXES = ['acme', 'a', 'x'.repeat(20), 'tw2'];
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TYPES: StoredTokenType[] = ['personal', 'limited', 'administrative', 'master'];

const arbToken = fc
  .record({
    prefix: fc.constantFrom(...PREFIXES),
    id: fc.string({ unit: fc.constantFrom(...CROCKFORD), minLength: 26, maxLength: 26 }),
    secret: fc.string({ unit: fc.constantFrom(...BASE62), minLength: 30, maxLength: 30 }),
    type: fc.constantFrom(...TYPES),
  })
  .map(({ prefix, ...material }) =>
    opaqueFormat(prefix).encode({ ...material, tenant: 't', owner: null, issuedAt: 0, expiresAt: null }),
  );

/** Characters that are near the classes' edges, outside ASCII, and separators. */
const arbChar = fc.oneof(
  fc.constantFrom(...'_-.~ ILOUilou0zZ@[`{/:'),
  fc.constantFrom('\u0000', '\u007f', '\u0080', 'é', '\u0130', '\uD800', '\u{1F600}'),
  fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
);

/** A change at one place: replace, insert or delete a character. */
const arbChange = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'insert', 'delete'),
  char: arbChar,
});

function changed(token: string, change: { at: number; kind: string; char: string }): string {
  const at = change.at % token.length;
  if (change.kind === 'insert') return token.slice(0, at) + change.char + token.slice(at);
  if (change.kind === 'delete') return token.slice(0, at) + token.slice(at + 1);
  return token.slice(0, at) + change.char + token.slice(at + 1);
}

/** The head of a (changed) token with its checksum made right again. */
function rechecked(text: string): string {
  const head = text.slice(0, Math.max(0, text.length - 6));
  return head + base62Fixed(crc32Ascii(head), 6);
}

function agree(text: string): void {
  for (const prefix of PREFIXES) expect(opaqueFormat(prefix).parse(text)).toEqual(reference(text, prefix));
}

describe('one-pass opaque parse (properties)', () => {
  it('parses every valid token as the pattern and the CRC do', () => {
    fc.assert(fc.property(arbToken, agree), { numRuns: 1000 });
  });

  it('agrees on tokens changed anywhere, with and without their checksum made right again', () => {
    fc.assert(
      fc.property(arbToken, fc.array(arbChange, { minLength: 1, maxLength: 3 }), (token, changes) => {
        const text = changes.reduce(changed, token);
        agree(text);
        agree(rechecked(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 120, unit: 'binary' }), agree), { numRuns: 2000 });
  });

  it('refuses a checksum of six digits worth more than 2^32 (it never equals a CRC)', () => {
    const head = `acme_p_${'0'.repeat(26)}${'a'.repeat(30)}`;
    expect(opaqueFormat('acme').parse(`${head}zzzzzz`)).toBeNull();
    expect(reference(`${head}zzzzzz`, 'acme')).toBeNull();
  });
});
