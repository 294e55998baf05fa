/**
 * The directory rules without I/O (src/core/directory.ts and
 * directory-records.ts) against written answers: the static directory's
 * own-property lookups, who counts as an active user, the errors of
 * `lookupUser`, a stored user's effective grants (their own and their
 * roles'), the audit changes field by field, and code-point order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isActiveUser, lookupUser, staticDirectory } from '../../src/core/directory.js';
import {
  compareCodePoints,
  directoryUserOf,
  effectiveUserGrants,
  roleChanges,
  storeDirectory,
  unionGrantSets,
  userChanges,
} from '../../src/core/directory-records.js';
import type { RoleRecord, UserRecord } from '../../src/core/directory-store.js';
import { TokenError } from '../../src/core/errors.js';
import type { Directory, DirectoryUser, GrantSet } from '../../src/core/types.js';

function user(fields: Partial<UserRecord> = {}): UserRecord {
  return {
    tenant: 'acme',
    name: 'alice',
    admin: false,
    active: true,
    roles: [],
    grants: [],
    createdAt: 1,
    updatedAt: 1,
    version: 1,
    ...fields,
  };
}

function role(name: string, grants: GrantSet): RoleRecord {
  return { tenant: 'acme', name, grants, createdAt: 1, updatedAt: 1, version: 1 };
}

async function refusal(promise: Promise<unknown>): Promise<TokenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TokenError)) throw new Error(`expected a TokenError, got ${String(error)}`);
  return error;
}

describe('staticDirectory', () => {
  const alice: DirectoryUser = { admin: true };
  const directory = staticDirectory({ acme: { alice, constructor: { roles: ['x'] } } });

  it('answers a known user of a known tenant, and null for anyone else', () => {
    expect(directory.getUser('acme', 'alice')).toBe(alice);
    expect(directory.getUser('acme', 'bob')).toBeNull();
    expect(directory.getUser('other', 'alice')).toBeNull();
  });

  it('looks up own members only: Object methods are neither tenants nor users', () => {
    expect(directory.getUser('acme', 'toString')).toBeNull();
    expect(directory.getUser('acme', '__proto__')).toBeNull();
    expect(directory.getUser('constructor', 'name')).toBeNull();
    expect(directory.getUser('toString', 'length')).toBeNull();
    expect(directory.getUser('acme', 'constructor')).toEqual({ roles: ['x'] });
  });

  it('a member a prototype holds is no user, whatever the prototype; an own one of the same name is', () => {
    const base = { inherited: { admin: true }, shadowed: { admin: true } };
    const users = Object.assign(Object.create(base) as Record<string, DirectoryUser>, { own: alice, shadowed: alice });
    const bare = Object.assign(Object.create(null) as Record<string, DirectoryUser>, { alice, toString: alice });
    const directory = staticDirectory({ acme: users, bare });
    expect(directory.getUser('acme', 'inherited')).toBeNull();
    expect(directory.getUser('acme', 'toString')).toBeNull();
    expect(directory.getUser('acme', 'own')).toBe(alice);
    expect(directory.getUser('acme', 'shadowed')).toBe(alice);
    expect(directory.getUser('bare', 'alice')).toBe(alice);
    expect(directory.getUser('bare', 'toString')).toBe(alice);
    expect(directory.getUser('bare', 'constructor')).toBeNull();
  });

  it('answers as own-property lookups on its table, for any table and names (property)', () => {
    // Names an object lookup could mistake: Object.prototype's members, and plain ones.
    const name = fc.constantFrom(
      'alice',
      'bob',
      '',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'length',
    );
    const entry = fc.option(fc.constantFrom<DirectoryUser>(alice, { grants: [] }, { active: false }), {
      nil: undefined,
    });
    const users = fc.dictionary(name, entry, { maxKeys: 5 }).map((members) => {
      // Some tables without a prototype, as `Object.create(null)` makes them.
      const bare = Object.create(null) as Record<string, DirectoryUser | undefined>;
      return Object.keys(members).length % 2 === 0 ? Object.assign(bare, members) : members;
    });
    fc.assert(
      fc.property(fc.dictionary(name, users, { maxKeys: 3 }), name, name, (data, tenant, user) => {
        const own = (table: object, key: string) =>
          Object.hasOwn(table, key) ? (table as Record<string, unknown>)[key] : undefined;
        const users = own(data, tenant) as Record<string, DirectoryUser> | undefined;
        const expected = users === undefined ? null : ((own(users, user) as DirectoryUser | undefined) ?? null);
        expect(staticDirectory(data as never).getUser(tenant, user)).toBe(expected);
      }),
    );
  });

  it('reads its table live: a user changed, added or removed after it is made is answered as now', () => {
    const users: Record<string, DirectoryUser> = { alice };
    const live = staticDirectory({ acme: users });
    users.bob = { grants: [] };
    delete users.alice;
    expect(live.getUser('acme', 'bob')).toBe(users.bob);
    expect(live.getUser('acme', 'alice')).toBeNull();
  });

  it('sees own members that are not enumerable, as own-property lookups do', () => {
    const users = Object.defineProperty({}, 'hidden', { value: alice, enumerable: false });
    expect(staticDirectory({ acme: users }).getUser('acme', 'hidden')).toBe(alice);
  });

  it('has no users in a tenant whose users are undefined', () => {
    const empty = staticDirectory({ acme: undefined as never, other: { alice } });
    expect(empty.getUser('acme', 'alice')).toBeNull();
    expect(empty.getUser('other', 'alice')).toBe(alice);
  });

  it('answers null for a user entry that is undefined', () => {
    const sparse = staticDirectory({
      acme: { ghost: undefined as unknown as DirectoryUser, nobody: null as unknown as DirectoryUser },
    });
    expect(sparse.getUser('acme', 'ghost')).toBeNull();
    expect(sparse.getUser('acme', 'nobody')).toBeNull();
  });
});

describe('isActiveUser', () => {
  it.each([
    [null, false],
    [undefined, false],
    [{}, true],
    [{ active: true }, true],
    [{ active: false }, false],
    [{ active: undefined }, true],
  ] as const)('%o → %s', (value, expected) => {
    expect(isActiveUser(value as DirectoryUser | null | undefined)).toBe(expected);
  });
});

describe('lookupUser', () => {
  it('answers an active user and null for an unknown or inactive one', async () => {
    const directory = staticDirectory({ acme: { alice: { roles: ['a'] }, off: { active: false } } });
    expect(await lookupUser(directory, 'acme', 'alice')).toEqual({ roles: ['a'] });
    expect(await lookupUser(directory, 'acme', 'off')).toBeNull();
    expect(await lookupUser(directory, 'acme', 'bob')).toBeNull();
  });

  it('waits for an asynchronous directory', async () => {
    const directory: Directory = { getUser: async (tenant, name) => ({ grants: [{ scope: `${tenant}:${name}` }] }) };
    expect(await lookupUser(directory, 'acme', 'alice')).toEqual({ grants: [{ scope: 'acme:alice' }] });
  });

  it('refuses with invalid_request naming directory when none is configured', async () => {
    const error = await refusal(lookupUser(undefined, 'acme', 'alice'));
    expect(error.code).toBe('invalid_request');
    expect(error.details.field).toBe('directory');
  });

  it('fails closed with unavailable, the directory failure as its cause, when the directory throws or rejects', async () => {
    const cause = new Error('ldap down');
    for (const directory of [
      { getUser: () => Promise.reject(cause) },
      {
        getUser: () => {
          throw cause;
        },
      },
    ] as Directory[]) {
      const error = await refusal(lookupUser(directory, 'acme', 'alice'));
      expect(error.code).toBe('unavailable');
      expect(error.cause).toBe(cause);
    }
  });
});

describe('effective grants of a stored user', () => {
  const reports = role('reports', [{ scope: 'reports' }, { bucket: 'main', access: 'read' }]);
  const writer = role('writer', [{ bucket: 'main', access: 'write' }]);
  const root = role('root', 'all');

  it('unionGrantSets: all when either is, else both merged and normalized', () => {
    expect(unionGrantSets('all', [{ scope: 'a' }])).toBe('all');
    expect(unionGrantSets([{ scope: 'a' }], 'all')).toBe('all');
    expect(unionGrantSets([{ scope: 'b' }], [{ scope: 'a' }, { bucket: 'x', access: 'read' }])).toEqual([
      { bucket: 'x', access: 'read' },
      { scope: 'a' },
      { scope: 'b' },
    ]);
  });

  it('adds the grants of each role the user holds, and of no other role', () => {
    const held = user({ roles: ['reports', 'writer'], grants: [{ scope: 'own' }] });
    expect(effectiveUserGrants(held, [reports, writer, root])).toEqual([
      { bucket: 'main', access: 'write' },
      { scope: 'own' },
      { scope: 'reports' },
    ]);
    expect(effectiveUserGrants(user({ roles: ['reports'] }), [writer, root])).toEqual([]);
  });

  it('is all when the user or a held role is', () => {
    expect(effectiveUserGrants(user({ grants: 'all' }), [])).toBe('all');
    expect(effectiveUserGrants(user({ roles: ['root'] }), [root])).toBe('all');
  });

  it('normalizes the user’s own grants even without roles', () => {
    const own: GrantSet = [{ scope: 'b' }, { scope: 'a' }, { scope: 'b' }];
    expect(effectiveUserGrants(user({ grants: own }), [])).toEqual([{ scope: 'a' }, { scope: 'b' }]);
  });

  it('directoryUserOf answers admin, active, roles and the effective grants', () => {
    const stored = user({ admin: true, active: false, roles: ['writer'], grants: [{ scope: 'own' }] });
    expect(directoryUserOf(stored, [writer])).toEqual({
      admin: true,
      active: false,
      roles: ['writer'],
      grants: [{ bucket: 'main', access: 'write' }, { scope: 'own' }],
    });
  });
});

describe('storeDirectory', () => {
  function store(users: UserRecord[], roles: RoleRecord[]) {
    const roleCalls: string[][] = [];
    const directory = storeDirectory({
      findUser: async (tenant: string, name: string) =>
        users.find((u) => u.tenant === tenant && u.name === name) ?? null,
      findRoles: async (tenant: string, names: readonly string[]) => {
        roleCalls.push([...names]);
        return roles.filter((r) => r.tenant === tenant && names.includes(r.name));
      },
    } as unknown as Parameters<typeof storeDirectory>[0]);
    return { directory, roleCalls };
  }

  it('answers a stored user with the grants of their stored roles, null for an unknown one', async () => {
    const { directory, roleCalls } = store(
      [user({ roles: ['reports', 'gone'] })],
      [role('reports', [{ scope: 'reports' }])],
    );
    expect(await directory.getUser('acme', 'alice')).toEqual({
      admin: false,
      active: true,
      roles: ['reports', 'gone'],
      grants: [{ scope: 'reports' }],
    });
    expect(roleCalls).toEqual([['reports', 'gone']]);
    expect(await directory.getUser('acme', 'bob')).toBeNull();
    expect(roleCalls).toHaveLength(1);
  });

  it('does not ask for roles when the user holds none', async () => {
    const { directory, roleCalls } = store([user({ grants: [{ scope: 'own' }] })], []);
    expect(await directory.getUser('acme', 'alice')).toEqual({
      admin: false,
      active: true,
      roles: [],
      grants: [{ scope: 'own' }],
    });
    expect(roleCalls).toEqual([]);
  });
});

describe('audit changes', () => {
  it('lists the user fields that changed, in the order admin, active, roles, grants', () => {
    const before = user();
    const after = user({ admin: true, roles: ['a'], grants: [{ scope: 'x' }], version: 2, updatedAt: 9 });
    const changes = userChanges(before, after);
    expect(changes).toEqual({
      admin: { from: false, to: true },
      roles: { from: [], to: ['a'] },
      grants: { from: [], to: [{ scope: 'x' }] },
    });
    expect(Object.keys(changes)).toEqual(['admin', 'roles', 'grants']);
    expect(userChanges(before, user({ version: 5 }))).toEqual({});
  });

  it('an addition is every field from null, a removal every field to null', () => {
    const added = user({ active: false });
    expect(userChanges(null, added)).toEqual({
      admin: { from: null, to: false },
      active: { from: null, to: false },
      roles: { from: null, to: [] },
      grants: { from: null, to: [] },
    });
    expect(userChanges(added, null)).toEqual({
      admin: { from: false, to: null },
      active: { from: false, to: null },
      roles: { from: [], to: null },
      grants: { from: [], to: null },
    });
  });

  it('a role records its grants only', () => {
    expect(roleChanges(null, role('r', 'all'))).toEqual({ grants: { from: null, to: 'all' } });
    expect(roleChanges(role('r', 'all'), role('r', 'all'))).toEqual({});
    expect(roleChanges(role('r', [{ scope: 'a' }]), null)).toEqual({ grants: { from: [{ scope: 'a' }], to: null } });
  });
});

describe('compareCodePoints', () => {
  const sign = (a: string, b: string) => Math.sign(compareCodePoints(a, b));

  it.each([
    ['a', 'b', -1],
    ['b', 'a', 1],
    ['a', 'a', 0],
    ['', '', 0],
    ['a', 'ab', -1],
    ['ab', 'a', 1],
    ['B', 'a', -1],
    ['abc', 'abd', -1],
    ['ab', 'ac', -1],
    ['ac', 'ab', 1],
    // A character just below the surrogate range is one unit: the next one is still compared.
    ['\uffffa', '\uffffb', -1],
    // U+FFFF sorts before U+10000 by code point, though its UTF-16 unit is larger than a high surrogate.
    ['\uffff', '\u{10000}', -1],
    ['\u{10000}', '\uffff', 1],
    ['\u{1F600}', '\u{1F600}', 0],
    ['\u{1F600}a', '\u{1F600}b', -1],
    ['\u{1F600}b', '\u{1F600}a', 1],
    ['\u{1F600}', '\u{1F601}', -1],
    ['x\u{1F600}', 'x\uffff', 1],
  ])('%j against %j is %i', (a, b, expected) => {
    expect(sign(a, b)).toBe(expected);
  });

  it('sorts a list as SQLite’s BINARY collation of UTF-8 would', () => {
    const names = ['\u{1F600}', 'b', '\uffff', 'a', 'ab', '\u{10000}', 'B', ''];
    const byUtf8 = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...names].sort(compareCodePoints)).toEqual(byUtf8);
    expect(byUtf8).toEqual(['', 'B', 'a', 'ab', 'b', '\uffff', '\u{10000}', '\u{1F600}']);
  });
});
