/**
 * Input checks at their boundaries (issue 15): exactly 100-character names,
 * 1000-character comments and 200-character identifiers are accepted, one
 * more is refused; non-strings (numeric tenant ids) are refused naming the
 * field; unknown option keys are named.
 */
import { describe, expect, it } from 'vitest';
import { comment, expectKeys, identifier, isPlainObject, tokenName } from '../../src/core/input.js';
import { refusalOf } from '../support/refusal.js';

describe('tokenName', () => {
  it.each([
    ['1 character', 'x'],
    ['exactly 100 characters', 'n'.repeat(100)],
    ['100 characters once in NFC', `${'e\u0301'.repeat(100)}`],
    ['inner spaces', 'deploy from ci'],
  ])('accepts %s', (_label, name) => {
    expect(tokenName(name)).toBe(name.normalize('NFC'));
  });

  it.each([
    ['101 characters', 'n'.repeat(101)],
    ['an empty name', ''],
    ['a number', 42],
    ['null', null],
    ['two lines', 'a\nb'],
    ['a leading space', ' a'],
    ['a trailing space', 'a '],
  ])('refuses %s naming name', (_label, value) => {
    expect(refusalOf(() => tokenName(value))).toEqual({ code: 'invalid_request', field: 'name' });
  });

  it('names the caller’s field', () => {
    expect(refusalOf(() => tokenName('', 'input.name'))).toEqual({ code: 'invalid_request', field: 'input.name' });
  });
});

describe('comment', () => {
  it.each([
    ['an empty comment', ''],
    ['exactly 1000 characters', 'c'.repeat(1000)],
    ['tabs and newlines', 'line one\n\tline two'],
    ['surrounding spaces', ' spaced '],
  ])('accepts %s', (_label, text) => {
    expect(comment(text)).toBe(text);
  });

  it.each([
    ['1001 characters', 'c'.repeat(1001)],
    ['a carriage return', 'a\rb'],
    ['a number', 7],
    ['undefined', undefined],
  ])('refuses %s naming comment', (_label, value) => {
    expect(refusalOf(() => comment(value))).toEqual({ code: 'invalid_request', field: 'comment' });
  });

  it('names the caller’s field', () => {
    expect(refusalOf(() => comment(1, 'input.comment'))).toEqual({ code: 'invalid_request', field: 'input.comment' });
  });
});

describe('identifier', () => {
  it.each(['acme', 'a', 'i'.repeat(200), 'user@example.com', 'tenant:eu-1', 'a.b_c+d', 'Åsa', '42'])(
    'accepts %j',
    (id) => {
      expect(identifier(id, 'tenant')).toBe(id);
    },
  );

  it.each([
    ['a numeric tenant id', 42],
    ['a bigint', 42n],
    ['201 characters', 'i'.repeat(201)],
    ['an empty string', ''],
    ['a space', 'a b'],
    ['a slash', 'a/b'],
    ['a newline at the end', 'acme\n'],
    ['a boxed string', new String('acme')],
    ['an array', ['acme']],
  ])('refuses %s naming the field', (_label, value) => {
    expect(refusalOf(() => identifier(value, 'actor.tenant'))).toEqual({
      code: 'invalid_request',
      field: 'actor.tenant',
    });
  });
});

describe('expectKeys and isPlainObject', () => {
  it('takes undefined as no options and answers a copy of the own keys, each read once', () => {
    expect(expectKeys(undefined, 'options', ['a'])).toEqual({});
    const options = { a: 1 };
    const copy = expectKeys(options, 'options', ['a', 'b']);
    expect(copy).toEqual(options);
    expect(copy).not.toBe(options);
    let reads = 0;
    const counted = {
      get a() {
        reads += 1;
        return reads;
      },
    };
    const snapshot = expectKeys(counted, 'options', ['a']);
    expect([snapshot.a, snapshot.a, reads]).toEqual([1, 1, 1]);
  });

  it('answers no inherited key: one planted on Object.prototype is absent', () => {
    Object.defineProperty(Object.prototype, 'b', { value: 'planted', configurable: true, writable: true });
    try {
      expect(expectKeys({ a: 1 }, 'options', ['a', 'b']).b).toBeUndefined();
    } finally {
      delete (Object.prototype as Record<string, unknown>).b;
    }
  });

  it('refuses a key whose getter throws, naming it, with the thrown error as cause', () => {
    const failure = new Error('getter failed');
    const input = Object.defineProperty({}, 'a', {
      enumerable: true,
      get() {
        throw failure;
      },
    });
    expect(refusalOf(() => expectKeys(input, 'input', ['a']))).toEqual({ code: 'invalid_request', field: 'input.a' });
    expect(() => expectKeys(input, 'input', ['a'])).toThrow(expect.objectContaining({ cause: failure }));
  });

  it.each([
    ['an unknown key', { a: 1, expiresIn: 2 }, 'options.expiresIn'],
    ['an array', [], 'options'],
    ['null', null, 'options'],
    ['a string', 'a', 'options'],
  ])('refuses %s naming it', (_label, value, field) => {
    expect(refusalOf(() => expectKeys(value, 'options', ['a']))).toEqual({ code: 'invalid_request', field });
  });

  it.each([
    [{}, true],
    [Object.create(null), true],
    [[], false],
    [null, false],
    ['x', false],
    [undefined, false],
  ])('isPlainObject(%j) is %s', (value, expected) => {
    expect(isPlainObject(value)).toBe(expected);
  });
});
