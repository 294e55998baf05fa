import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import {
  grantSetCovers,
  grantsAllow,
  intersectGrantSets,
  needToString,
  normalizeGrants,
  parseGrants,
} from '../../src/core/grants.js';
import { ALL_NEEDS, arbGrantSet, arbGrants, arbNeed } from './arbitraries.js';

describe('grant laws (properties)', () => {
  it('write implies read', () => {
    fc.assert(
      fc.property(arbGrantSet, fc.constantFrom('in.c-csv-import', 'out.c-main'), (grants, bucket) => {
        if (grantsAllow(grants, { bucket, access: 'write' })) {
          expect(grantsAllow(grants, { bucket, access: 'read' })).toBe(true);
        }
      }),
    );
  });

  it('read never implies write', () => {
    expect(grantsAllow([{ bucket: 'b', access: 'read' }], { bucket: 'b', access: 'write' })).toBe(false);
  });

  it('subset is reflexive', () => {
    fc.assert(
      fc.property(arbGrantSet, (a) => {
        expect(grantSetCovers(a, a)).toBe(true);
      }),
    );
  });

  it('subset is antisymmetric up to meaning (mutual cover = same allowed needs)', () => {
    fc.assert(
      fc.property(arbGrantSet, arbGrantSet, (a, b) => {
        if (grantSetCovers(a, b) && grantSetCovers(b, a)) {
          for (const need of ALL_NEEDS) expect(grantsAllow(a, need)).toBe(grantsAllow(b, need));
        }
      }),
    );
  });

  it('subset is transitive', () => {
    fc.assert(
      fc.property(arbGrantSet, arbGrantSet, arbGrantSet, (a, b, c) => {
        if (grantSetCovers(a, b) && grantSetCovers(b, c)) expect(grantSetCovers(a, c)).toBe(true);
      }),
    );
  });

  it('subset agrees with what the sets allow', () => {
    fc.assert(
      fc.property(arbGrantSet, arbGrantSet, (outer, inner) => {
        const byNeeds = ALL_NEEDS.every((need) => !grantsAllow(inner, need) || grantsAllow(outer, need));
        // 'all' allows needs outside the generated universe too, so it is only covered by 'all'.
        if (inner === 'all') expect(grantSetCovers(outer, inner)).toBe(outer === 'all');
        else expect(grantSetCovers(outer, inner)).toBe(byNeeds);
      }),
    );
  });

  it('intersection allows a need exactly when both sets do, and is covered by both', () => {
    fc.assert(
      fc.property(arbGrantSet, arbGrantSet, arbNeed, (a, b, need) => {
        const both = intersectGrantSets(a, b);
        expect(grantsAllow(both, need)).toBe(grantsAllow(a, need) && grantsAllow(b, need));
        expect(grantSetCovers(a, both)).toBe(true);
        expect(grantSetCovers(b, both)).toBe(true);
      }),
    );
  });

  it('normalization keeps meaning and is idempotent', () => {
    fc.assert(
      fc.property(arbGrants, (grants) => {
        const normal = normalizeGrants(grants);
        for (const need of ALL_NEEDS) expect(grantsAllow(normal, need)).toBe(grantsAllow(grants, need));
        expect(normalizeGrants(normal)).toEqual(normal);
      }),
    );
  });
});

describe('parseGrants', () => {
  it('accepts the three kinds and normalizes them', () => {
    expect(
      parseGrants([
        { bucket: 'in.c-csv-import', access: 'read' },
        { bucket: 'in.c-csv-import', access: 'write' },
        { component: 'keboola.ex-db-mysql', actions: ['run'] },
        { component: 'keboola.ex-db-mysql', actions: ['configure'] },
        { scope: 'checkup_report_create' },
        { scope: 'checkup_report_create' },
      ]),
    ).toEqual([
      { bucket: 'in.c-csv-import', access: 'write' },
      { component: 'keboola.ex-db-mysql' },
      { scope: 'checkup_report_create' },
    ]);
  });

  it.each([
    ['not an array', { bucket: 'b', access: 'read' }],
    ['null item', [null]],
    ['bad access', [{ bucket: 'b', access: 'admin' }]],
    ['empty bucket', [{ bucket: '', access: 'read' }]],
    ['bucket with spaces', [{ bucket: 'a b', access: 'read' }]],
    ['extra field', [{ bucket: 'b', access: 'read', owner: 'x' }]],
    ['empty actions', [{ component: 'c', actions: [] }]],
    ['unknown action', [{ component: 'c', actions: ['delete'] }]],
    ['scope with newline', [{ scope: 'a\nb' }]],
    ['unknown kind', [{ table: 't' }]],
    ['too long name', [{ scope: 'x'.repeat(201) }]],
    ['too many', Array.from({ length: 1001 }, () => ({ scope: 's' }))],
  ])('refuses %s with invalid_request', (_label, input) => {
    expect(() => parseGrants(input)).toThrow(TokenError);
    try {
      parseGrants(input);
    } catch (error) {
      expect((error as TokenError).code).toBe('invalid_request');
    }
  });

  it('prints needs as stable scope strings', () => {
    expect(needToString({ bucket: 'in.c-csv-import', access: 'write' })).toBe('bucket:in.c-csv-import:write');
    expect(needToString({ component: 'keboola.ex-db-mysql', action: 'run' })).toBe('component:keboola.ex-db-mysql:run');
    expect(needToString({ scope: 'checkup_report_create' })).toBe('scope:checkup_report_create');
  });
});
