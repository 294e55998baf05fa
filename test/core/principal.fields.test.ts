/**
 * The principal's constructor copies its fields one by one (issue 12), so a
 * field added to `Principal` by another feature (meters' `remaining` and
 * `ratelimits`, `meta`, issue 13) is lost unless the constructor copies it too.
 * `Required<PrincipalFields>` makes this list fail to compile when a field
 * is added; the test fails when the constructor drops one.
 */
import { describe, expect, it } from 'vitest';
import { createPrincipal, type PrincipalFields, principalOfRecord, stampOf } from '../../src/core/principal.js';
import { testRecord } from '../support/records.js';

const every: Required<PrincipalFields> = {
  tokenId: '01JTESTTOKEN0000000000000',
  type: 'personal',
  tenant: 'acme',
  owner: 'ann',
  name: 'ci',
  grants: [{ scope: 'reports' }],
  ownerIsAdmin: false,
  expiresAt: new Date(Date.UTC(2026, 0, 1)),
  meta: { plan: 'pro' },
  session: { id: 'session-1', expiresAt: new Date(Date.UTC(2026, 0, 2)) },
  remaining: 7,
  ratelimits: [{ name: 'default', limit: 10, duration: 1000 }],
};

describe('createPrincipal', () => {
  it('keeps every field it is given', () => {
    const principal = createPrincipal(every);
    expect({ ...principal }).toEqual(every);
  });

  it('shows no key for an optional field without a value', () => {
    const { session: _s, remaining: _r, ratelimits: _l, ...required } = every;
    expect(Object.keys(createPrincipal(required)).sort()).toEqual(Object.keys(required).sort());
  });
});

describe('principalOfRecord', () => {
  const record = testRecord(every.tokenId, { name: every.name, owner: every.owner, meta: every.meta, rotatedAt: 9 });
  const { session, remaining, ratelimits } = every;

  it('keeps the fields of the record, the ones it is given and every optional one', () => {
    const principal = principalOfRecord(record, {}, false, every.grants, false, every.expiresAt, {
      session,
      remaining,
      ratelimits,
    });
    expect({ ...principal }).toEqual(every);
    expect(stampOf(principal)).toEqual({ rotatedAt: 9, graced: false });
  });

  it('shows no key for an optional field without a value', () => {
    const principal = principalOfRecord(record, {}, true, every.grants, true, null, { remaining });
    expect(Object.keys(principal).sort()).toEqual(
      [...Object.keys(every).filter((key) => key !== 'session' && key !== 'ratelimits')].sort(),
    );
    expect(principal.ownerIsAdmin).toBe(true);
    expect(principal.expiresAt).toBeNull();
    expect(stampOf(principal)).toEqual({ rotatedAt: 9, graced: true });
  });
});
