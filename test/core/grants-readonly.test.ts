/**
 * `readOnlyGrants` (src/core/grants.ts): what a principal holds of an
 * owner's grants. Its copies are reused by list while the list says the
 * same; a list changed in place in any way must be copied afresh.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frozenGrant, readOnlyGrants } from '../../src/core/grants.js';
import type { Grant } from '../../src/core/types.js';

const arbGrant: fc.Arbitrary<Grant> = fc.oneof(
  fc.record({ bucket: fc.constantFrom('in.a', 'in.b'), access: fc.constantFrom('read' as const, 'write' as const) }),
  fc.record({ scope: fc.constantFrom('reports', 'billing') }),
  fc.constantFrom<Grant>({ component: 'ex-db' }),
  fc.record({
    component: fc.constantFrom('ex-db', 'wr-db'),
    actions: fc.array(fc.constantFrom('run' as const, 'configure' as const), { maxLength: 2 }),
  }),
);

/** One change made in place, as an application changing its directory table would. */
type Change = (list: Grant[]) => void;
const arbChange: fc.Arbitrary<Change> = fc.oneof(
  arbGrant.map(
    (grant): Change =>
      (list) =>
        list.push(grant),
  ),
  fc.constant<Change>((list) => list.pop()),
  fc.tuple(fc.nat(4), arbGrant).map(
    ([at, grant]): Change =>
      (list) => {
        if (list.length > 0) list[at % list.length] = grant;
      },
  ),
  fc.nat(4).map(
    (at): Change =>
      (list) => {
        const grant = list[at % Math.max(1, list.length)] as Record<string, unknown> | undefined;
        if (grant === undefined) return;
        if ('access' in grant) grant.access = grant.access === 'read' ? 'write' : 'read';
        else if (Array.isArray(grant.actions)) {
          if (grant.actions.length === 0) delete grant.actions;
          else grant.actions.push('run');
        } else if ('component' in grant && at % 2 === 0) grant.actions = ['configure'];
        else if ('component' in grant) grant.component = `${String(grant.component)}x`;
        else grant.scope = `${String(grant.scope)}x`;
      },
  ),
);

function frozenThrough(grants: readonly Grant[]): boolean {
  return (
    Object.isFrozen(grants) &&
    grants.every((grant) => Object.isFrozen(grant) && (!('actions' in grant) || Object.isFrozen(grant.actions)))
  );
}

describe('readOnlyGrants', () => {
  it('answers what the list says now, frozen through, after any changes in place', () => {
    fc.assert(
      fc.property(fc.array(arbGrant, { maxLength: 4 }), fc.array(arbChange, { maxLength: 8 }), (start, changes) => {
        const live = start.map((grant) => structuredClone(grant)) as Grant[];
        for (const change of [() => {}, ...changes.map((c) => () => c(live))]) {
          change();
          const held = readOnlyGrants(live) as readonly Grant[];
          expect(held).not.toBe(live);
          expect(frozenThrough(held)).toBe(true);
          // What the list says now, written out by the list itself (not by the copying function).
          expect(held).toEqual(live);
          // Unchanged, the same frozen copy again: the copy is reused, not made per verification.
          expect(readOnlyGrants(live)).toBe(held);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a list frozen through as it is, and everything', () => {
    const frozen = Object.freeze([frozenGrant({ scope: 'reports' })]);
    expect(readOnlyGrants(frozen)).toBe(frozen);
    expect(readOnlyGrants('all')).toBe('all');
    // Frozen on the outside only: copied.
    const shallow = Object.freeze([{ bucket: 'in.a', access: 'read' } as Grant]);
    expect(readOnlyGrants(shallow)).not.toBe(shallow);
    // A frozen component grant whose actions are not: copied, the actions frozen in the copy.
    const actions = ['run' as const];
    const loose = Object.freeze([Object.freeze({ component: 'ex-db', actions }) as Grant]);
    const held = readOnlyGrants(loose) as readonly Grant[];
    expect(held).not.toBe(loose);
    expect(held).toEqual(loose);
    expect(Object.isFrozen((held[0] as { actions: unknown }).actions)).toBe(true);
    // With its actions frozen, or none: kept.
    const tight = Object.freeze([
      Object.freeze({ component: 'ex-db', actions: Object.freeze(['run' as const]) }) as Grant,
    ]);
    expect(readOnlyGrants(tight)).toBe(tight);
    const bare = Object.freeze([Object.freeze({ component: 'ex-db' }) as Grant]);
    expect(readOnlyGrants(bare)).toBe(bare);
  });
});
