/**
 * Actors, authorities and powers (src/core/actors.ts, src/core/authority.ts)
 * against written answers (issue 15): each kind of actor field by field,
 * the ownerless-token guard of `mayManage`, and the grants and powers of
 * every token type with and without its owner.
 */
import { describe, expect, it } from 'vitest';
import { TOKEN_ACTOR_TABLE } from '../../src/core/access.js';
import {
  mayManage,
  type ResolvedActor,
  SYSTEM_ACTOR,
  tokenActor,
  userActor,
  verificationActor,
} from '../../src/core/actors.js';
import { effectiveGrants, powersOf, userGrants } from '../../src/core/authority.js';
import { createPrincipal } from '../../src/core/principal.js';
import type { DirectoryUser, Grant, StoredTokenType } from '../../src/core/types.js';
import { testRecord } from '../support/records.js';

const ID = '01JD3Z6Q9X8K7M5N4P3R2S1T0V';
const READ: Grant = { bucket: 'b', access: 'read' };
const WRITE: Grant = { bucket: 'b', access: 'write' };
const ADMIN: DirectoryUser = { admin: true };
const PLAIN: DirectoryUser = { grants: [WRITE] };

describe('root actors, field by field', () => {
  it('the system', () => {
    expect(SYSTEM_ACTOR).toEqual({
      tenant: null,
      user: null,
      admin: true,
      mayIssue: true,
      grants: 'all',
      label: 'system',
      token: null,
    });
  });

  it.each([
    ['an admin', ADMIN, true, 'all'],
    ['a user with grants', PLAIN, false, [WRITE]],
    ['a user with admin: false', { admin: false, grants: [READ] }, false, [READ]],
    ['a user without grants', {}, false, []],
  ] as [string, DirectoryUser, boolean, unknown][])('%s', (_label, found, admin, grants) => {
    expect(userActor('acme', 'ann', found)).toEqual({
      tenant: 'acme',
      user: 'ann',
      admin,
      mayIssue: true,
      grants,
      label: 'user:ann',
      token: null,
    });
    expect(userGrants(found)).toEqual(grants);
  });

  // Outside review, issue 12: a directory's grants that are not a grant list fail closed.
  it.each([
    ['a Set', new Set([{ scope: 'reports' }])],
    ['an object', { 0: { scope: 'reports' } }],
    ['a list with a hole', Object.assign(new Array(2), { 1: { scope: 'reports' } })],
  ])('userGrants refuses %s as unavailable, keeping the cause', (_label, grants) => {
    let thrown: unknown;
    try {
      userGrants({ grants: grants as unknown as Grant[] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'unavailable' });
    expect((thrown as { cause?: unknown }).cause).toBeInstanceOf(TypeError);
  });

  it('a verification token: a tenant admin that does not create tokens', () => {
    const principal = createPrincipal({
      tokenId: 'engine',
      type: 'verification',
      tenant: 'acme',
      owner: null,
      name: 'engine',
      grants: 'all',
      ownerIsAdmin: false,
      expiresAt: null,
      meta: null,
    });
    expect(verificationActor(principal)).toEqual({
      tenant: 'acme',
      user: null,
      admin: true,
      mayIssue: false,
      grants: 'all',
      label: 'token:engine',
      token: null,
      // A token all the same: it reaches no master token (SPEC §2).
      verificationToken: true,
    });
  });
});

describe('token actors, field by field', () => {
  it.each([
    ['personal', 'personal', PLAIN, false, false, [WRITE]],
    ['personal of an admin', 'personal', ADMIN, false, false, 'all'],
    ['master of an admin', 'master', ADMIN, true, true, 'all'],
    ['master of a user', 'master', PLAIN, true, false, 'all'],
    ['limited', 'limited', PLAIN, false, false, []],
  ] as [string, StoredTokenType, DirectoryUser, boolean, boolean, unknown][])(
    '%s',
    (_label, type, owner, mayIssue, admin, grants) => {
      const record = testRecord(ID, { type, grants: type === 'limited' ? [] : null });
      const actor = tokenActor(record, owner, false, 0);
      expect({ ...actor, token: undefined }).toEqual({
        tenant: 'acme',
        user: 'alice',
        admin,
        mayIssue,
        grants,
        label: `token:${ID}`,
        token: undefined,
      });
      expect(actor.token).toMatchObject({ kind: type, id: ID, storedType: type, ownerUser: owner });
    },
  );

  it('an administrative token reads its tenant but is no admin and creates nothing', () => {
    const actor = tokenActor(testRecord(ID, { type: 'administrative', owner: null }), null, false, 0);
    expect(actor).toMatchObject({ tenant: 'acme', user: null, admin: false, mayIssue: false, grants: 'all' });
    expect(actor.token?.authority.powers).toEqual(['tenant']);
  });

  it('a session acts as a session of its stored type', () => {
    const actor = tokenActor(testRecord(ID, { type: 'master' }), ADMIN, true, 0);
    expect(actor.token).toMatchObject({ kind: 'session', storedType: 'master' });
    expect(actor.mayIssue).toBe(TOKEN_ACTOR_TABLE.session.issue);
    expect(actor.mayIssue).toBe(false);
  });
});

describe('mayManage', () => {
  const root = (over: Partial<ResolvedActor>): ResolvedActor => ({ ...SYSTEM_ACTOR, ...over });
  const ownerless = testRecord(ID, { type: 'administrative', owner: null });
  const alices = testRecord(ID);

  it.each([
    ['the system, any tenant', root({}), alices, true],
    ['an admin of the tenant', root({ tenant: 'acme', user: 'zed' }), alices, true],
    ['an admin of another tenant', root({ tenant: 'globex', user: 'zed' }), alices, false],
    ['the owner', root({ tenant: 'acme', user: 'alice', admin: false }), alices, true],
    ['another user', root({ tenant: 'acme', user: 'bob', admin: false }), alices, false],
    ['the owner in another tenant', root({ tenant: 'globex', user: 'alice', admin: false }), alices, false],
    // No owner matches no user, not even an actor without one.
    [
      'a non-admin without user, on an ownerless token',
      root({ tenant: 'acme', user: null, admin: false }),
      ownerless,
      false,
    ],
    [
      'a non-admin user, on an ownerless token',
      root({ tenant: 'acme', user: 'alice', admin: false }),
      ownerless,
      false,
    ],
    ['an admin, on an ownerless token', root({ tenant: 'acme', user: 'zed' }), ownerless, true],
  ] as [string, ResolvedActor, ReturnType<typeof testRecord>, boolean][])(
    '%s → %s',
    (_label, actor, record, expected) => {
      expect(mayManage(actor, record)).toBe(expected);
    },
  );
});

describe('effective grants and powers of each token type', () => {
  it.each([
    ['personal, owner present', 'personal', 'alice', null, PLAIN, [WRITE], []],
    ['personal, narrowed to read', 'personal', 'alice', [READ], PLAIN, [READ], []],
    ['personal, narrowed beyond its owner', 'personal', 'alice', [{ scope: 's' }, READ], PLAIN, [READ], []],
    ['personal, owner gone', 'personal', 'alice', null, null, [], []],
    ['master, owner a user', 'master', 'alice', null, PLAIN, 'all', ['issue']],
    ['master, owner an admin', 'master', 'alice', null, ADMIN, 'all', ['issue', 'admin', 'tenant']],
    ['master, owner gone', 'master', 'alice', null, null, [], []],
    ['limited, nothing granted', 'limited', 'alice', [], PLAIN, [], []],
    ['administrative', 'administrative', null, null, null, 'all', ['tenant']],
    ['administrative, narrowed', 'administrative', null, [READ], null, [READ], ['tenant']],
  ] as [string, StoredTokenType, string | null, Grant[] | null, DirectoryUser | null, unknown, string[]][])(
    '%s',
    (_label, type, owner, grants, ownerUser, effective, powers) => {
      const record = testRecord(ID, { type, owner, grants });
      expect(effectiveGrants(record, ownerUser)).toEqual(effective);
      expect(powersOf(record, ownerUser)).toEqual(powers);
    },
  );
});
