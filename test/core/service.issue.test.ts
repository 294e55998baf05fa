import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TokenError } from '../../src/core/errors.js';
import { grantSetCovers } from '../../src/core/grants.js';
import type { Grant } from '../../src/core/types.js';
import { codeOf } from '../support/errors.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';
import { arbGrantSet, arbGrants } from './arbitraries.js';

const DAY = 86_400_000;

describe('issue: who may create what', () => {
  it('lets a user create their own personal token and shows the secret once', async () => {
    const h = makeHarness();
    const { token, info } = await h.service.issue({ name: 'ci_pipeline', ttl: '30d', comment: 'CI' }, ANALYST);
    expect(token.startsWith('acme_p_')).toBe(true);
    expect(info).toMatchObject({
      type: 'personal',
      owner: 'analyst',
      name: 'ci_pipeline',
      comment: 'CI',
      status: 'active',
    });
    expect(Object.values(info).some((value) => value === token)).toBe(false);
    expect(JSON.stringify(await h.service.get(info.id, ANALYST))).not.toContain(token.slice(33));
  });

  it('defaults to 365 days and a generated, unique name', async () => {
    const h = makeHarness();
    const a = await h.service.issue({}, BOB);
    const b = await h.service.issue({}, BOB);
    expect(a.info.expiresAt?.getTime()).toBe(h.clock.now() + 365 * DAY);
    expect(a.info.name).toMatch(/^token-[0-9a-z]{10}$/);
    expect(a.info.name).not.toBe(b.info.name);
  });

  it('lets only admins act FOR USER', async () => {
    const h = makeHarness();
    const { info } = await h.service.issue({ name: 'report_bot', owner: 'analyst', ttl: '90d' }, ALICE);
    expect(info).toMatchObject({ owner: 'analyst', createdBy: 'user:alice' });
    expect(await codeOf(h.service.issue({ owner: 'analyst' }, BOB))).toBe('forbidden');
    expect(await codeOf(h.service.issue({ owner: 'nobody' }, ALICE))).toBe('not_found');
    expect(await codeOf(h.service.issue({ owner: 'gone' }, ALICE))).toBe('not_found');
  });

  it('lets only admins create administrative tokens, which have no owner', async () => {
    const h = makeHarness();
    const { token, info } = await h.service.issue({ type: 'administrative', name: 'infra' }, ALICE);
    expect(info).toMatchObject({ type: 'administrative', owner: null });
    expect(await h.service.verify(token)).toMatchObject({ type: 'administrative', grants: 'all', owner: null });
    expect(await codeOf(h.service.issue({ type: 'administrative' }, BOB))).toBe('forbidden');
    expect(await codeOf(h.service.issue({ type: 'administrative', owner: 'bob' }, ALICE))).toBe('invalid_request');
  });

  it('refuses master tokens through issue and unknown types or options', async () => {
    const h = makeHarness();
    expect(await codeOf(h.service.issue({ type: 'master' as never }, ALICE))).toBe('invalid_request');
    expect(await codeOf(h.service.issue({ type: 'root' as never }, ALICE))).toBe('invalid_request');
    expect(await codeOf(h.service.issue({ expiresIn: '1d' } as never, ALICE))).toBe('invalid_request');
    expect(await codeOf(h.service.issue(null as never, ALICE))).toBe('invalid_request');
  });

  it('refuses unknown, inactive and malformed actors', async () => {
    const h = makeHarness();
    expect(await codeOf(h.service.issue({}, { tenant: 'acme', user: 'nobody' }))).toBe('forbidden');
    expect(await codeOf(h.service.issue({}, { tenant: 'acme', user: 'gone' }))).toBe('forbidden');
    expect(await codeOf(h.service.issue({}, { tenant: 'acme', user: 'a b' }))).toBe('invalid_request');
    expect(await codeOf(h.service.issue({}, 'root' as never))).toBe('invalid_request');
    expect(await codeOf(h.service.issue({ tenant: 'globex' }, ALICE))).toBe('forbidden');
    expect(await codeOf(h.service.issue({}, 'system'))).toBe('invalid_request');
    const { info } = await h.service.issue({ tenant: 'acme', owner: 'bob' }, 'system');
    expect(info).toMatchObject({ owner: 'bob', createdBy: 'system' });
  });

  it('lets only master tokens create tokens among token actors', async () => {
    const h = makeHarness();
    const master = await h.service.ensureMasterToken(ANALYST);
    if (!master.created) throw new Error('expected a new master token');
    const masterPrincipal = await h.service.verify(master.token);
    const limited = await h.service.issue(
      { type: 'limited', grants: [{ scope: 'reports' }] },
      { principal: masterPrincipal },
    );
    expect(limited.info).toMatchObject({ type: 'limited', owner: 'analyst', createdBy: `token:${master.info.id}` });
    const personal = await h.service.issue({}, ANALYST);
    for (const token of [personal.token, limited.token]) {
      const principal = await h.service.verify(token);
      expect(await codeOf(h.service.issue({}, { principal }))).toBe('forbidden');
    }
    const admin = await h.service.issue({ type: 'administrative' }, ALICE);
    expect(await codeOf(h.service.issue({}, { principal: await h.service.verify(admin.token) }))).toBe('forbidden');
  });

  it('enforces unique names among an owner’s live tokens, freeing the name on revocation', async () => {
    const h = makeHarness();
    const first = await h.service.issue({ name: 'ci' }, BOB);
    expect(await codeOf(h.service.issue({ name: 'ci' }, BOB))).toBe('conflict');
    await expect(h.service.issue({ name: 'ci' }, ANALYST)).resolves.toBeDefined();
    await h.service.revoke(first.info.id, BOB);
    await expect(h.service.issue({ name: 'ci' }, BOB)).resolves.toBeDefined();
  });

  it.each([
    ['empty name', { name: '' }],
    ['padded name', { name: ' ci ' }],
    ['name with newline', { name: 'a\nb' }],
    ['101-char name', { name: 'n'.repeat(101) }],
    ['numeric name', { name: 5 }],
    ['comment too long', { comment: 'c'.repeat(1001) }],
    ['comment with NUL', { comment: 'a\u0000b' }],
    ['ttl zero', { ttl: 0 }],
    ['ttl negative', { ttl: '-1d' }],
    ['ttl garbage', { ttl: 'forever' }],
    ['grants not a list', { grants: { scope: 'x' } }],
  ])('answers bad input (%s) with invalid_request and stores nothing', async (_label, input) => {
    const h = makeHarness();
    expect(await codeOf(h.service.issue(input as never, BOB))).toBe('invalid_request');
    const all = await h.service.list({ all: true, hideExpired: false, hideRevoked: false }, ALICE);
    expect(all.items).toEqual([]);
  });
});

describe('issue: grants', () => {
  it('gives limited tokens no access unless granted', async () => {
    const h = makeHarness();
    const { token, info } = await h.service.issue({ type: 'limited' }, ALICE);
    expect(info.grants).toEqual([]);
    const principal = await h.service.verify(token);
    expect(principal.grants).toEqual([]);
    expect(principal.can({ bucket: 'in.c-csv-import', access: 'read' })).toBe(false);
  });

  it('never lets a created token exceed its creator (property)', async () => {
    await fc.assert(
      fc.asyncProperty(arbGrantSet, arbGrants, async (creatorGrants, requested) => {
        const h = makeHarness();
        h.users.acme!.carol = { grants: creatorGrants };
        const carol = { tenant: 'acme', user: 'carol' };
        const allowed = grantSetCovers(creatorGrants, requested);
        try {
          const { token } = await h.service.issue({ type: 'limited', grants: requested }, carol);
          expect(allowed).toBe(true);
          expect(grantSetCovers(creatorGrants, (await h.service.verify(token)).grants)).toBe(true);
        } catch (error) {
          expect(allowed).toBe(false);
          expect((error as TokenError).code).toBe('insufficient_scope');
        }
      }),
      { numRuns: 150 },
    );
  });

  it("keeps a token's effective grants within its owner's current grants (property)", async () => {
    await fc.assert(
      fc.asyncProperty(arbGrants, arbGrantSet, fc.boolean(), async (tokenGrants, ownerLater, limited) => {
        const h = makeHarness();
        h.users.acme!.carol = { grants: 'all' };
        const carol = { tenant: 'acme', user: 'carol' };
        const { token } = await h.service.issue(
          limited ? { type: 'limited', grants: tokenGrants } : { grants: tokenGrants },
          carol,
        );
        h.users.acme!.carol = { grants: ownerLater };
        const principal = await h.service.verify(token);
        expect(grantSetCovers(ownerLater, principal.grants)).toBe(true);
        expect(grantSetCovers(tokenGrants as Grant[], principal.grants)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("gives personal tokens without grants the owner's privileges, admins everything", async () => {
    const h = makeHarness();
    const admin = await h.service.verify((await h.service.issue({}, ALICE)).token);
    expect(admin.grants).toBe('all');
    expect(admin.ownerIsAdmin).toBe(true);
    const bob = await h.service.verify((await h.service.issue({}, BOB)).token);
    expect(bob.grants).toEqual([{ bucket: 'in.c-csv-import', access: 'read' }]);
  });
});

describe('issue: lifetimes and policies', () => {
  it('applies the least restrictive of user and role policies and refuses longer requests', async () => {
    const h = makeHarness();
    await h.service.setMaxTtl({ user: 'analyst' }, '24h', ALICE);
    expect(await codeOf(h.service.issue({ ttl: '2d' }, ANALYST))).toBe('duration_exceeds_policy');
    await h.service.setMaxTtl({ role: 'service_accounts' }, '30d', ALICE);
    const { info } = await h.service.issue({ ttl: '30d' }, ANALYST);
    expect(info.expiresAt?.getTime()).toBe(h.clock.now() + 30 * DAY);
    try {
      await h.service.issue({ ttl: '31d' }, ANALYST);
      expect.unreachable();
    } catch (error) {
      expect((error as TokenError).code).toBe('duration_exceeds_policy');
      expect((error as TokenError).details.limit).toBe(30 * DAY);
      expect((error as TokenError).message).toMatch(/1mo.*service_accounts/);
    }
    // No request: min(default, effective maximum).
    expect((await h.service.issue({}, ANALYST)).info.expiresAt?.getTime()).toBe(h.clock.now() + 30 * DAY);
    expect(await h.service.explainMaxTtl(ANALYST)).toMatchObject({
      maxTtl: 30 * DAY,
      source: { kind: 'role', name: 'service_accounts' },
    });
  });

  it('removes a policy with null and never goes above the ceiling', async () => {
    const h = makeHarness({ policy: { maxTtl: '90d', defaultTtl: '30d' } });
    await h.service.setMaxTtl({ user: 'analyst' }, '1y', ALICE);
    expect(await h.service.explainMaxTtl(ANALYST)).toMatchObject({ maxTtl: 90 * DAY, capped: true });
    expect(await codeOf(h.service.issue({ ttl: '91d' }, ANALYST))).toBe('duration_exceeds_policy');
    await h.service.setMaxTtl({ user: 'analyst' }, null, ALICE);
    expect(await h.service.explainMaxTtl(ANALYST)).toMatchObject({ maxTtl: 90 * DAY, source: { kind: 'system' } });
  });

  it('lets only admins set policies, for a user or a role', async () => {
    const h = makeHarness();
    expect(await codeOf(h.service.setMaxTtl({ user: 'bob' }, '1d', BOB))).toBe('forbidden');
    expect(await codeOf(h.service.setMaxTtl({ user: 'bob', role: 'x' } as never, '1d', ALICE))).toBe('invalid_request');
    expect(await codeOf(h.service.setMaxTtl({} as never, '1d', ALICE))).toBe('invalid_request');
    expect(await codeOf(h.service.setMaxTtl({ user: 'bob' }, 'soon', ALICE))).toBe('invalid_request');
    expect(await codeOf(h.service.setMaxTtl({ tenant: 'globex', user: 'bob' }, '1d', ALICE))).toBe('forbidden');
  });

  it('refuses no-expiry tokens unless configured, and then only where no policy applies', async () => {
    const strict = makeHarness();
    expect(await codeOf(strict.service.issue({ ttl: null }, BOB))).toBe('duration_exceeds_policy');
    const lax = makeHarness({ policy: { allowNoExpiry: true } });
    expect((await lax.service.issue({ ttl: null }, BOB)).info.expiresAt).toBeNull();
    await lax.service.setMaxTtl({ role: 'service_accounts' }, '30d', ALICE);
    expect(await codeOf(lax.service.issue({ ttl: null }, ANALYST))).toBe('duration_exceeds_policy');
  });

  it('enforces the per-user cap atomically, counting only live tokens (20 concurrent issues)', async () => {
    const h = makeHarness({ policy: { maxTokensPerUser: 5 } });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => h.service.issue({}, BOB)));
    const ok = results.filter((result) => result.status === 'fulfilled');
    const refused = results.filter(
      (result) => result.status === 'rejected' && (result.reason as TokenError).code === 'limit_exceeded',
    );
    expect(ok).toHaveLength(5);
    expect(refused).toHaveLength(15);
    const first = (ok[0] as PromiseFulfilledResult<{ info: { id: string } }>).value.info.id;
    await h.service.revoke(first, BOB);
    await expect(h.service.issue({}, BOB)).resolves.toBeDefined();
    expect(await codeOf(h.service.issue({}, BOB))).toBe('limit_exceeded');
  });

  it('lets only admins create tokens in admins-only mode (CloudBeaver)', async () => {
    const h = makeHarness({ policy: { creation: 'admins' } });
    expect(await codeOf(h.service.issue({}, BOB))).toBe('forbidden');
    await expect(h.service.issue({}, ALICE)).resolves.toBeDefined();
  });
});
