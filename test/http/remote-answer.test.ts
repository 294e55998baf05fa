/**
 * Reading an RFC 7662 answer into a principal (`readAnswer`): the `meta`
 * member (issue 13) is taken when it is a JSON object and refuses the
 * whole answer otherwise, as any other malformed member does.
 */
import { describe, expect, it } from 'vitest';
import { readAnswer } from '../../src/http/remote-answer.js';

const NOW = Date.UTC(2026, 0, 1);
const LIVE = { active: true, jti: '01J0000000000000000000000A', tenant: 'acme', type: 'personal', sub: 'bob' };

describe('readAnswer: meta', () => {
  it('takes an object as the principal meta, and null without one', () => {
    expect(readAnswer(JSON.stringify({ ...LIVE, meta: { app: 'billing', n: [1] } }), NOW)?.meta).toEqual({
      app: 'billing',
      n: [1],
    });
    expect(readAnswer(JSON.stringify(LIVE), NOW)?.meta).toBeNull();
  });

  it.each([[[1, 2]], ['text'], [null], [7], [true]])('refuses meta %j as unreadable (unavailable)', (meta) => {
    expect(() => readAnswer(JSON.stringify({ ...LIVE, meta }), NOW)).toThrow(
      expect.objectContaining({ code: 'unavailable' }),
    );
  });
});

describe('readAnswer: one unambiguous object', () => {
  // `{"active":false,"active":true}` reads as active to JSON.parse: a proxy that keeps the first would disagree.
  it.each([
    ['{"active":false,"active":true,"jti":"01J0000000000000000000000A","tenant":"acme","type":"personal","sub":"bob"}'],
    [
      '{"active":true,"jti":"01J0000000000000000000000A","tenant":"acme","type":"personal","sub":"bob","s\\u0075b":"root"}',
    ],
  ])('refuses a member named twice as unreadable (unavailable): %s', (raw) => {
    expect(() => readAnswer(raw, NOW)).toThrow(expect.objectContaining({ code: 'unavailable' }));
  });
});
