/**
 * Token extraction as a pure function: a table of header lists, and
 * properties over generated input (every RFC 6750 b64token round-trips;
 * nothing but a TokenError is ever thrown, and its message never contains
 * what the request sent).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { extractionSettings, extractToken, extractTokenValue } from '../../src/http/extract.js';
import { plainExtractToken } from './support/plain-extract.js';

const settings = extractionSettings({ header: 'Verification-Token', cookie: 'auth_token' });
const withQuery = extractionSettings({ query: true });

function extract(rawHeaders: string[], url = '/', using = settings) {
  return extractToken({ rawHeaders, url }, using);
}

function code(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    return error instanceof TokenError ? error.code : `foreign:${String(error)}`;
  }
}

describe('extractToken', () => {
  it.each([
    [['Authorization', 'Bearer abc.DEF-123_~+/=='], { token: 'abc.DEF-123_~+/==', source: 'authorization' }],
    [['authorization', 'bearer abc'], { token: 'abc', source: 'authorization' }],
    [['Verification-Token', 'abc'], { token: 'abc', source: 'header' }],
    [['Cookie', 'a=1; auth_token=abc; b=2'], { token: 'abc', source: 'cookie' }],
    [['Cookie', 'auth_token="abc"'], { token: 'abc', source: 'cookie' }],
    [['Cookie', 'xauth_token=abc'], null],
    [['Authorization', 'Basic abc'], null],
    [[], null],
  ] as const)('%j → %j', (headers, expected) => {
    expect(extract([...headers])).toEqual(expected);
  });

  it.each([
    [['Authorization', '']],
    [['Authorization', 'Bearer']],
    [['Authorization', 'Bearer a b']],
    [['Authorization', 'Bearer\ta']],
    [['Authorization', 'Bearer a=b']],
    [['Authorization', 'Bearer a', 'Authorization', 'Bearer a']],
    [['Verification-Token', 'a', 'verification-token', 'a']],
    [['Verification-Token', '']],
    [['Verification-Token', 'a b']],
    [['Cookie', 'auth_token=a; auth_token=b']],
    [['Cookie', 'auth_token=']],
    [['Cookie', 'auth_token=a%20b']],
    [['Authorization', 'Bearer a', 'Cookie', 'auth_token=b']],
  ])('%j → invalid_request', (...headers) => {
    expect(code(() => extract([...headers[0]]))).toBe('invalid_request');
  });

  it('refuses query-string tokens unless enabled, and repeated ones even then', () => {
    expect(code(() => extract([], '/x?access_token=abc'))).toBe('invalid_request');
    expect(extract([], '/x?a=1&access_token=abc', withQuery)).toEqual({ token: 'abc', source: 'query' });
    expect(code(() => extract([], '/x?access_token=a&access_token=a', withQuery))).toBe('invalid_request');
    expect(extract([], '/x?other_access_token=abc')).toBeNull();
  });

  it('sees access_token however its name is percent-encoded, as URLSearchParams decodes it', () => {
    // Each character of the name written plainly or as %XX in either case.
    const spelling = fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 12, maxLength: 12 }).map((choices) =>
      [...'access_token']
        .map((char, i) => {
          const [encode, upper] = choices[i]!;
          const hex = char.charCodeAt(0).toString(16);
          return encode ? `%${upper ? hex.toUpperCase() : hex}` : char;
        })
        .join(''),
    );
    fc.assert(
      fc.property(spelling, b64token, (name, token) => {
        expect(code(() => extract([], `/x?${name}=${token}`))).toBe('invalid_request');
        expect(code(() => extract(['Authorization', `Bearer ${token}`], `/x?a=1&${name}=${token}`))).toBe(
          'invalid_request',
        );
        expect(extract([], `/x?${name}=${encodeURIComponent(token)}`, withQuery)).toEqual({ token, source: 'query' });
        expect(code(() => extract([], `/x?${name}=${token}&access_token=${token}`, withQuery))).toBe('invalid_request');
      }),
    );
    expect(extract([], '/x?access%5Ftokens=abc')).toBeNull();
    expect(extract([], '/x?a=%41')).toBeNull();
  });

  it('refuses over-long credentials as token_invalid without looking further', () => {
    expect(code(() => extract(['Authorization', `Bearer ${'a'.repeat(4097)}`]))).toBe('token_invalid');
    expect(extract(['Authorization', `Bearer ${'a'.repeat(4096)}`])?.token).toHaveLength(4096);
  });

  it('refuses bad configuration with TokenError naming the option', () => {
    const field = (run: () => unknown): string | undefined => {
      try {
        run();
      } catch (error) {
        if (error instanceof TokenError && error.code === 'invalid_request') return error.details.field;
        throw error;
      }
      return undefined;
    };
    expect(field(() => extractionSettings({ header: 'Bad Header' }))).toBe('header');
    expect(field(() => extractionSettings({ header: 'authorization' }))).toBe('header');
    expect(field(() => extractionSettings({ cookie: 'a;b' }))).toBe('cookie');
    expect(field(() => extractionSettings({ maxTokenLength: 3 }))).toBe('maxTokenLength');
    expect(field(() => extractionSettings({ authorization: false }))).toBe('authorization');
    expect(field(() => extractionSettings({ query: 'yes' as never }))).toBe('query');
  });
});

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/'.split('');
const b64token = fc
  .tuple(fc.array(fc.constantFrom(...B64), { minLength: 1, maxLength: 200 }), fc.nat({ max: 3 }))
  .map(([chars, padding]) => chars.join('') + '='.repeat(padding));

describe('extractToken properties', () => {
  it('every b64token round-trips through each source', () => {
    fc.assert(
      fc.property(b64token, (token) => {
        expect(extract(['Authorization', `Bearer ${token}`])?.token).toBe(token);
        expect(extract(['Verification-Token', token])?.token).toBe(token);
        expect(extract(['Cookie', `auth_token=${token}`])?.token).toBe(token);
        expect(extract(['Authorization', `Bearer ${token}`, 'Cookie', `auth_token=${token}`])?.token).toBe(token);
      }),
    );
  });

  it('two different tokens are always invalid_request', () => {
    fc.assert(
      fc.property(b64token, b64token, (a, b) => {
        fc.pre(a !== b);
        expect(code(() => extract(['Authorization', `Bearer ${a}`, 'Verification-Token', b]))).toBe('invalid_request');
      }),
    );
  });

  it('any header value: only a token, null or a TokenError, whose message never contains the value', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('Authorization', 'Verification-Token', 'Cookie', 'X-Other'),
        fc.string({ unit: 'binary', maxLength: 150 }),
        fc.string({ unit: 'binary', maxLength: 150 }),
        (name, before, after) => {
          // A marker no fixed message contains, so finding it in a message means the value was echoed.
          const value = `${before}QZXJV${after}`;
          try {
            const found = extract([name, value]);
            if (found !== null) expect(value).toContain(found.token);
          } catch (error) {
            expect(error).toBeInstanceOf(TokenError);
            expect((error as TokenError).message).not.toContain('QZXJV');
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('extractToken: the character scan against the plain regular expressions (issue 12)', () => {
  /** What a call answers: the token and its source, or the error's code and message. */
  const answer = (run: () => unknown): unknown => {
    try {
      return run();
    } catch (error) {
      return error instanceof TokenError ? `${error.code}: ${error.message}` : `foreign: ${String(error)}`;
    }
  };
  const name = fc.constantFrom(
    'Authorization',
    'authorization',
    'AUTHORIZATION',
    'AuthorizatioN',
    'Authorizatio',
    'Verification-Token',
    'verification-token',
    'Cookie',
    'Host',
    'X-Other',
  );
  const piece = fc.constantFrom(
    'Bearer',
    'bearer',
    'BEARER',
    'bEaReR',
    'Bearerx',
    'Basic',
    'Bear',
    ' ',
    '  ',
    '\t',
    'abc',
    'a.b-c',
    'x=',
    '=',
    'a b',
    '"',
    ';',
    'auth_token=',
    'auth_token=abc',
    'é',
    '\u00c2',
    '\u212a',
    'İ',
    '',
  );
  const value = fc.array(piece, { maxLength: 5 }).map((pieces) => pieces.join(''));
  const headers = fc.array(fc.tuple(name, value), { maxLength: 4 }).map((pairs) => pairs.flat());
  const url = fc.constantFrom('/', '/x?a=1', '/x?access_token=abc', '/x?access_token=a%20b', '/x?access%5Ftoken=x');
  const options = fc.constantFrom(settings, withQuery, extractionSettings({ maxTokenLength: 16 }));

  it('answers every header list exactly as the plain version did', () => {
    fc.assert(
      fc.property(headers, url, options, (rawHeaders, target, using) => {
        const plain = answer(() => plainExtractToken({ rawHeaders, url: target }, using));
        expect(answer(() => extractToken({ rawHeaders, url: target }, using))).toEqual(plain);
        // The token alone, as authentication reads it (a path of its own for Authorization-only setups).
        const token = answer(() => extractTokenValue({ rawHeaders, url: target }, using));
        expect(token).toEqual(typeof plain === 'string' ? plain : ((plain as { token: string } | null)?.token ?? null));
      }),
      { numRuns: 20_000 },
    );
  });
});
