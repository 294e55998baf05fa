/**
 * The pieces behind the hostile-request table, as pure functions: the
 * strict JSON reader (repeated member names found exactly when a reference
 * model of the generated text has them, however names are escaped; junk
 * bytes only ever give an object or a TokenError), and the test of whether
 * a request carries a header a cross-site form cannot set.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { repeatedName } from '../../src/core/json-names.js';
import { bodyRefusal, mediaType } from '../../src/http/body.js';
import { carriesPreflightedHeader } from '../../src/http/cross-site.js';
import { readJsonBody } from '../../src/http/json.js';

/** A JSON text made by the generator, and whether some object in it names a member twice. */
interface Generated {
  readonly text: string;
  readonly repeats: boolean;
}

/** Every character as a `\uXXXX` escape: the same name, written differently. */
function escapeAll(name: string): string {
  return `"${name
    .split('')
    .map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .join('')}"`;
}

// Few names, so repeats are common; some need escapes, one is not a plain identifier.
const NAMES = ['a', 'b', 'name', 'é', '\u0000', '"', '\\', '\ud83d\ude00'];
const SPACE = fc.constantFrom('', ' ', '\n\t ');

const { object } = fc.letrec<{ value: Generated; leaf: Generated; array: Generated; object: Generated }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('array'), tie('object')),
  leaf: fc
    .oneof(
      fc.constantFrom('null', 'true', 'false', '0', '-1.5e3'),
      fc.string({ maxLength: 6 }).map((text) => JSON.stringify(text)),
      // A string holding what looks like structure must not confuse the scanner.
      fc.constantFrom('"{\\"a\\":1,\\"a\\":2}"', '"\\\\"', '"[,]:"'),
    )
    .map((text) => ({ text, repeats: false })),
  array: fc.array(tie('value'), { maxLength: 4 }).chain((items) =>
    SPACE.map((space) => ({
      text: `[${space}${items.map((item) => item.text).join(`${space},${space}`)}${space}]`,
      repeats: items.some((item) => item.repeats),
    })),
  ),
  object: fc.array(fc.tuple(fc.constantFrom(...NAMES), fc.boolean(), tie('value')), { maxLength: 4 }).chain((members) =>
    SPACE.map((space) => {
      const names = members.map(([name]) => name);
      const written = members.map(
        ([name, escaped, value]) => `${escaped ? escapeAll(name) : JSON.stringify(name)}${space}:${space}${value.text}`,
      );
      return {
        text: `{${space}${written.join(`${space},${space}`)}${space}}`,
        repeats: new Set(names).size !== names.length || members.some(([, , value]) => value.repeats),
      };
    }),
  ),
}));

describe('readJsonBody', () => {
  it('finds a repeated member name exactly when the text has one, at any depth and however escaped', () => {
    fc.assert(
      fc.property(object, ({ text, repeats }) => {
        expect(JSON.parse(text)).toBeTypeOf('object');
        expect(repeatedName(text) !== null).toBe(repeats);
        if (repeats) expect(() => readJsonBody(text)).toThrow(TokenError);
        else expect(readJsonBody(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('names the path of a repeated name when every step is a plain identifier, else "body"', () => {
    const field = (text: string): string | undefined => {
      try {
        readJsonBody(text);
      } catch (error) {
        return (error as TokenError).details.field;
      }
      return undefined;
    };
    expect(field('{"name":1,"name":2}')).toBe('name');
    // The repeated name, not the member read just before it.
    expect(field('{"b":1,"a":1,"b":2}')).toBe('b');
    expect(field('{"x":{"b":1,"a":1,"b":2}}')).toBe('x.b');
    expect(field('{"grants":[{"scope":"a"},{"bucket":"x","bucket":"y"}]}')).toBe('grants[1].bucket');
    expect(field('{"a":{"b":[[],[{"c":1,"c":2}]]}}')).toBe('a.b[1][0].c');
    expect(field('{"a b":{"c":1,"c":2}}')).toBe('body');
    expect(field('{"a":1,"b":{"a":1},"c":[{"a":1}]}')).toBeUndefined();
  });

  it.each([
    ['', undefined],
    ['  \n', undefined],
    ['{}', {}],
    ['\ufeff{"a":1}', { a: 1 }],
  ])('reads %j as %j', (text, value) => {
    expect(readJsonBody(Buffer.from(text))).toEqual(value);
  });

  it.each([['null'], ['0'], ['"x"'], ['true'], ['[]'], ['{"a":1'], ['{"a":1}{"b":2}'], ["{'a':1}"], ['{"a":1,}']])(
    'refuses %j as body',
    (text) => {
      expect(() => readJsonBody(text)).toThrow(
        expect.objectContaining({ code: 'invalid_request', details: { field: 'body' } }),
      );
    },
  );

  it('refuses bytes that are not UTF-8, overlong forms and lone surrogate encodings included', () => {
    for (const bytes of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      const body = Buffer.concat([Buffer.from('{"a":"'), Buffer.from(bytes), Buffer.from('"}')]);
      expect(() => readJsonBody(body)).toThrow(expect.objectContaining({ details: { field: 'body' } }));
    }
  });

  it('any bytes: an object, nothing, or a TokenError(invalid_request); never another error', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.json().map((text) => Buffer.from(text)),
        ),
        (bytes) => {
          try {
            const value = readJsonBody(bytes);
            if (value !== undefined) expect(typeof value === 'object' && !Array.isArray(value)).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(TokenError);
            expect((error as TokenError).code).toBe('invalid_request');
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/** Headers a browser or the proxies in front of an app send on their own. */
const AMBIENT: Readonly<Record<string, string>> = {
  host: 'app.example',
  cookie: 'session=1',
  origin: 'https://evil.example',
  referer: 'https://evil.example/',
  'user-agent': 'Mozilla/5.0',
  accept: '*/*',
  'accept-language': 'en',
  'accept-encoding': 'gzip',
  'content-language': 'en',
  'content-length': '0',
  'cache-control': 'no-cache',
  pragma: 'no-cache',
  'upgrade-insecure-requests': '1',
  'sec-fetch-site': 'cross-site',
  'sec-ch-ua': '"x"',
  priority: 'u=1',
  'x-forwarded-for': '203.0.113.1',
  'x-forwarded-host': 'app.example',
  forwarded: 'for=203.0.113.1',
  'x-real-ip': '203.0.113.1',
  via: '1.1 proxy',
  'cf-connecting-ip': '203.0.113.1',
  'x-amzn-trace-id': 'Root=1',
  'x-amzn-oidc-identity': 'bob',
  'x-ms-client-principal-name': 'bob',
  'x-goog-authenticated-user-email': 'bob@example.com',
  'x-auth-request-user': 'bob',
  'remote-user': 'bob',
  traceparent: '00-1-2-01',
  'x-request-id': 'r1',
};

describe('carriesPreflightedHeader', () => {
  it('no mix of what browsers and proxies send by themselves proves anything', () => {
    fc.assert(
      fc.property(fc.subarray(Object.keys(AMBIENT)), (names) => {
        const headers = Object.fromEntries(names.map((name) => [name, AMBIENT[name]!]));
        expect(carriesPreflightedHeader(headers)).toBe(false);
        for (const scheme of ['Basic', 'digest', 'Negotiate', 'NTLM']) {
          expect(carriesPreflightedHeader({ ...headers, authorization: `${scheme} abc` })).toBe(false);
        }
      }),
    );
  });

  it('a bearer token, or any header of the app’s own, does', () => {
    fc.assert(
      fc.property(fc.subarray(Object.keys(AMBIENT)), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), (names, suffix) => {
        const headers = Object.fromEntries(names.map((name) => [name, AMBIENT[name]!]));
        expect(carriesPreflightedHeader({ ...headers, authorization: 'Bearer abc' })).toBe(true);
        expect(carriesPreflightedHeader({ ...headers, [`x-app-${suffix}`]: '1' })).toBe(true);
      }),
    );
    expect(carriesPreflightedHeader({ 'x-requested-with': 'XMLHttpRequest' })).toBe(true);
    expect(carriesPreflightedHeader({ 'x-csrf-token': 'abc' })).toBe(true);
  });

  it('takes a deployment’s own proxy headers as ambient too', () => {
    const extra = { names: new Set(['x-corp-user']), prefixes: ['x-edge-'] };
    expect(carriesPreflightedHeader({ 'x-corp-user': 'bob' })).toBe(true);
    expect(carriesPreflightedHeader({ 'x-corp-user': 'bob', 'x-edge-pop': 'fra' }, extra)).toBe(false);
  });
});

describe('bodyRefusal and mediaType', () => {
  it.each([
    ['application/json', 'application/json', undefined],
    ['Application/JSON; Charset="UTF-8"', 'application/json', 'utf-8'],
    ['text/plain;charset=utf-8;x=1', 'text/plain', 'utf-8'],
    ['', '', undefined],
  ])('reads %j', (header, type, charset) => {
    expect(mediaType(header)).toEqual({ type, charset });
  });

  it.each([
    ['POST', {}, 'json', 415],
    ['POST', { 'content-type': 'application/json' }, 'json', null],
    ['POST', { 'x-app': '1' }, 'json', null],
    ['POST', {}, 'json-or-form', null],
    ['PATCH', {}, 'json', null],
    ['PUT', {}, 'json', null],
    ['DELETE', {}, 'json', null],
    ['PATCH', { 'content-length': '2' }, 'json', 415],
    ['PATCH', { 'transfer-encoding': 'chunked', 'content-type': 'application/json' }, 'json', null],
    ['POST', { 'content-type': 'application/x-www-form-urlencoded' }, 'json', 415],
    ['POST', { 'content-type': 'application/x-www-form-urlencoded' }, 'json-or-form', null],
    ['POST', { 'content-type': 'application/json; charset=utf-16' }, 'json', 415],
    ['POST', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, 'json', 415],
    ['POST', { 'content-type': 'application/json', 'content-encoding': 'identity' }, 'json', null],
  ] as const)('%s %j on a %s route → %s', (method, headers, kind, status) => {
    expect(bodyRefusal(method, headers, kind)?.status ?? null).toBe(status);
  });
});
