/**
 * The actor × call table (src/core/access.ts) called directly, against
 * answers written here from docs/concepts.md (issue 15): the reach of each
 * call for each kind of acting token, sessions reading as their parent, the
 * `tenant` power widening reads only, the flags read by the service, and
 * `decide` on targets the actor reaches, reaches only by reading, or may
 * not see.
 */
import { describe, expect, it } from 'vitest';
import {
  decide,
  type Reach,
  reachOf,
  type TargetedCall,
  TOKEN_ACTOR_TABLE,
  type TokenActor,
  type TokenActorKind,
} from '../../src/core/access.js';
import type { Authority, Power } from '../../src/core/authority.js';
import type { StoredTokenType, TokenRecord } from '../../src/core/types.js';
import { testRecord } from '../support/records.js';

const CALLS: readonly TargetedCall[] = ['read', 'rotate', 'share', 'revoke', 'comment'];

const authority = (owner: string | null, powers: readonly Power[] = [], over: Partial<Authority> = {}): Authority => ({
  tenant: 'acme',
  owner,
  grants: 'all',
  narrowing: null,
  expiresAt: null,
  powers,
  meter: null,
  ...over,
});

const actorOf = (
  kind: TokenActorKind,
  powers: readonly Power[] = [],
  storedType: StoredTokenType = kind === 'session' ? 'personal' : kind,
): TokenActor => ({
  kind,
  id: 'ACTOR',
  storedType,
  authority: authority(storedType === 'administrative' ? null : 'ann', powers),
});

/** Reach of read, rotate, share, revoke, comment, in that order (docs/concepts.md). */
const REACH: readonly [string, TokenActor, readonly (Reach | null)[]][] = [
  ['a master token', actorOf('master', ['issue']), ['own', 'own', 'own', 'own', 'own']],
  [
    'the master token of an admin',
    actorOf('master', ['issue', 'admin', 'tenant']),
    ['tenant', 'own', 'own', 'own', 'own'],
  ],
  ['a personal token', actorOf('personal'), ['own', 'own', 'own', 'own', 'own']],
  ['a limited token', actorOf('limited'), ['self', null, null, 'self', null]],
  ['an administrative token', actorOf('administrative', ['tenant']), ['tenant', 'self', null, 'tenant', 'tenant']],
  ['a session of a personal token', actorOf('session', [], 'personal'), ['own', null, null, null, null]],
  ['a session of a limited token', actorOf('session', [], 'limited'), ['self', null, null, null, null]],
  ['a session of a master token', actorOf('session', ['issue'], 'master'), ['own', null, null, null, null]],
  [
    'a session of an admin’s master token',
    actorOf('session', ['issue', 'admin', 'tenant'], 'master'),
    ['tenant', null, null, null, null],
  ],
  [
    'a session of an administrative token',
    actorOf('session', ['tenant'], 'administrative'),
    ['tenant', null, null, null, null],
  ],
  // The tenant power widens `own` reading only; a limited token's `self` stays.
  ['a limited token given the tenant power', actorOf('limited', ['tenant']), ['self', null, null, 'self', null]],
  ['a personal token given the tenant power', actorOf('personal', ['tenant']), ['tenant', 'own', 'own', 'own', 'own']],
];

describe('reachOf', () => {
  it.each(REACH)('%s', (_what, actor, reaches) => {
    expect(CALLS.map((call) => reachOf(actor, call))).toEqual(reaches);
  });
});

describe('the flags the service reads from the table', () => {
  it.each<[TokenActorKind, boolean, boolean, boolean]>([
    ['master', true, true, true],
    ['personal', false, false, false],
    ['limited', false, false, false],
    ['administrative', false, false, false],
    ['session', false, false, false],
  ])('%s: issue %s, revokeAll %s, setMaxTtl %s', (kind, issue, revokeAll, setMaxTtl) => {
    const row = TOKEN_ACTOR_TABLE[kind];
    expect({ issue: row.issue, revokeAll: row.revokeAll, setMaxTtl: row.setMaxTtl }).toEqual({
      issue,
      revokeAll,
      setMaxTtl,
    });
  });
});

describe('decide', () => {
  const target = (fields: Partial<TokenRecord>): TokenRecord =>
    testRecord('TARGET', { tenant: 'acme', owner: 'ann', type: 'personal', ...fields });
  const within = authority('ann', [], { grants: [], expiresAt: 1000 });
  const stronger = authority('ann', ['tenant']);

  it.each<[string, TokenActor, TokenRecord, Authority, TargetedCall, string]>([
    ['a personal token rotating a token of its owner', actorOf('personal'), target({}), within, 'rotate', 'allowed'],
    ['a personal token reading a stronger token', actorOf('personal'), target({}), stronger, 'read', 'hidden'],
    ['a personal token revoking a stronger token', actorOf('personal'), target({}), stronger, 'revoke', 'hidden'],
    [
      'a personal token reading another owner’s',
      actorOf('personal'),
      target({ owner: 'bob' }),
      within,
      'read',
      'hidden',
    ],
    ['a personal token in another tenant', actorOf('personal'), target({ tenant: 'globex' }), within, 'read', 'hidden'],
    [
      'a limited token revoking itself',
      actorOf('limited'),
      target({ id: 'ACTOR', type: 'limited' }),
      within,
      'revoke',
      'allowed',
    ],
    [
      'a limited token reading itself',
      actorOf('limited'),
      target({ id: 'ACTOR', type: 'limited' }),
      within,
      'read',
      'allowed',
    ],
    [
      'a limited token commenting on itself',
      actorOf('limited'),
      target({ id: 'ACTOR', type: 'limited' }),
      within,
      'comment',
      'forbidden',
    ],
    ['a limited token reading a sibling', actorOf('limited'), target({}), within, 'read', 'hidden'],
    [
      'an administrative token reading a user’s',
      actorOf('administrative', ['tenant']),
      target({ owner: 'bob' }),
      within,
      'read',
      'allowed',
    ],
    [
      'an administrative token revoking a user’s',
      actorOf('administrative', ['tenant']),
      target({ owner: 'bob' }),
      within,
      'revoke',
      'allowed',
    ],
    [
      'an administrative token rotating a user’s',
      actorOf('administrative', ['tenant']),
      target({ owner: 'bob' }),
      within,
      'rotate',
      'forbidden',
    ],
    [
      'an administrative token sharing a user’s',
      actorOf('administrative', ['tenant']),
      target({ owner: 'bob' }),
      within,
      'share',
      'forbidden',
    ],
    [
      'an administrative token rotating itself',
      actorOf('administrative', ['tenant']),
      target({ id: 'ACTOR', owner: null, type: 'administrative' }),
      within,
      'rotate',
      'allowed',
    ],
    [
      'an admin’s master reading another user’s',
      actorOf('master', ['issue', 'admin', 'tenant']),
      target({ owner: 'bob' }),
      within,
      'read',
      'allowed',
    ],
    [
      'an admin’s master revoking another user’s',
      actorOf('master', ['issue', 'admin', 'tenant']),
      target({ owner: 'bob' }),
      within,
      'revoke',
      'forbidden',
    ],
    [
      'a master token reading another master',
      actorOf('master', ['issue', 'admin', 'tenant']),
      target({ type: 'master' }),
      within,
      'read',
      'hidden',
    ],
    [
      'a master token rotating itself',
      actorOf('master', ['issue']),
      target({ id: 'ACTOR', type: 'master' }),
      within,
      'rotate',
      'allowed',
    ],
    ['a session reading its owner’s', actorOf('session'), target({}), within, 'read', 'allowed'],
    ['a session revoking its owner’s', actorOf('session'), target({}), within, 'revoke', 'forbidden'],
    ['a session revoking its parent', actorOf('session'), target({ id: 'ACTOR' }), within, 'revoke', 'forbidden'],
  ])('%s: %s', (_what, actor, record, targetAuthority, call, verdict) => {
    expect(decide(actor, record, targetAuthority, call)).toBe(verdict);
  });
});
