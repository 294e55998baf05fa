/**
 * The token shape at its edges (issue 15): junk that carries a *recomputed*
 * checksum, so only the shape can reject it (a dummy checksum would be
 * rejected by the checksum and hide a lost `^` or `$`), the longest token
 * (20-character prefix, 85 characters) and the shortest prefix.
 */
import { describe, expect, it } from 'vitest';
import { base62Fixed, base62Value, crc32Ascii, fromBase64Url } from '../../src/core/encoding.js';
import { looksLikeToken, opaqueFormat, redact, tokenParts } from '../../src/core/format.js';
import { checkPrefix, MAX_OPAQUE_LENGTH } from '../../src/core/token-shape.js';
import { refusalOf } from '../support/refusal.js';

const ID = '01JD3Z6Q9X8K7M5N4P3R2S1T0V';
const SECRET = 'aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0';

/** `head` followed by its own valid checksum: what a real token's last six characters are. */
function sealed(head: string): string {
  return head + base62Fixed(crc32Ascii(head), 6);
}

const material = {
  id: ID,
  secret: SECRET,
  type: 'personal' as const,
  tenant: 't',
  owner: 'o',
  issuedAt: 0,
  expiresAt: null,
};

describe('junk with a valid checksum is refused by the shape', () => {
  it.each([
    ['a character before the prefix', sealed(`Xacme_p_${ID}${SECRET}`)],
    ['a space before the prefix', sealed(` acme_p_${ID}${SECRET}`)],
    ['an underscore before the prefix', sealed(`_acme_p_${ID}${SECRET}`)],
    ['text after the checksum', `${sealed(`acme_p_${ID}${SECRET}`)}x`],
    ['two extra body characters', sealed(`acme_p_${ID}${SECRET}ab`)],
    ['a body one character short', sealed(`acme_p_${ID}${SECRET.slice(1)}`)],
    ['an unknown type code', sealed(`acme_x_${ID}${SECRET}`)],
    ['a lowercase id', sealed(`acme_p_${ID.toLowerCase()}${SECRET}`)],
    ['an id with I (not Crockford)', sealed(`acme_p_${ID.slice(0, 25)}I${SECRET}`)],
    ['a secret with a dash', sealed(`acme_p_${ID}${SECRET.slice(0, 29)}-`)],
    ['an uppercase prefix', sealed(`ACME_p_${ID}${SECRET}`)],
    ['a 21-character prefix', sealed(`${'a'.repeat(21)}_p_${ID}${SECRET}`)],
    ['no prefix', sealed(`_p_${ID}${SECRET}`)],
    ['a newline inside', sealed(`acme_p_${ID}\n${SECRET.slice(1)}`)],
  ])('%s', (_label, junk) => {
    expect(looksLikeToken(junk)).toBe(false);
    expect(tokenParts(junk)).toBeNull();
    expect(opaqueFormat('acme').parse(junk)).toBeNull();
    expect(opaqueFormat('acme').looksLike(junk)).toBe(false);
  });

  it('while the same text without the junk is a token', () => {
    const token = sealed(`acme_p_${ID}${SECRET}`);
    expect(looksLikeToken(token)).toBe(true);
    expect(tokenParts(token)).toEqual({ prefix: 'acme', type: 'personal', id: ID });
    expect(opaqueFormat('acme').parse(token)).toEqual({ id: ID, secret: SECRET, type: 'personal' });
  });

  it('a string-like object is not a token, even if it prints as one', () => {
    const token = sealed(`acme_p_${ID}${SECRET}`);
    const disguised = { toString: () => token, length: token.length };
    expect(looksLikeToken(disguised as unknown as string)).toBe(false);
    expect(looksLikeToken({ toString: () => token } as unknown as string)).toBe(false);
    expect(redact(disguised as unknown as string)).toBe('');
  });
});

describe('the longest and the shortest prefix', () => {
  const longest = opaqueFormat('p'.repeat(20)).encode(material);
  const shortest = opaqueFormat('q').encode({ ...material, type: 'limited' });

  it('a 20-character prefix makes an 85-character token, which is a token', () => {
    expect(MAX_OPAQUE_LENGTH).toBe(85);
    expect(longest).toHaveLength(85);
    expect(looksLikeToken(longest)).toBe(true);
    expect(tokenParts(longest)).toEqual({ prefix: 'p'.repeat(20), type: 'personal', id: ID });
    expect(opaqueFormat('p'.repeat(20)).parse(longest)).toEqual({ id: ID, secret: SECRET, type: 'personal' });
  });

  it('one character more is not', () => {
    expect(looksLikeToken(`p${longest}`)).toBe(false);
    expect(looksLikeToken(sealed(`${'p'.repeat(21)}_p_${ID}${SECRET}`))).toBe(false);
  });

  it('redact hides the secret of a 1-character and of a 20-character prefix', () => {
    expect(shortest).toHaveLength(66);
    expect(redact(`a ${shortest} b`)).toBe(`a q_l_${ID}…[redacted] b`);
    expect(redact(`${longest}`)).toBe(`${'p'.repeat(20)}_p_${ID}…[redacted]`);
    expect(redact(`(${shortest},${longest})`)).toBe(`(q_l_${ID}…[redacted],${'p'.repeat(20)}_p_${ID}…[redacted])`);
  });

  it('redact leaves look-alikes inside longer words alone', () => {
    expect(redact(`X${shortest}`)).toBe(`X${shortest}`);
    expect(redact(`${shortest}_old`)).toBe(`${shortest}_old`);
  });
});

describe('prefixes and digits that only print right', () => {
  it.each([
    ['a number', 123],
    ['a list of one prefix', ['acme']],
    ['a boxed string', new String('acme')],
  ])('refuses %s as a prefix, naming the field', (_label, prefix) => {
    expect(refusalOf(() => checkPrefix(prefix, 'prefix'))).toEqual({ code: 'invalid_request', field: 'prefix' });
    expect(refusalOf(() => opaqueFormat(prefix as string))).toEqual({ code: 'invalid_request', field: 'prefix' });
  });

  it('a non-ASCII character is no base62 digit, nor a base64url one', () => {
    expect(base62Value('abcdeé', 0, 6)).toBe(-1);
    expect(base62Value('\u0100bcdef', 0, 6)).toBe(-1);
    expect(fromBase64Url('AAAé')).toBeNull();
    expect(fromBase64Url('AA\u0141A')).toBeNull();
  });
});

describe('the opaque format object', () => {
  const format = opaqueFormat('acme');
  const token = sealed(`acme_p_${ID}${SECRET}`);

  it('is of kind opaque and knows its own tokens by shape and prefix', () => {
    expect(format.kind).toBe('opaque');
    expect(format.looksLike(token)).toBe(true);
    expect(format.looksLike(sealed(`acmf_p_${ID}${SECRET}`))).toBe(false);
    expect(opaqueFormat('acm').looksLike(token)).toBe(false);
  });
});
