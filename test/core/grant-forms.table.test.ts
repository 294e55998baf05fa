/**
 * The verification path's grant shortcuts (src/core/grant-forms.ts)
 * against written answers. The properties in grant-forms.test.ts prove
 * one direction of `isCanonical` (whatever it accepts, normalizing leaves
 * as it is); a shortcut that refused more would still pass them, so each
 * way a list can fail to be canonical is listed here, next to lists that
 * are canonical. `allowsAll` gets the same: each kind of grant, covered
 * and not.
 */
import { describe, expect, it } from 'vitest';
import { allowsAll, isCanonical } from '../../src/core/grant-forms.js';
import type { Grant } from '../../src/core/types.js';

class GrantList extends Array<Grant> {}
class ActionList extends Array<string> {}

const withMember = <T extends object>(value: T, key: string, member: unknown): T =>
  Object.assign(value, { [key]: member });

describe('isCanonical', () => {
  const yes: readonly (readonly [string, unknown])[] = [
    ['the empty list', []],
    ['one bucket', [{ bucket: 'a', access: 'read' }]],
    ['one written bucket', [{ bucket: 'a', access: 'write' }]],
    ['a component with every action', [{ component: 'c' }]],
    ['a component with run', [{ component: 'c', actions: ['run'] }]],
    ['a component with configure', [{ component: 'c', actions: ['configure'] }]],
    ['one scope', [{ scope: 's' }]],
    [
      'every kind in order, names ascending within each',
      [
        { bucket: 'a', access: 'write' },
        { bucket: 'b', access: 'read' },
        { component: 'c' },
        { component: 'd', actions: ['run'] },
        { scope: 'r' },
        { scope: 's' },
      ],
    ],
    ['names start again with each kind', [{ bucket: 'z', access: 'read' }, { component: 'a' }, { scope: 'a' }]],
    ['a bucket named with the empty string first', [{ bucket: '', access: 'read' }]],
  ];

  it.each(yes)('holds for %s', (_, grants) => {
    expect(isCanonical(grants as Grant[])).toBe(true);
  });

  const no: readonly (readonly [string, unknown])[] = [
    ['a list of another class', GrantList.from([{ scope: 's' }])],
    ['a list without a prototype', Object.setPrototypeOf([{ scope: 's' }], null)],
    ['a list-like object', { 0: { scope: 's' }, length: 1 }],
    ["'all'", 'all'],
    ['a null item', [null]],
    ['a string item', ['s']],
    ['a number item', [5]],
    ['an item of no kind', [{ name: 's' }]],
    ['a scope named by a number', [{ scope: 5 }]],
    ['a bucket named by null', [{ bucket: null, access: 'read' }]],
    ['kinds out of order: a scope before a bucket', [{ scope: 'a' }, { bucket: 'b', access: 'read' }]],
    ['kinds out of order: a component before a bucket', [{ component: 'c' }, { bucket: 'b', access: 'read' }]],
    ['kinds out of order: a scope before a component', [{ scope: 'a' }, { component: 'b' }]],
    ['a name twice', [{ scope: 'a' }, { scope: 'a' }]],
    ['names descending', [{ scope: 'b' }, { scope: 'a' }]],
    [
      'a bucket twice with both accesses',
      [
        { bucket: 'a', access: 'read' },
        { bucket: 'a', access: 'write' },
      ],
    ],
    [
      'a component twice',
      [
        { component: 'c', actions: ['run'] },
        { component: 'c', actions: ['configure'] },
      ],
    ],
    ['a bucket without access', [{ bucket: 'a' }]],
    ['a bucket with another access', [{ bucket: 'a', access: 'admin' }]],
    ['a bucket with an extra member', [{ bucket: 'a', access: 'read', note: 1 }]],
    ['a bucket of another prototype', [Object.assign(Object.create({ x: 1 }), { bucket: 'a', access: 'read' })]],
    ['a bucket without a prototype', [Object.assign(Object.create(null), { bucket: 'a', access: 'read' })]],
    ['a component with actions written undefined', [{ component: 'c', actions: undefined }]],
    ['a component with an extra member', [{ component: 'c', note: 1 }]],
    ['a component with both actions listed', [{ component: 'c', actions: ['run', 'configure'] }]],
    ['a component with no actions', [{ component: 'c', actions: [] }]],
    ['a component with run twice', [{ component: 'c', actions: ['run', 'run'] }]],
    ['a component with an unknown action', [{ component: 'c', actions: ['fly'] }]],
    ['a component with actions and an extra member', [{ component: 'c', actions: ['run'], note: 1 }]],
    ['actions of another class', [{ component: 'c', actions: ActionList.from(['run']) }]],
    ['actions as a list-like object', [{ component: 'c', actions: { 0: 'run', length: 1 } }]],
    ['actions as a set', [{ component: 'c', actions: new Set(['run']) }]],
    ['actions with a hole after run', [{ component: 'c', actions: Object.assign(['run'], { length: 2 }) }]],
    ['actions with an extra member', [{ component: 'c', actions: withMember(['run'], 'note', 1) }]],
    ['a scope with an extra member', [{ scope: 's', note: 1 }]],
    ['a scope with actions', [{ scope: 's', actions: ['run'] }]],
    [
      'a component with a hidden actions member',
      [Object.defineProperty({ component: 'c' }, 'actions', { value: undefined, enumerable: false })],
    ],
    ['a scope of another prototype', [Object.assign(Object.create({ x: 1 }), { scope: 's' })]],
  ];

  it.each(no)('does not hold for %s', (_, grants) => {
    expect(isCanonical(grants as Grant[])).toBe(false);
  });
});

describe('isCanonical under a polluted prototype', () => {
  // Inherited enumerable members (prototype pollution elsewhere in the process) are not the grant's own.
  it('counts own members only', () => {
    const objectProto = Object.prototype as Record<string, unknown>;
    const arrayProto = Array.prototype as unknown as Record<string, unknown>;
    objectProto.polluted = 1;
    arrayProto.pollutedToo = 1;
    try {
      expect(isCanonical([{ bucket: 'a', access: 'read' }, { component: 'c', actions: ['run'] }, { scope: 's' }])).toBe(
        true,
      );
    } finally {
      delete objectProto.polluted;
      delete arrayProto.pollutedToo;
    }
  });
});

describe('allowsAll', () => {
  const cases: readonly (readonly [string, Grant[], Grant[], boolean])[] = [
    ['nothing needs nothing', [], [], true],
    ['anything covers nothing', [{ scope: 's' }], [], true],
    ['nothing covers a scope', [], [{ scope: 's' }], false],
    ['the same scope', [{ scope: 's' }], [{ scope: 's' }], true],
    ['another scope', [{ scope: 's' }], [{ scope: 't' }], false],
    ['write covers read', [{ bucket: 'b', access: 'write' }], [{ bucket: 'b', access: 'read' }], true],
    ['write covers write', [{ bucket: 'b', access: 'write' }], [{ bucket: 'b', access: 'write' }], true],
    ['read covers read', [{ bucket: 'b', access: 'read' }], [{ bucket: 'b', access: 'read' }], true],
    ['read does not cover write', [{ bucket: 'b', access: 'read' }], [{ bucket: 'b', access: 'write' }], false],
    ['another bucket', [{ bucket: 'b', access: 'write' }], [{ bucket: 'c', access: 'read' }], false],
    ['a scope is not a bucket', [{ scope: 'b' }], [{ bucket: 'b', access: 'read' }], false],
    ['a bucket is not a scope', [{ bucket: 's', access: 'write' }], [{ scope: 's' }], false],
    ['a component is not a scope', [{ component: 's' }], [{ scope: 's' }], false],
    ['every action covers run', [{ component: 'c' }], [{ component: 'c', actions: ['run'] }], true],
    ['every action covers every action', [{ component: 'c' }], [{ component: 'c' }], true],
    ['run covers run', [{ component: 'c', actions: ['run'] }], [{ component: 'c', actions: ['run'] }], true],
    [
      'run does not cover configure',
      [{ component: 'c', actions: ['run'] }],
      [{ component: 'c', actions: ['configure'] }],
      false,
    ],
    ['run does not cover every action', [{ component: 'c', actions: ['run'] }], [{ component: 'c' }], false],
    [
      'run and configure in two grants cover every action',
      [
        { component: 'c', actions: ['run'] },
        { component: 'c', actions: ['configure'] },
      ],
      [{ component: 'c' }],
      true,
    ],
    ['another component', [{ component: 'c' }], [{ component: 'd', actions: ['run'] }], false],
    ['a scope is not a component', [{ scope: 'c' }], [{ component: 'c', actions: ['run'] }], false],
    ['a bucket is not a component', [{ bucket: 'c', access: 'write' }], [{ component: 'c', actions: ['run'] }], false],
    [
      'a set of actions read as a list',
      [{ component: 'c', actions: new Set(['configure']) as unknown as ['configure'] }],
      [{ component: 'c', actions: ['configure'] }],
      true,
    ],
    [
      'a set of actions lacking one',
      [{ component: 'c', actions: new Set(['configure']) as unknown as ['configure'] }],
      [{ component: 'c', actions: ['run'] }],
      false,
    ],
    [
      'each need of several grants, one missing',
      [{ bucket: 'b', access: 'write' }, { scope: 's' }],
      [{ bucket: 'b', access: 'read' }, { scope: 's' }, { scope: 't' }],
      false,
    ],
    [
      'each need of several grants, all there',
      [{ bucket: 'a', access: 'read' }, { bucket: 'b', access: 'write' }, { component: 'c' }, { scope: 's' }],
      [{ scope: 's' }, { component: 'c', actions: ['configure'] }, { bucket: 'b', access: 'read' }],
      true,
    ],
  ];

  it.each(cases)('%s → %s', (_, outer, inner, expected) => {
    expect(allowsAll(outer, inner)).toBe(expected);
  });
});
