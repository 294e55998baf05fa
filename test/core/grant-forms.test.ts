/**
 * The verification path's grant shortcuts (issue 12) are their definitions:
 * `isCanonical` only holds where normalizing changes nothing (and always
 * for normalized lists), `allowsAll` is
 * `grantSetCovers` on two lists, and `intersectGrantSets` answers exactly
 * what the general construction (every need of one set that the other
 * allows, normalized) answers — including on lists that are not canonical
 * or not even well-formed.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowsAll, isCanonical } from '../../src/core/grant-forms.js';
import {
  COMPONENT_ACTIONS,
  grantSetCovers,
  grantsAllow,
  intersectGrantSets,
  normalizeGrants,
} from '../../src/core/grants.js';
import type { BucketAccess, Grant, GrantSet, Need } from '../../src/core/types.js';
import { arbGrant, arbGrantSet, arbGrants } from './arbitraries.js';

/** The needs a grant stands for, as the service reads it. */
function needsOf(grant: Grant): Need[] {
  if ('bucket' in grant) return [{ bucket: grant.bucket, access: grant.access }];
  if ('component' in grant) {
    return [...new Set(grant.actions ?? COMPONENT_ACTIONS)].map((action) => ({ component: grant.component, action }));
  }
  return [{ scope: grant.scope }];
}

/** The intersection built the general way, with no shortcut: the reference. */
function plainIntersection(a: GrantSet, b: GrantSet): GrantSet {
  if (a === 'all') return b === 'all' ? 'all' : normalizeGrants(b);
  if (b === 'all') return normalizeGrants(a);
  const kept: Grant[] = [];
  for (const grant of a) {
    for (const need of needsOf(grant)) {
      if ('bucket' in need) {
        const access: BucketAccess | null = grantsAllow(b, need)
          ? need.access
          : grantsAllow(b, { bucket: need.bucket, access: 'read' })
            ? 'read'
            : null;
        if (access !== null) kept.push({ bucket: need.bucket, access });
      } else if (grantsAllow(b, need)) {
        kept.push('component' in need ? { component: need.component, actions: [need.action] } : need);
      }
    }
  }
  return normalizeGrants(kept);
}

/** Canonical lists (normalized ones) and lists that are not: duplicates, odd order, extra members, stray shapes. */
const arbOddGrant: fc.Arbitrary<Grant> = fc.oneof(
  arbGrant,
  fc.record({ bucket: fc.constantFrom('in.c-logs', 'z'), access: fc.constantFrom('read', 'write'), extra: fc.nat() }),
  fc.record({
    component: fc.constantFrom('keboola.wr-db'),
    actions: fc.constantFrom(['run', 'configure'], ['configure', 'run'], []),
  }),
  fc.record({ scope: fc.constantFrom('dblab_token_check'), bucket: fc.constantFrom('in.c-logs') }),
  fc.record({ component: fc.constantFrom('keboola.wr-db'), actions: fc.constant(undefined) }),
) as fc.Arbitrary<Grant>;
const arbLists: fc.Arbitrary<Grant[]> = fc.oneof(
  arbGrants.map(normalizeGrants),
  fc.array(arbOddGrant, { maxLength: 6 }),
);
const arbSets: fc.Arbitrary<GrantSet> = fc.oneof(fc.constant('all' as const), arbLists, arbGrantSet);

describe('grant shortcuts of the verification path (properties)', () => {
  it('isCanonical holds only when normalizing changes nothing, and for every normalized list', () => {
    fc.assert(
      fc.property(arbLists, arbGrants, (grants, any) => {
        // Strictly equal, member sets included: the shortcut hands out the list itself.
        if (isCanonical(grants)) assert.deepStrictEqual(normalizeGrants(grants), grants);
        expect(isCanonical(normalizeGrants(any))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('allowsAll is grantSetCovers on two lists', () => {
    fc.assert(
      fc.property(arbLists, arbLists, (outer, inner) => {
        expect(allowsAll(outer, inner)).toBe(grantSetCovers(outer, inner));
      }),
      { numRuns: 2000 },
    );
  });

  it('intersectGrantSets answers what the general construction answers', () => {
    fc.assert(
      fc.property(arbSets, arbSets, (a, b) => {
        expect(intersectGrantSets(a, b)).toEqual(plainIntersection(a, b));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the shortcut for a canonical list within the other set: the list itself comes back', () => {
    const token = normalizeGrants([{ scope: 'reports' }, { bucket: 'main', access: 'read' }]);
    const owner: Grant[] = [{ bucket: 'main', access: 'write' }, { scope: 'reports' }, { scope: 'zeta' }];
    expect(intersectGrantSets(token, owner)).toBe(token);
    expect(intersectGrantSets('all', token)).toBe(token);
    // Not within: built anew.
    expect(intersectGrantSets(owner, token)).not.toBe(owner);
  });
});
