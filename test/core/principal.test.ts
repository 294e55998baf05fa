/**
 * Principals (src/core/principal.ts): `can` and `assert` against written
 * answers, and what a forged principal gets (issue 15): `forbidden`, never a
 * `TypeError` and never a brand.
 */
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import {
  brandOf,
  createPrincipal,
  type PrincipalFields,
  principalOfRecord,
  stampOf,
  verifiedAllows,
} from '../../src/core/principal.js';
import type { Principal } from '../../src/core/principal-types.js';
import type { Need } from '../../src/core/types.js';
import { testRecord } from '../support/records.js';
import { refusalOf } from '../support/refusal.js';

const FIELDS: PrincipalFields = {
  tokenId: '01JD3Z6Q9X8K7M5N4P3R2S1T0V',
  type: 'personal',
  tenant: 'acme',
  owner: 'alice',
  name: 'ci',
  grants: [{ bucket: 'in.c-csv-import', access: 'read' }, { scope: 'reports' }],
  ownerIsAdmin: false,
  expiresAt: null,
  meta: null,
};

const BRAND = Object.freeze({});

/** The principal of FIELDS' stored token, rotated at `rotatedAt`, as verification makes it. */
function ofRecord(rotatedAt: number | null, graced: boolean): Principal {
  const record = testRecord(FIELDS.tokenId, { name: FIELDS.name, rotatedAt, meta: FIELDS.meta });
  return principalOfRecord(record, BRAND, graced, FIELDS.grants, FIELDS.ownerIsAdmin, FIELDS.expiresAt);
}

describe('can and assert', () => {
  const principal = createPrincipal(FIELDS, BRAND);

  it.each([
    [{ bucket: 'in.c-csv-import', access: 'read' }, true],
    [{ bucket: 'in.c-csv-import', access: 'write' }, false],
    [{ bucket: 'out.c-main', access: 'read' }, false],
    [{ scope: 'reports' }, true],
    [{ scope: 'other' }, false],
    [{ component: 'keboola.ex-db-mysql', action: 'run' }, false],
  ] as [Need, boolean][])('%j → %s', (need, allowed) => {
    expect(principal.can(need)).toBe(allowed);
    if (allowed) {
      expect(principal.assert(need)).toBeUndefined();
    } else {
      let thrown: unknown;
      try {
        principal.assert(need);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TokenError);
      expect((thrown as TokenError).code).toBe('insufficient_scope');
      expect((thrown as TokenError).details.need).toEqual(need);
    }
  });

  it('names the need it checked, without the fields it dropped', () => {
    try {
      principal.assert({ scope: 'other', extra: 'x' } as unknown as Need);
      expect.unreachable();
    } catch (error) {
      expect((error as TokenError).details).toEqual({ need: { scope: 'other' } });
    }
  });

  it("'all' allows every need", () => {
    const admin = createPrincipal({ ...FIELDS, grants: 'all' }, BRAND);
    expect(admin.can({ scope: 'anything' })).toBe(true);
    expect(() => admin.assert({ component: 'c', action: 'configure' })).not.toThrow();
  });

  it('refuses a malformed need with invalid_request naming need', () => {
    expect(refusalOf(() => principal.can(null as unknown as Need))).toEqual({ code: 'invalid_request', field: 'need' });
    expect(refusalOf(() => principal.assert({ bucket: 'b' } as unknown as Need))).toEqual({
      code: 'invalid_request',
      field: 'need',
    });
  });

  it('is frozen, with the fields it was made from', () => {
    expect(Object.isFrozen(principal)).toBe(true);
    expect({ ...principal }).toEqual(FIELDS);
  });
});

describe('brands and forgeries', () => {
  const real = createPrincipal(FIELDS, BRAND);
  const forgeries: [string, () => Principal][] = [
    ['a spread copy', () => ({ ...real }) as Principal],
    ['Object.create on its prototype', () => Object.assign(Object.create(Object.getPrototypeOf(real)), FIELDS)],
    ['Object.create on the principal itself', () => Object.create(real) as Principal],
  ];

  it('keeps the brand it was made with; principals made outside a service carry another one', () => {
    expect(brandOf(real)).toBe(BRAND);
    const remote = createPrincipal(FIELDS);
    expect(brandOf(remote)).toBeTypeOf('object');
    expect(brandOf(remote)).not.toBe(BRAND);
  });

  it.each(forgeries)('%s has no brand', (_label, forge) => {
    expect(brandOf(forge())).toBeUndefined();
  });

  it.each([null, undefined, {}, 'principal', 1])('%j has no brand', (value) => {
    expect(brandOf(value)).toBeUndefined();
  });

  it.each(forgeries.slice(1))('%s is forbidden to use can and assert, not a TypeError', (_label, forge) => {
    const forged = forge();
    const need: Need = { scope: 'reports' };
    expect(refusalOf(() => forged.can(need))).toEqual({ code: 'forbidden', field: undefined });
    expect(refusalOf(() => forged.assert(need))).toEqual({ code: 'forbidden', field: undefined });
  });

  it('borrowed methods are forbidden on a plain object', () => {
    const borrowed = { ...FIELDS, grants: 'all' as const };
    expect(refusalOf(() => real.can.call(borrowed, { scope: 'reports' }))).toEqual({
      code: 'forbidden',
      field: undefined,
    });
  });
});

describe('verifiedAllows: needs parsed beforehand (route guards)', () => {
  const principal = createPrincipal(FIELDS, BRAND);
  const read: Need = { bucket: 'in.c-csv-import', access: 'read' };
  const write: Need = { bucket: 'in.c-csv-import', access: 'write' };

  it('answers as can does, for every need of the list', () => {
    expect(verifiedAllows(principal, [read, { scope: 'reports' }])).toBe(true);
    expect(verifiedAllows(principal, [read, write])).toBe(false);
    expect(verifiedAllows(principal, [write, read])).toBe(false);
    expect(verifiedAllows(principal, [])).toBe(true);
    expect(verifiedAllows(createPrincipal({ ...FIELDS, grants: 'all' }, BRAND), [write])).toBe(true);
  });

  it('leaves anything it did not make to its own can (undefined)', () => {
    const forged = Object.create(Object.getPrototypeOf(principal)) as Principal;
    expect(verifiedAllows(forged, [read])).toBeUndefined();
    expect(verifiedAllows({ ...principal }, [read])).toBeUndefined();
    expect(verifiedAllows(null, [read])).toBeUndefined();
  });
});

describe('stamps: the secret a stored token was verified with', () => {
  it.each([
    ['createPrincipal, no stamp', () => createPrincipal(FIELDS, BRAND), undefined],
    [
      'createPrincipal, current secret never rotated',
      () => createPrincipal(FIELDS, BRAND, { rotatedAt: null, graced: false }),
      { rotatedAt: null, graced: false },
    ],
    [
      'createPrincipal, previous secret in its grace',
      () => createPrincipal(FIELDS, BRAND, { rotatedAt: 1_700_000_000_000, graced: true }),
      { rotatedAt: 1_700_000_000_000, graced: true },
    ],
    [
      'principalOfRecord, current secret never rotated',
      () => ofRecord(null, false),
      { rotatedAt: null, graced: false },
    ],
    ['principalOfRecord, current secret after a rotation', () => ofRecord(5, false), { rotatedAt: 5, graced: false }],
    ['principalOfRecord, previous secret in its grace', () => ofRecord(0, true), { rotatedAt: 0, graced: true }],
  ] as [string, () => Principal, unknown][])('%s', (_label, make, stamp) => {
    const principal = make();
    expect(stampOf(principal)).toEqual(stamp);
    expect(brandOf(principal)).toBe(BRAND);
    expect(Object.isFrozen(principal)).toBe(true);
    expect(principal.can({ scope: 'reports' })).toBe(true);
    expect({ ...principal }).toEqual(FIELDS);
  });

  it.each([null, undefined, {}, 'principal'])('%j has no stamp', (value) => {
    expect(stampOf(value)).toBeUndefined();
  });

  it('a copy of a stamped principal has no stamp', () => {
    const real = ofRecord(5, true);
    expect(stampOf({ ...real })).toBeUndefined();
    expect(stampOf(Object.create(real))).toBeUndefined();
  });
});
