/** The SQL constants of the PostgreSQL store's one-round-trip insert (src/stores/postgres/literals.ts). */
import { expect, it } from 'vitest';
import { literal, literals } from '../../src/stores/postgres/literals.js';

it('writes text as an escape string with quotes and backslashes doubled, and casts every value', () => {
  expect(literal("it's", 'text')).toBe("E'it''s'::text");
  expect(literal('a\\b', 'text')).toBe("E'a\\\\b'::text");
  expect(literal("\\'; DROP TABLE x; --", 'text')).toBe("E'\\\\''; DROP TABLE x; --'::text");
  expect(literal(null, 'jsonb')).toBe('NULL::jsonb');
  expect(literal(-42, 'bigint')).toBe("'-42'::bigint");
  expect(literals(['a', 1, null], ['text', 'integer', 'bigint'])).toBe("E'a'::text, '1'::integer, NULL::bigint");
});

it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, true, undefined, {}, 10n])(
  'refuses %s: only text, safe integers and null are written',
  (value) => {
    expect(() => literal(value, 'bigint')).toThrow(TypeError);
  },
);

it('refuses text with a NUL character, which PostgreSQL text cannot hold and a query string would end at', () => {
  expect(() => literal('a\u0000b', 'text')).toThrow(TypeError);
});
