import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc32Ascii } from '../../src/core/encoding.js';
import { looksLikeToken, redact } from '../../src/core/format.js';
import { findTokens } from '../../src/core/scanning/find.js';
import { TOKEN_PATTERN, tokenPattern } from '../../src/core/scanning/pattern.js';
import { refusalOf } from '../support/refusal.js';
import { CONTEXTS, type IssuedSample, issuedTokens, lookAlikes, withChecksum } from './support.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('findTokens', () => {
  let issued: IssuedSample[];
  beforeAll(async () => {
    issued = await issuedTokens();
  });

  it('finds every issued token in every context, with its exact range, prefix, type and id', () => {
    for (const sample of issued) {
      for (const context of CONTEXTS) {
        const text = context.replaceAll('{}', sample.token);
        const found = findTokens(text);
        expect(found.length).toBe(context.split('{}').length - 1);
        for (const hit of found) {
          expect(text.slice(hit.start, hit.end)).toBe(sample.token);
          expect(hit).toMatchObject({ token: sample.token, prefix: sample.prefix, type: sample.type, id: sample.id });
        }
      }
    }
  });

  it('finds several tokens in order of appearance', () => {
    const text = issued.map((sample, i) => `${i}: ${sample.token}`).join('\n');
    expect(findTokens(text).map((hit) => hit.id)).toEqual(issued.map((sample) => sample.id));
  });

  it('keeps only the given prefixes', () => {
    const text = issued.map((sample) => sample.token).join(' ');
    const acme = issued.filter((sample) => sample.prefix === 'acme').map((sample) => sample.id);
    expect(findTokens(text, { prefix: 'acme' }).map((hit) => hit.id)).toEqual(acme);
    expect(findTokens(text, { prefix: ['nope', 'acme'] }).map((hit) => hit.id)).toEqual(acme);
    expect(findTokens(text, { prefix: 'nope' })).toEqual([]);
  });

  it('leaves out look-alikes whose checksum fails', () => {
    for (const sample of issued) {
      for (const fake of lookAlikes(sample.token)) {
        expect(findTokens(`TOKEN=${fake}\n`)).toEqual([]);
      }
    }
  });

  it('leaves out every single-character change of a token (property)', () => {
    const { token } = issued[1]!;
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom(...`${BASE62}_`), (index, replacement) => {
        fc.pre(token[index] !== replacement);
        const changed = token.slice(0, index) + replacement + token.slice(index + 1);
        expect(findTokens(`x ${changed} y`)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('finds a token only as a whole word', () => {
    const { token } = issued[0]!;
    for (const glued of [`x${token}`, `_${token}`, `${token}x`, `${token}_old`, `${token}0`, `9${token}`]) {
      expect(findTokens(glued)).toEqual([]);
    }
    for (const apart of [`-${token}-`, `.${token}.`, `/${token}/`, `é${token}é`]) {
      expect(findTokens(apart)).toHaveLength(1);
    }
  });

  it('finds nothing in random text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        expect(findTokens(text)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('finds nothing in token-shaped strings with random checksums (property)', () => {
    const shaped = fc
      .tuple(
        fc.stringMatching(/^[a-z0-9]{1,20}$/),
        fc.constantFrom('a', 'p', 'm', 'l'),
        fc.stringMatching(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/),
        fc.stringMatching(/^[0-9A-Za-z]{36}$/),
      )
      .map(([prefix, code, id, rest]) => `${prefix}_${code}_${id}${rest}`);
    // A random checksum verifies once in 2^32 tries: none of these will.
    fc.assert(
      fc.property(shaped, (candidate) => {
        expect(findTokens(`k=${candidate}`)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with looksLikeToken on every word of mixed text (property)', () => {
    const word = fc.oneof(
      fc.constantFrom(...issued.map((sample) => sample.token)),
      fc.constantFrom(...issued.flatMap((sample) => lookAlikes(sample.token))),
      fc
        .tuple(fc.stringMatching(/^[a-z0-9]{1,20}$/), fc.stringMatching(/^[0-9A-Za-z]{30}$/))
        .map(([prefix, secret]) => withChecksum(`${prefix}_l_01JD3Z6Q9X8K7M5N4P3R2S1T0V${secret}`)),
      fc.stringMatching(/^[A-Za-z0-9_]{1,90}$/),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 12 }), (words) => {
        const text = words.join(' ');
        expect(findTokens(text).map((hit) => hit.token)).toEqual(words.filter((w) => looksLikeToken(w)));
      }),
      { numRuns: 300 },
    );
  });

  it('finds nothing that redact would leave readable', () => {
    const text = issued.map((sample) => `user=x token=${sample.token};`).join('\n');
    const hidden = redact(text);
    for (const hit of findTokens(text)) expect(hidden).not.toContain(hit.token.slice(-36));
    expect(findTokens(hidden)).toEqual([]);
  });

  it('and redact hide exactly the same strings: the shape of a token in text is written once (TOKEN_PATTERN)', () => {
    // The expression redact had of its own before it used TOKEN_PATTERN: lookaround instead of \b.
    const earlier =
      /(?<![A-Za-z0-9_])([a-z0-9]{1,20})_([apml])_([0-9A-HJKMNP-TV-Z]{26})[0-9A-Za-z]{36}(?![A-Za-z0-9_])/g;
    const samples = issued.map((sample) => sample.token);
    const piece = fc.oneof(
      fc.constantFrom(...samples),
      fc.constantFrom(...samples).map((token) => token.slice(1)),
      fc.constantFrom(...samples).map((token) => `${token}x`),
      fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '-', ' ', '.', 'é', '\n'), maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const text = pieces.join('');
        const old = text.replace(
          earlier,
          (_t, prefix: string, code: string, id: string) => `${prefix}_${code}_${id}…[redacted]`,
        );
        expect(redact(text)).toBe(old);
        const matched = [...text.matchAll(new RegExp(TOKEN_PATTERN, 'g'))].map((m) => [m.index, m[0]]);
        expect(matched).toEqual([...text.matchAll(earlier)].map((m) => [m.index, m[0]]));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses bad input with a TokenError naming the field', () => {
    const refused = (call: () => unknown, field: string) =>
      expect(refusalOf(call)).toEqual({ code: 'invalid_request', field });
    refused(() => findTokens(42 as unknown as string), 'text');
    refused(() => findTokens('', { prefix: 'ACME' }), 'prefix');
    refused(() => findTokens('', { prefix: [] }), 'prefix');
    refused(() => findTokens('', { prefix: ['acme', 'a_b'] }), 'prefix[1]');
    refused(() => findTokens('', { prefixes: ['acme'] } as never), 'options.prefixes');
    refused(() => findTokens('', 'acme' as never), 'options');
  });
});

describe('tokenPattern', () => {
  it('is the shape with word boundaries, for any prefix or the given ones', () => {
    expect(TOKEN_PATTERN).toBe('\\b[a-z0-9]{1,20}_[apml]_[0-9A-HJKMNP-TV-Z]{26}[0-9A-Za-z]{36}\\b');
    expect(tokenPattern()).toBe(TOKEN_PATTERN);
    expect(tokenPattern({ prefix: 'acme' })).toBe('\\bacme_[apml]_[0-9A-HJKMNP-TV-Z]{26}[0-9A-Za-z]{36}\\b');
    expect(tokenPattern({ prefix: ['acme', 'globex', 'acme'] })).toBe(
      '\\b(?:acme|globex)_[apml]_[0-9A-HJKMNP-TV-Z]{26}[0-9A-Za-z]{36}\\b',
    );
  });

  it('has no capturing groups, lookaround or backreferences', () => {
    for (const pattern of [TOKEN_PATTERN, tokenPattern({ prefix: ['a', 'b'] })]) {
      expect(pattern).not.toMatch(/\((?!\?:)|\(\?<?[=!]|\\[1-9]/);
    }
  });
});

describe('docs/scanning.md', () => {
  const doc = readFileSync('docs/scanning.md', 'utf8');

  it('shows the pattern as it is', () => {
    expect(doc).toContain(`\n${TOKEN_PATTERN}\n`);
  });

  it('works its example as the code computes it', () => {
    const head = 'example_p_01JD3Z6Q9X8K7M5N4P3R2S1T0Vh3Kq9ZmW0pXe7RtY2uVb5NcL8sDf1G';
    expect(crc32Ascii(head)).toBe(0x11cbd642);
    expect(crc32Ascii('123456789')).toBe(0xcbf43926);
    expect(withChecksum(head)).toBe(`${head}0KCm2c`);
    expect(doc).toContain(`${head}0KCm2c`);
    expect(findTokens(doc).map((hit) => hit.token)).toEqual([`${head}0KCm2c`, `${head}0KCm2c`]);
  });
});
