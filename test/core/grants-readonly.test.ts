/**
 * `readOnlyGrants` (src/core/grants.ts): what a principal holds of an
 * owner's grants. Its copies are reused by list while the list says the
 * same; a list changed in place in any way must be copied afresh.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frozenGrantList, readOnlyGrants } from '../../src/core/grants.js';
import type { Grant } from '../../src/core/types.js';
import { ValueBucketGrant } from '../support/grant-objects.js';

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

  it('keeps only the lists tokenward made as they are, and everything', () => {
    const made = frozenGrantList([{ scope: 'reports' }]);
    expect(readOnlyGrants(made)).toBe(made);
    expect(readOnlyGrants('all')).toBe('all');
    // Frozen through, but made elsewhere: copied once, and the copy reused while it says the same.
    const tight = Object.freeze([
      Object.freeze({ component: 'ex-db', actions: Object.freeze(['run' as const]) }) as Grant,
    ]);
    const held = readOnlyGrants(tight);
    expect(held).not.toBe(tight);
    expect(held).toEqual(tight);
    expect(readOnlyGrants(tight)).toBe(held);
    // Frozen on the outside only: copied, the actions frozen in the copy.
    const actions = ['run' as const];
    const loose = Object.freeze([Object.freeze({ component: 'ex-db', actions }) as Grant]);
    const copied = readOnlyGrants(loose) as readonly Grant[];
    expect(copied).toEqual(loose);
    expect(Object.isFrozen((copied[0] as { actions: unknown }).actions)).toBe(true);
  });

  // Outside review, issue 12: lists that look frozen but still change.
  it('copies lists that look frozen yet can change, so a principal holds what they said then', () => {
    let access: 'read' | 'write' = 'read';
    const getter = Object.freeze([
      Object.freeze(
        Object.defineProperties(
          {},
          { bucket: { value: 'in.a', enumerable: true }, access: { get: () => access, enumerable: true } },
        ),
      ) as Grant,
    ]);
    const proto: { bucket: string; access: string } = { bucket: 'in.a', access: 'read' };
    const inherited = Object.freeze([Object.freeze(Object.create(proto)) as Grant]);
    const valueObject = new ValueBucketGrant('in.a');
    const privateFields = Object.freeze([valueObject as unknown as Grant]);
    const iterated = [{ bucket: 'in.a', access: 'read' } as Grant];
    Object.defineProperty(iterated, Symbol.iterator, {
      value: function* () {
        yield { scope: 'x' };
      },
    });
    Object.freeze(iterated[0]);
    Object.freeze(iterated);
    const lists = { getter, inherited, privateFields, iterated };
    const held = Object.fromEntries(Object.entries(lists).map(([name, list]) => [name, readOnlyGrants(list)]));
    for (const [name, list] of Object.entries(lists)) {
      expect(held[name], name).not.toBe(list);
      expect(held[name], name).toEqual([{ bucket: 'in.a', access: 'read' }]);
      expect(Object.getPrototypeOf((held[name] as readonly Grant[])[0]), name).toBe(Object.prototype);
    }
    access = 'write';
    proto.access = 'write';
    valueObject.promote();
    for (const name of ['getter', 'inherited', 'privateFields']) {
      // The principal made before keeps what the list said; a principal made now sees the change.
      expect(held[name], name).toEqual([{ bucket: 'in.a', access: 'read' }]);
      expect(readOnlyGrants(lists[name as keyof typeof lists]), name).toEqual([{ bucket: 'in.a', access: 'write' }]);
    }
  });

  it('refuses a list with a hole or an entry that is not an object', () => {
    const holed: Grant[] = [];
    holed[1] = { scope: 'reports' };
    expect(() => readOnlyGrants(holed)).toThrow(TypeError);
    expect(() => readOnlyGrants([null as unknown as Grant])).toThrow(TypeError);
    expect(() => readOnlyGrants(['reports' as unknown as Grant])).toThrow(TypeError);
    // Not an array at all, or a component's actions that are not one: refused, never read as one hole.
    expect(() => readOnlyGrants(new Set([{ scope: 'reports' }]) as unknown as Grant[])).toThrow(TypeError);
    expect(() => readOnlyGrants([{ component: 'ex-db', actions: new Set(['run']) } as unknown as Grant])).toThrow(
      TypeError,
    );
    const actions: string[] = [];
    actions[1] = 'run';
    expect(readOnlyGrants([{ component: 'ex-db', actions } as Grant])).toEqual([
      { component: 'ex-db', actions: [undefined, 'run'] },
    ]);
  });
});
