/**
 * Grants checked against independent, hand-written answers (issue 15): the
 * laws in grants.test.ts compare the functions with themselves, so a rule
 * broken the same way on both sides (a component grant that allows every
 * component) would still pass them.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMPONENT_ACTIONS,
  grantSetCovers,
  grantsAllow,
  intersectGrantSets,
  needToString,
  normalizeGrants,
  parseGrants,
  parseNeed,
} from '../../src/core/grants.js';
import type { Grant, GrantSet, Need } from '../../src/core/types.js';
import { refusalOf } from '../support/refusal.js';
import { ALL_NEEDS, arbGrantSet } from './arbitraries.js';

const MYSQL = 'keboola.ex-db-mysql';
const WRITER = 'keboola.wr-db';
const CSV = 'in.c-csv-import';
const MAIN = 'out.c-main';

/** `needToString` of every need a grant set allows, out of `ALL_NEEDS`. */
function allowed(grants: GrantSet): string[] {
  return ALL_NEEDS.filter((need) => grantsAllow(grants, need)).map(needToString);
}

describe('grantsAllow against a written list of what each grant allows', () => {
  const cases: [string, Grant[], string[]][] = [
    ['no grant', [], []],
    ['read on a bucket', [{ bucket: CSV, access: 'read' }], [`bucket:${CSV}:read`]],
    ['write on a bucket', [{ bucket: CSV, access: 'write' }], [`bucket:${CSV}:read`, `bucket:${CSV}:write`]],
    ['a component, every action', [{ component: MYSQL }], [`component:${MYSQL}:run`, `component:${MYSQL}:configure`]],
    ['a component, run only', [{ component: WRITER, actions: ['run'] }], [`component:${WRITER}:run`]],
    ['a component, configure only', [{ component: WRITER, actions: ['configure'] }], [`component:${WRITER}:configure`]],
    ['a scope', [{ scope: 'dblab_token_check' }], ['scope:dblab_token_check']],
    [
      'one of each',
      [{ bucket: MAIN, access: 'read' }, { component: MYSQL, actions: ['run'] }, { scope: 'joe_session_create' }],
      [`bucket:${MAIN}:read`, `component:${MYSQL}:run`, 'scope:joe_session_create'],
    ],
  ];

  it.each(cases)('%s', (_label, grants, expected) => {
    expect(allowed(grants).sort()).toEqual([...expected].sort());
  });

  it("'all' allows every need, also needs outside any list", () => {
    expect(allowed('all')).toEqual(ALL_NEEDS.map(needToString));
    expect(grantsAllow('all', { scope: 'anything-else' })).toBe(true);
  });

  it('a grant of one kind never allows a need of another kind with the same name', () => {
    const name = 'shared.name';
    const needs: Need[] = [{ bucket: name, access: 'read' }, { component: name, action: 'run' }, { scope: name }];
    const grants: Grant[] = [{ bucket: name, access: 'write' }, { component: name }, { scope: name }];
    for (const [g, grant] of grants.entries()) {
      expect(needs.map((need) => grantsAllow([grant], need))).toEqual(needs.map((_, n) => n === g));
    }
  });
});

describe('intersection, on every need rather than a sampled one', () => {
  it('allows a need exactly when both sets do, for each of the needs (property)', () => {
    fc.assert(
      fc.property(arbGrantSet, arbGrantSet, (a, b) => {
        const both = intersectGrantSets(a, b);
        for (const need of ALL_NEEDS)
          expect(grantsAllow(both, need)).toBe(grantsAllow(a, need) && grantsAllow(b, need));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    [
      'write ∩ read',
      [{ bucket: CSV, access: 'write' }],
      [{ bucket: CSV, access: 'read' }],
      [{ bucket: CSV, access: 'read' }],
    ],
    [
      'read ∩ write',
      [{ bucket: CSV, access: 'read' }],
      [{ bucket: CSV, access: 'write' }],
      [{ bucket: CSV, access: 'read' }],
    ],
    [
      'write ∩ write',
      [{ bucket: CSV, access: 'write' }],
      [{ bucket: CSV, access: 'write' }],
      [{ bucket: CSV, access: 'write' }],
    ],
    ['other buckets', [{ bucket: CSV, access: 'write' }], [{ bucket: MAIN, access: 'write' }], []],
    [
      'all actions ∩ run',
      [{ component: MYSQL }],
      [{ component: MYSQL, actions: ['run'] }],
      [{ component: MYSQL, actions: ['run'] }],
    ],
    ['other components', [{ component: MYSQL }], [{ component: WRITER }], []],
    ['run ∩ configure', [{ component: MYSQL, actions: ['run'] }], [{ component: MYSQL, actions: ['configure'] }], []],
    ['same scope', [{ scope: 'a' }, { scope: 'b' }], [{ scope: 'b' }], [{ scope: 'b' }]],
  ] as [string, Grant[], Grant[], Grant[]][])('%s is a written answer', (_label, a, b, expected) => {
    expect(intersectGrantSets(a, b)).toEqual(expected);
  });

  it("with 'all' is the other set, normalized", () => {
    const unsorted: Grant[] = [{ scope: 'z' }, { scope: 'a' }, { bucket: CSV, access: 'read' }];
    const sorted: Grant[] = [{ bucket: CSV, access: 'read' }, { scope: 'a' }, { scope: 'z' }];
    expect(intersectGrantSets('all', 'all')).toBe('all');
    expect(intersectGrantSets('all', unsorted)).toEqual(sorted);
    expect(intersectGrantSets(unsorted, 'all')).toEqual(sorted);
  });
});

describe('grantSetCovers, written answers', () => {
  it.each([
    ['all covers all', 'all', 'all', true],
    ['all covers a list', 'all', [{ scope: 'a' }], true],
    ['a list never covers all', [{ scope: 'a' }], 'all', false],
    ['the empty list covers itself', [], [], true],
    ['write covers read', [{ bucket: CSV, access: 'write' }], [{ bucket: CSV, access: 'read' }], true],
    ['read does not cover write', [{ bucket: CSV, access: 'read' }], [{ bucket: CSV, access: 'write' }], false],
    ['a component covers one action', [{ component: MYSQL }], [{ component: MYSQL, actions: ['configure'] }], true],
    ['one action does not cover all', [{ component: MYSQL, actions: ['run'] }], [{ component: MYSQL }], false],
    ['another component is not covered', [{ component: MYSQL }], [{ component: WRITER, actions: ['run'] }], false],
    ['another scope is not covered', [{ scope: 'a' }], [{ scope: 'b' }], false],
  ] as [string, GrantSet, GrantSet, boolean][])('%s', (_label, outer, inner, expected) => {
    expect(grantSetCovers(outer, inner)).toBe(expected);
  });
});

describe('canonical order', () => {
  it('puts buckets, then components, then scopes, each sorted by name, whatever the input order', () => {
    const input: Grant[] = [
      { scope: 'm' },
      { component: 'c.z' },
      { bucket: 'b.z', access: 'read' },
      { scope: 'z' },
      { component: 'c.a', actions: ['configure'] },
      { bucket: 'b.a', access: 'write' },
      { scope: 'a' },
      { bucket: 'b.m', access: 'read' },
      { component: 'c.m', actions: ['configure', 'run'] },
      { bucket: 'b.a', access: 'read' },
      { scope: 'm' },
    ];
    const expected: Grant[] = [
      { bucket: 'b.a', access: 'write' },
      { bucket: 'b.m', access: 'read' },
      { bucket: 'b.z', access: 'read' },
      { component: 'c.a', actions: ['configure'] },
      { component: 'c.m' },
      { component: 'c.z' },
      { scope: 'a' },
      { scope: 'm' },
      { scope: 'z' },
    ];
    expect(normalizeGrants(input)).toEqual(expected);
    expect(normalizeGrants([...input].reverse())).toEqual(expected);
    expect(parseGrants(input)).toEqual(expected);
  });

  it('merges the actions of one component in the order of COMPONENT_ACTIONS', () => {
    expect(COMPONENT_ACTIONS).toEqual(['run', 'configure']);
    expect(
      normalizeGrants([
        { component: 'c', actions: ['configure'] },
        { component: 'c', actions: ['run'] },
      ]),
    ).toEqual([{ component: 'c' }]);
    expect(
      normalizeGrants([
        { component: 'c', actions: ['configure'] },
        { component: 'c', actions: ['configure'] },
      ]),
    ).toEqual([{ component: 'c', actions: ['configure'] }]);
  });

  it('keeps write over a later read, and read upgraded by a later write', () => {
    expect(
      normalizeGrants([
        { bucket: 'b', access: 'write' },
        { bucket: 'b', access: 'read' },
      ]),
    ).toEqual([{ bucket: 'b', access: 'write' }]);
    expect(
      normalizeGrants([
        { bucket: 'b', access: 'read' },
        { bucket: 'b', access: 'write' },
      ]),
    ).toEqual([{ bucket: 'b', access: 'write' }]);
  });
});

describe('parseGrants edges', () => {
  it('accepts exactly 1000 grants and 200-character names', () => {
    const thousand = Array.from({ length: 1000 }, (_, i) => ({ scope: `s${String(i).padStart(4, '0')}` }));
    expect(parseGrants(thousand)).toHaveLength(1000);
    expect(parseGrants([{ scope: 'x'.repeat(200) }])).toEqual([{ scope: 'x'.repeat(200) }]);
    expect(parseGrants([{ bucket: 'é.ü-1_a:b/c@d+e', access: 'read' }])).toEqual([
      { bucket: 'é.ü-1_a:b/c@d+e', access: 'read' },
    ]);
  });

  it('takes an explicit undefined list of actions as every action', () => {
    expect(parseGrants([{ component: 'c', actions: undefined }])).toEqual([{ component: 'c' }]);
  });

  it.each([
    ['1001 grants', Array.from({ length: 1001 }, () => ({ scope: 's' })), 'grants'],
    ['a primitive item', [{ scope: 's' }, 'scope:s'], 'grants[1]'],
    ['a number item', [7], 'grants[0]'],
    ['an array item', [[{ scope: 's' }]], 'grants[0]'],
    ['a null item', [null], 'grants[0]'],
    ['a bucket without access', [{ bucket: 'b' }], 'grants[0]'],
    ['a bucket with a numeric name', [{ bucket: 5, access: 'read' }], 'grants[0]'],
    ['a bucket with an extra field', [{ bucket: 'b', access: 'read', actions: ['run'] }], 'grants[0]'],
    ['a component with an extra field', [{ component: 'c', actions: ['run'], owner: 'x' }], 'grants[0]'],
    ['a component with an extra field and no actions', [{ component: 'c', scope: 's' }], 'grants[0]'],
    ['a component with a bad name', [{ component: 'a b' }], 'grants[0]'],
    ['mixed valid and invalid actions', [{ component: 'c', actions: ['run', 'delete'] }], 'grants[0].actions[1]'],
    ['actions that are not a list', [{ component: 'c', actions: 'run' }], 'grants[0]'],
    ['a scope with an extra field', [{ scope: 's', access: 'read' }], 'grants[0]'],
    ['a scope with a numeric name', [{ scope: 1 }], 'grants[0]'],
    ['an empty object', [{}], 'grants[0]'],
    ['a 201-character name', [{ bucket: 'b'.repeat(201), access: 'read' }], 'grants[0]'],
    ['a string', 'all', 'grants'],
  ])('refuses %s naming the field', (_label, input, field) => {
    expect(refusalOf(() => parseGrants(input))).toEqual({ code: 'invalid_request', field });
  });

  it('names the caller’s field', () => {
    expect(refusalOf(() => parseGrants([null], 'limit.grants'))).toEqual({
      code: 'invalid_request',
      field: 'limit.grants[0]',
    });
    expect(refusalOf(() => parseGrants({}, 'limit.grants'))).toEqual({
      code: 'invalid_request',
      field: 'limit.grants',
    });
  });
});

describe('parseNeed', () => {
  it.each([
    [
      { bucket: CSV, access: 'read', extra: 1 },
      { bucket: CSV, access: 'read' },
    ],
    [
      { bucket: CSV, access: 'write' },
      { bucket: CSV, access: 'write' },
    ],
    [
      { component: MYSQL, action: 'run', actions: ['x'] },
      { component: MYSQL, action: 'run' },
    ],
    [
      { component: MYSQL, action: 'configure' },
      { component: MYSQL, action: 'configure' },
    ],
    [{ scope: 'a', note: 'x' }, { scope: 'a' }],
    // A bad bucket part does not hide a good scope.
    [{ bucket: CSV, access: 'admin', scope: 's' }, { scope: 's' }],
  ])('reads %j as %j, dropping other fields', (input, expected) => {
    expect(parseNeed(input)).toEqual(expected);
  });

  it.each([
    null,
    undefined,
    'scope:a',
    42,
    [{ scope: 'a' }],
    {},
    { bucket: CSV },
    { bucket: CSV, access: 'admin' },
    { bucket: '', access: 'read' },
    { component: MYSQL, action: 'delete' },
    { component: MYSQL },
    { component: 'a b', action: 'run' },
    { scope: '' },
    { scope: 7 },
  ])('refuses %j naming need', (input) => {
    expect(refusalOf(() => parseNeed(input))).toEqual({ code: 'invalid_request', field: 'need' });
  });
});
