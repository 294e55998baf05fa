/**
 * The policies `issue` keeps (src/service/policy-cache.ts), on a memory
 * store with policy versions (test/support/versioned-store.ts): what an
 * entry is keyed by (tenant, owner, the set of roles), what is never read,
 * which store answers the policies, storage failures, and what is kept
 * after a stale or refused insert. Fast, for the mutation set (issue 15).
 */
import { describe, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import { expectCode } from '../support/errors.js';
import { ALICE, ANALYST, type Harness, makeHarness } from '../support/service.js';
import { versionedStore } from '../support/versioned-store.js';

const DAY = 86_400_000;

/** The directory entries of `tenant` (made if absent), which the harness's directory reads live. */
function usersOf(h: Harness, tenant: string): Record<string, Record<string, unknown>> {
  h.users[tenant] ??= {};
  return h.users[tenant];
}

/** A harness on a versioned store, with a second tenant whose users share names with acme's. */
function world(capabilities: Parameters<typeof versionedStore>[0] = 'both') {
  const store = versionedStore(capabilities);
  const h = makeHarness({ repository: store.repository });
  usersOf(h, 'acme').analyst = { roles: ['service_accounts', 'auditors'], grants: 'all' };
  usersOf(h, 'acme').bob = { roles: ['auditors', 'service_accounts'], grants: 'all' };
  h.users.acme2 = { alice: { admin: true }, analyst: { roles: ['service_accounts', 'auditors'], grants: 'all' } };
  return { ...store, h };
}

/** The lifetime, in days, that an issue for `owner` (by ALICE, an admin) with no `ttl` gets. */
async function defaultDays(h: Harness, owner: string, tenant = 'acme'): Promise<number> {
  const actor = { tenant, user: 'alice' };
  const { info } = await h.service.issue({ owner }, actor);
  return ((info.expiresAt?.getTime() ?? Number.NaN) - h.clock.now()) / DAY;
}

describe('policy cache: what an entry is kept for', () => {
  it('a tenant, an owner and a set of roles each have their own entry: a policy of one never governs another', async () => {
    const { h, repository, calls } = world();
    // Policies written on the store (as by another instance): each moves only its tenant's version.
    await repository.setPolicy('acme', { kind: 'user', name: 'analyst' }, 2 * DAY, 0);
    await repository.setPolicy('acme2', { kind: 'user', name: 'analyst' }, 3 * DAY, 0);
    expect(await defaultDays(h, 'analyst')).toBe(2);
    expect(await defaultDays(h, 'analyst', 'acme2')).toBe(3);
    expect(await defaultDays(h, 'bob')).toBe(365); // the same roles, another user: no user policy
    expect(calls.withVersion).toBe(3);
    // Each kept entry answers again without a read.
    expect(await defaultDays(h, 'analyst')).toBe(2);
    expect(await defaultDays(h, 'analyst', 'acme2')).toBe(3);
    expect(await defaultDays(h, 'bob')).toBe(365);
    expect(calls).toMatchObject({ withVersion: 3, stale: 0, policiesFor: 0 });
  });

  it('the roles are a set: another order or a repeat hits the same entry, another role reads afresh', async () => {
    const { h, repository, calls } = world();
    await repository.setPolicy('acme', { kind: 'role', name: 'auditors' }, 4 * DAY, 0);
    expect(await defaultDays(h, 'analyst')).toBe(4);
    usersOf(h, 'acme').analyst = { roles: ['auditors', 'service_accounts', 'auditors'], grants: 'all' };
    expect(await defaultDays(h, 'analyst')).toBe(4);
    expect(calls.withVersion).toBe(1);
    // The directory drops a role: the policy tied to it no longer applies, with no policy write at all.
    usersOf(h, 'acme').analyst = { roles: ['service_accounts'], grants: 'all' };
    expect(await defaultDays(h, 'analyst')).toBe(365);
    expect(calls).toMatchObject({ withVersion: 2, stale: 0 });
    // And a role given back is governed by its policy again.
    usersOf(h, 'acme').analyst = { roles: ['service_accounts', 'auditors'], grants: 'all' };
    await expectCode(h.service.issue({ owner: 'analyst', ttl: '5d' }, ALICE), 'duration_exceeds_policy', {
      field: 'ttl',
    });
  });

  it('a tenant name that another begins with keeps its entries when the other changes a policy', async () => {
    const store = versionedStore();
    const h = makeHarness({ repository: store.repository });
    h.users['acme.eu'] = { alice: { admin: true }, analyst: { grants: 'all' } };
    h.users.acm = { alice: { admin: true }, analyst: { grants: 'all' } };
    for (const tenant of ['acme', 'acme.eu', 'acm']) await defaultDays(h, 'analyst', tenant);
    expect(store.calls.withVersion).toBe(3);
    await h.service.setMaxTtl({ tenant: 'acme', user: 'analyst' }, '1d', ALICE);
    for (const tenant of ['acme.eu', 'acm']) await defaultDays(h, 'analyst', tenant);
    expect(store.calls.withVersion).toBe(3);
    expect(await defaultDays(h, 'analyst')).toBe(1);
    expect(store.calls).toMatchObject({ withVersion: 4, stale: 0 });
  });

  it('a token without owner reads no policy on any store, and has the ceiling', async () => {
    for (const capabilities of ['both', 'read only', 'insert only'] as const) {
      const { h, calls } = world(capabilities);
      const { info } = await h.service.issue({ type: 'administrative' }, ALICE);
      expect(info.expiresAt).toEqual(new Date(h.clock.now() + 365 * DAY));
      expect(calls).toMatchObject({ policiesFor: 0, withVersion: 0, insertAt: 0 });
    }
  });

  it('nor does a new lifetime for one (update), on a store that refuses a user that is not a string', async () => {
    // The store contract types the user of `policiesFor` as a string; a SQL driver may refuse null.
    const inner = versionedStore('read only').repository;
    let asked = 0;
    const repository: TokenRepository = {
      ...inner,
      policiesFor: (tenant, user, roles) => {
        asked++;
        if (typeof user !== 'string') throw new TypeError('user must be a string');
        return inner.policiesFor(tenant, user, roles);
      },
    };
    const h = makeHarness({ repository });
    const { info } = await h.service.issue({ type: 'administrative', ttl: '1d' }, ALICE);
    const updated = await h.service.update(info.id, { ttl: '2d' }, ALICE);
    expect(updated.expiresAt).toEqual(new Date(h.clock.now() + 2 * DAY));
    expect(asked).toBe(0);
  });

  it('a store with insertAtPolicyVersion but no policiesWithVersion is read with policiesFor every time', async () => {
    const { h, repository, calls } = world('insert only');
    await repository.setPolicy('acme', { kind: 'user', name: 'analyst' }, 2 * DAY, 0);
    for (let i = 0; i < 2; i++) expect(await defaultDays(h, 'analyst')).toBe(2);
    expect(calls).toMatchObject({ policiesFor: 2, withVersion: 0, insertAt: 0 });
    expect((await h.service.list({ tenant: 'acme', owner: 'analyst' }, ALICE)).items).toHaveLength(2);
  });
});

describe('policy cache: what is stored and returned', () => {
  it('the token returned is the one stored, on the kept path and after a stale version alike', async () => {
    const { h, repository, calls } = world();
    const first = await h.service.issue({}, ANALYST);
    const kept = await h.service.issue({}, ANALYST);
    await repository.setPolicy('acme', { kind: 'role', name: 'auditors' }, 3 * DAY, 0);
    const afresh = await h.service.issue({}, ANALYST);
    expect(calls).toMatchObject({ withVersion: 2, insertAt: 2, stale: 1 });
    for (const issued of [first, kept, afresh]) {
      const principal = await h.service.verify(issued.token);
      expect(principal.tokenId).toBe(issued.info.id);
    }
    expect(afresh.info.expiresAt).toEqual(new Date(h.clock.now() + 3 * DAY));
    const names = (await h.service.list({ tenant: 'acme', owner: 'analyst' }, ALICE)).items.map((info) => info.id);
    expect(names.sort()).toEqual([first, kept, afresh].map((issued) => issued.info.id).sort());
  });

  it('a refusal that is not the policy’s (a name taken) is not retried under fresh policies', async () => {
    const { h, calls } = world();
    await h.service.issue({ name: 'ci' }, ANALYST);
    await expectCode(h.service.issue({ name: 'ci' }, ANALYST), 'conflict');
    expect(calls).toMatchObject({ withVersion: 1, insertAt: 1 });
  });
});

describe('policy cache: storage failures', () => {
  type Failing = 'policiesWithVersion' | 'insertAtPolicyVersion' | 'insert' | 'policiesFor';

  /** A versioned store one of whose calls fails (once armed) with a driver's error. */
  function failing(method: Failing, capabilities: 'both' | 'read only') {
    const { repository } = versionedStore(capabilities);
    let armed = false;
    const original = repository[method] as (...args: unknown[]) => Promise<unknown>;
    const broken = {
      ...repository,
      [method]: (...args: unknown[]) =>
        armed ? Promise.reject(new Error('connection reset')) : original.apply(repository, args),
    } as TokenRepository;
    return { repository: broken, arm: () => (armed = true) };
  }

  it('a failing read or insert answers unavailable, on the kept path and the fresh one', async () => {
    const cases: [Failing, 'both' | 'read only'][] = [
      ['policiesWithVersion', 'both'],
      ['insertAtPolicyVersion', 'both'],
      ['insert', 'both'],
      ['insert', 'read only'],
      ['policiesFor', 'read only'],
    ];
    for (const [method, capabilities] of cases) {
      const { repository, arm } = failing(method, capabilities);
      const h = makeHarness({ repository });
      await h.service.issue({}, ANALYST); // on a store with both, an entry is kept
      arm();
      // The entry dropped (a policy set through the service): the fresh path's read, then its plain insert.
      const drop = method !== 'insertAtPolicyVersion';
      if (drop) await h.service.setMaxTtl({ tenant: 'acme', user: 'analyst' }, '1d', ALICE);
      await expectCode(h.service.issue({}, ANALYST), 'unavailable');
    }
  });
});
