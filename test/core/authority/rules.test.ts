/**
 * The pieces of the authority rule on their own, at their edges: the subset
 * test between two authorities, which tokens a reach names, and the guards
 * no service call can reach with today's table (a token without owner is
 * nobody's "own"). Expected answers are literal, not computed.
 */
import { describe, expect, it } from 'vitest';
import { reaches, reachOf, type TokenActor } from '../../../src/core/access.js';
import { mayManage, type ResolvedActor } from '../../../src/core/actors.js';
import { type Authority, authorityOf, within } from '../../../src/core/authority.js';
import type { TokenRecord } from '../../../src/core/types.js';
import { testRecord } from '../../support/records.js';

const storedRecord = (fields: Partial<TokenRecord>): TokenRecord => testRecord(fields.id ?? 'TOKEN', fields);

const REPORTS = { scope: 'reports' } as const;
const READ = { bucket: 'b', access: 'read' } as const;
const WRITE = { bucket: 'b', access: 'write' } as const;

const base: Authority = {
  tenant: 'acme',
  owner: 'ann',
  grants: [REPORTS, WRITE],
  narrowing: null,
  expiresAt: 1000,
  powers: [],
  meter: null,
};

/** A meter of credits (and a refill) and of rate limits, for the within table. */
const meter = (
  remaining: number | null,
  ratelimits: { name: string; limit: number; duration: number }[] = [],
  refill: { interval: number; amount: number } | null = null,
): Authority['meter'] => ({ remaining, ratelimits, refill });
const PER_MINUTE = { name: 'default', limit: 60, duration: 60_000 };

describe('within(inner, outer)', () => {
  it.each<[string, Partial<Authority>, Partial<Authority>, boolean]>([
    ['the same authority', {}, {}, true],
    ['another tenant', { tenant: 'globex' }, {}, false],
    ['fewer grants', { grants: [REPORTS] }, {}, true],
    ['read where the outer writes', { grants: [READ] }, {}, true],
    ['write where the outer reads', { grants: [WRITE] }, { grants: [READ] }, false],
    ['every grant under a list', { grants: 'all' }, {}, false],
    ['a list under every grant', {}, { grants: 'all' }, true],
    ['an earlier expiry', { expiresAt: 999 }, {}, true],
    ['the same expiry', { expiresAt: 1000 }, {}, true],
    ['a later expiry', { expiresAt: 1001 }, {}, false],
    ['no expiry under an expiring one', { expiresAt: null }, {}, false],
    ['an expiring one under no expiry', {}, { expiresAt: null }, true],
    ['no expiry under no expiry', { expiresAt: null }, { expiresAt: null }, true],
    ['a power the outer lacks', { powers: ['tenant'] }, {}, false],
    ['a power the outer has', { powers: ['tenant'] }, { powers: ['issue', 'tenant'] }, true],
    ['creating tokens under admin rights alone', { powers: ['issue'] }, { powers: ['admin', 'tenant'] }, false],
    // One owner: the stored narrowing is compared too, not only today's grants.
    ['not narrowed, under a narrowed token of the same owner', {}, { narrowing: [REPORTS, WRITE] }, false],
    ['narrowed more, same owner', { narrowing: [REPORTS] }, { narrowing: [REPORTS, WRITE] }, true],
    ['narrowed otherwise, same owner', { narrowing: [READ] }, { narrowing: [REPORTS] }, false],
    ['narrowed, under a token that is not', { narrowing: [REPORTS] }, {}, true],
    // Two owners: each follows its own user, so only today's grants count.
    ['not narrowed, another owner', { owner: 'bob' }, { narrowing: [REPORTS, WRITE] }, true],
    ['not narrowed, under a token without owner', {}, { owner: null, narrowing: [REPORTS, WRITE] }, true],
    ['two tokens without owner', { owner: null }, { owner: null, narrowing: [REPORTS] }, true],
    // Meters (issue 13): a metered token never reaches one its meter does not restrain as much.
    ['a metered token under an unmetered one', { meter: meter(5) }, {}, true],
    ['an unmetered token under a metered one', {}, { meter: meter(5) }, false],
    ['fewer credits left', { meter: meter(3) }, { meter: meter(5) }, true],
    ['more credits left', { meter: meter(6) }, { meter: meter(5) }, false],
    ['unlimited credits under credits', { meter: meter(null, [PER_MINUTE]) }, { meter: meter(5) }, false],
    ['a refill under none', { meter: meter(1, [], { interval: 1_000, amount: 1 }) }, { meter: meter(5) }, false],
    [
      'a smaller, rarer refill',
      { meter: meter(1, [], { interval: 2_000, amount: 1 }) },
      { meter: meter(5, [], { interval: 1_000, amount: 2 }) },
      true,
    ],
    [
      'a more frequent refill',
      { meter: meter(1, [], { interval: 500, amount: 1 }) },
      { meter: meter(5, [], { interval: 1_000, amount: 2 }) },
      false,
    ],
    ['the same limit', { meter: meter(null, [PER_MINUTE]) }, { meter: meter(null, [PER_MINUTE]) }, true],
    [
      'a tighter limit of the same name, among others',
      {
        meter: meter(null, [
          { ...PER_MINUTE, limit: 10 },
          { name: 'x', limit: 1, duration: 1_000 },
        ]),
      },
      { meter: meter(null, [PER_MINUTE]) },
      true,
    ],
    [
      'a bigger burst',
      { meter: meter(null, [{ ...PER_MINUTE, limit: 61, duration: 120_000 }]) },
      { meter: meter(null, [PER_MINUTE]) },
      false,
    ],
    [
      'a faster refill',
      { meter: meter(null, [{ ...PER_MINUTE, duration: 59_000 }]) },
      { meter: meter(null, [PER_MINUTE]) },
      false,
    ],
    [
      'a tight limit of another name',
      { meter: meter(null, [{ ...PER_MINUTE, name: 'x', limit: 1 }]) },
      { meter: meter(null, [PER_MINUTE]) },
      false,
    ],
    ['credits only, under a rate limit', { meter: meter(1) }, { meter: meter(null, [PER_MINUTE]) }, false],
    // Boundaries: as many credits, the same refill, a metered token without credits or limits above.
    ['as many credits left', { meter: meter(5) }, { meter: meter(5) }, true],
    ['credits under a meter of neither credits nor limits', { meter: meter(3) }, { meter: meter(null) }, true],
    [
      'the same refill',
      { meter: meter(1, [], { interval: 1_000, amount: 2 }) },
      { meter: meter(5, [], { interval: 1_000, amount: 2 }) },
      true,
    ],
    [
      'a bigger refill, as rare',
      { meter: meter(1, [], { interval: 1_000, amount: 3 }) },
      { meter: meter(5, [], { interval: 1_000, amount: 2 }) },
      false,
    ],
    ['no refill under a refill', { meter: meter(1) }, { meter: meter(5, [], { interval: 1_000, amount: 2 }) }, true],
    [
      'a refill where the outer has no credits to refill',
      { meter: meter(1, [], { interval: 1, amount: 1_000 }) },
      { meter: meter(null) },
      true,
    ],
    [
      'a smaller burst refilled as fast',
      { meter: meter(null, [{ ...PER_MINUTE, limit: 30, duration: 30_000 }]) },
      { meter: meter(null, [PER_MINUTE]) },
      true,
    ],
    [
      'a smaller burst refilled faster',
      { meter: meter(null, [{ ...PER_MINUTE, limit: 30, duration: 29_999 }]) },
      { meter: meter(null, [PER_MINUTE]) },
      false,
    ],
    [
      'each of two limits matched by name',
      { meter: meter(null, [{ name: 'x', limit: 1, duration: 1_000 }, PER_MINUTE]) },
      { meter: meter(null, [PER_MINUTE, { name: 'x', limit: 1, duration: 1_000 }]) },
      true,
    ],
    [
      'one of two limits missing',
      { meter: meter(null, [PER_MINUTE]) },
      { meter: meter(null, [PER_MINUTE, { name: 'x', limit: 1, duration: 1_000 }]) },
      false,
    ],
  ])('%s: %s', (_what, inner, outer, answer) => {
    expect(within({ ...base, ...inner }, { ...base, ...outer })).toBe(answer);
  });
});

describe('authorityOf', () => {
  const record = (fields: Partial<TokenRecord>): TokenRecord =>
    storedRecord({ tenant: 'acme', owner: 'ann', ...fields });

  it.each<[string, Partial<TokenRecord>, { admin?: boolean; grants?: { scope: string }[] } | null, Partial<Authority>]>(
    [
      [
        'a master of a user',
        { type: 'master', grants: null },
        { grants: [REPORTS] },
        { grants: 'all', powers: ['issue'] },
      ],
      [
        'a master of an admin',
        { type: 'master', grants: null },
        { admin: true },
        { grants: 'all', powers: ['issue', 'admin', 'tenant'] },
      ],
      ['a master of a gone user', { type: 'master', grants: null }, null, { grants: [], powers: [] }],
      [
        'a personal token',
        { type: 'personal', grants: null },
        { grants: [REPORTS] },
        { grants: [REPORTS], powers: [] },
      ],
      [
        'a personal token of an admin',
        { type: 'personal', grants: null },
        { admin: true },
        { grants: 'all', powers: [] },
      ],
      [
        'a narrowed personal token',
        { type: 'personal', grants: [REPORTS] },
        { admin: true },
        { grants: [REPORTS], powers: [] },
      ],
      [
        'a limited token beyond its owner',
        { type: 'limited', grants: [REPORTS] },
        { grants: [] },
        { grants: [], powers: [] },
      ],
      [
        'an administrative token',
        { type: 'administrative', owner: null, grants: null },
        null,
        { grants: 'all', powers: ['tenant'] },
      ],
      [
        'a narrowed administrative token',
        { type: 'administrative', owner: null, grants: [REPORTS] },
        null,
        { grants: [REPORTS], powers: ['tenant'] },
      ],
    ],
  )('%s', (_what, fields, owner, expected) => {
    const got = authorityOf(record(fields), owner);
    expect({ grants: got.grants, powers: got.powers }).toEqual(expected);
  });
});

describe('authorityOf: every field, and credits at the time asked', () => {
  const HOUR = 3_600_000;
  const T = 1_750_000_000_000;
  const metered = storedRecord({
    tenant: 'acme',
    owner: 'ann',
    type: 'personal',
    grants: [READ],
    expiresAt: T + 10 * HOUR,
    meter: { ratelimits: [PER_MINUTE], remaining: 1, refill: { interval: HOUR, amount: 9 }, lastRefillAt: T },
  });

  it.each<[string, number | undefined, number]>([
    ['before the refill is due', T + HOUR - 1, 1],
    ['when the refill is due', T + HOUR, 9],
    ['at the default instant 0', undefined, 1],
  ])('%s', (_what, now, remaining) => {
    const got =
      now === undefined ? authorityOf(metered, { grants: [WRITE] }) : authorityOf(metered, { grants: [WRITE] }, now);
    expect(got).toStrictEqual({
      tenant: 'acme',
      owner: 'ann',
      grants: [READ],
      narrowing: [READ],
      expiresAt: T + 10 * HOUR,
      powers: [],
      meter: { ratelimits: [PER_MINUTE], remaining, refill: { interval: HOUR, amount: 9 } },
    });
  });

  it('an unmetered token has no meter, and one stored without the field neither', () => {
    expect(authorityOf(storedRecord({ meter: null }), { admin: true }).meter).toBeNull();
    const { meter: _, ...legacy } = storedRecord({});
    expect(authorityOf(legacy as TokenRecord, { admin: true }).meter).toBeNull();
  });
});

describe('reaches and reachOf', () => {
  const authority = (owner: string | null, powers: Authority['powers'] = []): Authority => ({
    ...base,
    owner,
    powers,
  });
  const actor = (kind: TokenActor['kind'], owner: string | null, powers: Authority['powers'] = []): TokenActor => ({
    kind,
    id: 'ACTOR',
    storedType: kind === 'session' ? 'personal' : kind,
    authority: authority(owner, powers),
  });
  const target = (fields: Partial<TokenRecord>): TokenRecord =>
    storedRecord({ id: 'TARGET', tenant: 'acme', owner: 'ann', type: 'personal', ...fields });

  it('a token without owner is nobody’s own, not even another ownerless token’s', () => {
    expect(reaches(actor('administrative', null), target({ owner: null, type: 'administrative' }), 'own')).toBe(false);
    expect(reaches(actor('personal', 'ann'), target({}), 'own')).toBe(true);
    expect(reaches(actor('personal', 'ann'), target({ owner: 'bob' }), 'own')).toBe(false);
  });

  it('self is the acting token only; a master is reached by itself only; never across tenants', () => {
    expect(reaches(actor('limited', 'ann'), target({}), 'self')).toBe(false);
    expect(reaches(actor('limited', 'ann'), target({ id: 'ACTOR' }), 'self')).toBe(true);
    expect(reaches(actor('master', 'ann'), target({ type: 'master' }), 'tenant')).toBe(false);
    expect(reaches(actor('master', 'ann'), target({ id: 'ACTOR', type: 'master' }), 'own')).toBe(true);
    expect(reaches(actor('administrative', null), target({ tenant: 'globex' }), 'tenant')).toBe(false);
    expect(reaches(actor('administrative', null), target({}), 'tenant')).toBe(true);
  });

  it('the tenant power widens reading of own tokens to the tenant, and nothing else', () => {
    expect(reachOf(actor('master', 'ann', ['issue', 'admin', 'tenant']), 'read')).toBe('tenant');
    expect(reachOf(actor('master', 'ann', ['issue', 'admin', 'tenant']), 'rotate')).toBe('own');
    expect(reachOf(actor('master', 'ann', ['issue']), 'read')).toBe('own');
    expect(reachOf(actor('limited', 'ann', ['tenant']), 'read')).toBe('self');
    // A session reads with its parent's row and changes nothing.
    expect(reachOf(actor('session', 'ann'), 'read')).toBe('own');
    expect(reachOf(actor('session', 'ann'), 'revoke')).toBeNull();
  });
});

describe('mayManage (roots)', () => {
  const root = (admin: boolean, user: string | null): ResolvedActor => ({
    tenant: 'acme',
    user,
    admin,
    mayIssue: true,
    grants: 'all',
    label: 'root',
    token: null,
  });

  it('a non-admin without a user manages no token without owner; users their own; admins the tenant', () => {
    const ownerless = storedRecord({ tenant: 'acme', owner: null, type: 'administrative' });
    expect(mayManage(root(false, null), ownerless)).toBe(false);
    expect(mayManage(root(true, null), ownerless)).toBe(true);
    expect(mayManage(root(false, 'ann'), storedRecord({ tenant: 'acme', owner: 'ann' }))).toBe(true);
    expect(mayManage(root(false, 'ann'), storedRecord({ tenant: 'acme', owner: 'bob' }))).toBe(false);
    expect(mayManage(root(true, 'ann'), storedRecord({ tenant: 'globex', owner: 'ann' }))).toBe(false);
    expect(mayManage({ ...root(true, null), tenant: null }, storedRecord({ tenant: 'globex', owner: 'x' }))).toBe(true);
  });
});
