/**
 * Token references and page requests (src/service/lookup.ts) against
 * written answers (issue 15): references by id string and by `{ id }`, by
 * name with and without tenant, the spelling a name had before NFC, and the
 * limits of a page.
 */
import { describe, expect, it } from 'vitest';
import { pageRequest, tokenRef } from '../../src/service/lookup.js';
import type { TokenRef } from '../../src/service/types.js';
import { refusalOf } from '../support/refusal.js';

const ID = '01JD3Z6Q9X8K7M5N4P3R2S1T0V';

describe('tokenRef', () => {
  it.each([
    ['an id', ID, { id: ID }],
    ['{ id }', { id: ID }, { id: ID }],
    ['owner and name', { owner: 'alice', name: 'ci' }, { owner: 'alice', name: 'ci' }],
    ['no owner', { owner: null, name: 'ci' }, { owner: null, name: 'ci' }],
    [
      'tenant, owner and name',
      { tenant: 'acme', owner: 'alice', name: 'ci' },
      { tenant: 'acme', owner: 'alice', name: 'ci' },
    ],
    [
      'a name not in NFC',
      { owner: 'alice', name: 'cafe\u0301' },
      { owner: 'alice', name: 'café', spelled: 'cafe\u0301' },
    ],
  ])('reads %s', (_label, ref, expected) => {
    expect(tokenRef(ref as TokenRef)).toEqual(expected);
  });

  it.each([
    ['a lowercase id', ID.toLowerCase(), 'ref'],
    ['an id one character short', ID.slice(1), 'ref'],
    ['an id one character long', `${ID}0`, 'ref'],
    ['an id with U (not Crockford)', `${ID.slice(0, 25)}U`, 'ref'],
    ['an id with text around it', ` ${ID}`, 'ref'],
    ['{ id } with a number', { id: 5 }, 'ref'],
    ['{ id } with a bad id', { id: 'nope' }, 'ref'],
    ['{ id } with another field', { id: ID, name: 'ci' }, 'ref'],
    ['null', null, 'ref'],
    ['a number', 42, 'ref'],
    ['a numeric tenant', { tenant: 42, owner: 'alice', name: 'ci' }, 'ref.tenant'],
    ['a numeric owner', { owner: 42, name: 'ci' }, 'ref.owner'],
    ['no owner field', { name: 'ci' }, 'ref.owner'],
    ['an empty name', { owner: 'alice', name: '' }, 'ref.name'],
    ['an unknown field', { owner: 'alice', name: 'ci', type: 'personal' }, 'ref.type'],
  ])('refuses %s naming %s', (_label, ref, field) => {
    expect(refusalOf(() => tokenRef(ref as TokenRef))).toEqual({ code: 'invalid_request', field });
  });

  it('names the caller’s field', () => {
    expect(refusalOf(() => tokenRef('x', 'target'))).toEqual({ code: 'invalid_request', field: 'target' });
    expect(refusalOf(() => tokenRef({ owner: 1, name: 'ci' } as unknown as TokenRef, 'target'))).toEqual({
      code: 'invalid_request',
      field: 'target.owner',
    });
  });
});

describe('pageRequest', () => {
  it.each([
    [{}, { limit: 100, cursor: null }],
    [{ limit: 1 }, { limit: 1, cursor: null }],
    [
      { limit: 1000, cursor: 'c' },
      { limit: 1000, cursor: 'c' },
    ],
    [{ cursor: null }, { limit: 100, cursor: null }],
  ])('reads %j', (fields, expected) => {
    expect(pageRequest(fields, 'options')).toEqual(expected);
  });

  it.each([
    [{ limit: 0 }, 'options.limit'],
    [{ limit: 1001 }, 'options.limit'],
    [{ limit: 1.5 }, 'options.limit'],
    [{ limit: '10' }, 'options.limit'],
    [{ limit: null }, 'options.limit'],
    [{ cursor: 5 }, 'options.cursor'],
  ])('refuses %j naming %s', (fields, field) => {
    expect(refusalOf(() => pageRequest(fields, 'options'))).toEqual({ code: 'invalid_request', field });
  });
});
