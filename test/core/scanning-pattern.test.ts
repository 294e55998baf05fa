/**
 * `TOKEN_PATTERN` is computed when src/core/scanning/pattern.ts loads. A
 * fault on that path (no prefix given, `undefined` taken for a list) makes
 * the module fail to load, and a test file that imports it statically then
 * fails with no test run at all — which a mutation run does not count as a
 * failed test. Here the module is loaded inside the tests, so such a fault
 * fails them.
 */
import { describe, expect, it } from 'vitest';

const SHAPE = '_[apml]_[0-9A-HJKMNP-TV-Z]{26}[0-9A-Za-z]{36}\\b';

describe('the token pattern, loaded inside a test', () => {
  it('loads, and without a prefix gives the pattern of any prefix', async () => {
    const { TOKEN_PATTERN, tokenPattern } = await import('../../src/core/scanning/pattern.js');
    expect(TOKEN_PATTERN).toBe(`\\b[a-z0-9]{1,20}${SHAPE}`);
    expect(tokenPattern()).toBe(TOKEN_PATTERN);
    expect(tokenPattern({})).toBe(TOKEN_PATTERN);
    expect(tokenPattern({ prefix: undefined } as never)).toBe(TOKEN_PATTERN);
  });

  it('findTokens without options finds a token of any prefix', async () => {
    const { findTokens } = await import('../../src/core/scanning/find.js');
    const { opaqueFormat } = await import('../../src/core/format.js');
    const token = opaqueFormat('zz9').encode({
      id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      secret: 'b'.repeat(30),
      type: 'limited',
      tenant: 't',
      owner: null,
      issuedAt: 0,
      expiresAt: null,
    });
    expect(findTokens(`key=${token};`)).toEqual([
      { token, start: 4, end: 4 + token.length, prefix: 'zz9', type: 'limited', id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
    ]);
  });
});
