/**
 * `update` at its edges (issue 15): the field each refusal names, what is
 * written when a value does not change, the event's detail field by field,
 * the widening rule at its boundary (an expiry equal to the old one does
 * not widen, a later one or none does), tokens whose owner is gone or that
 * have none, a signed expiry, and compare-and-set races lost, lost to a
 * revocation and lost to a deletion.
 */
import { describe, expect, it } from 'vitest';
import { opaqueFormat } from '../../src/core/format.js';
import { normalizeGrants } from '../../src/core/grants.js';
import type { TokenRepository } from '../../src/core/repository.js';
import { generateSigningKey } from '../../src/jwt/index.js';
import type { TokenService } from '../../src/service/token-service.js';
import type { Actor } from '../../src/service/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { ANALYST as JWT_ANALYST, jwtHarness } from '../jwt/helpers.js';
import { codeOf } from '../support/errors.js';
import { rejectionOf } from '../support/refusal.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const REPORTS = [{ scope: 'reports' }];

/** An administrative token's actor: the comment column for tenant tokens, rotate for itself only. */
async function adminTokenActor(service: TokenService, ttl: string | null = '30d'): Promise<Actor> {
  const admin = await service.issue({ type: 'administrative', ttl }, ALICE);
  return { principal: await service.verify(admin.token) };
}

describe('update names the field it refuses', () => {
  it.each([
    ['a patch that is not an object', 'comment', 'patch'],
    ['an empty patch', {}, 'patch'],
    ['a patch of undefined fields only', { comment: undefined, ttl: undefined }, 'patch'],
    ['an unknown field', { colour: 'red' }, 'patch.colour'],
    ['a numeric name', { name: 5 }, 'patch.name'],
    ['the master name', { name: 'master' }, 'patch.name'],
    ['a numeric comment', { comment: 5 }, 'patch.comment'],
    ['a comment too long', { comment: 'x'.repeat(1001) }, 'patch.comment'],
    ['meta that is a list', { meta: [1] }, 'patch.meta'],
    ['enabled as text', { enabled: 'no' }, 'patch.enabled'],
    ['grants as text', { grants: 'some' }, 'patch.grants'],
    ['a grant of no kind', { grants: [{ colour: 'red' }] }, 'patch.grants[0]'],
    ['a ttl that is no duration', { ttl: 'soon' }, 'patch.ttl'],
  ])('%s names %s, and changes nothing', async (_label, patch, field) => {
    const h = makeHarness();
    const issued = await h.service.issue({ name: 'etl' }, ANALYST);
    expect(await rejectionOf(h.service.update(issued.info.id, patch as never, ANALYST))).toEqual({
      code: 'invalid_request',
      field,
    });
    expect(await h.repository.findById(issued.info.id)).toMatchObject({ version: 1, name: 'etl' });
  });

  it('a null meta and null grants are values, not refusals', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({ meta: { app: 'x' }, grants: REPORTS }, ANALYST);
    const info = await h.service.update(issued.info.id, { meta: null, grants: null }, ANALYST);
    expect(info).toMatchObject({ meta: null, grants: null });
  });
});

describe('update writes only what changes', () => {
  it.each([
    ['the same name', { name: 'etl' }],
    ['the same comment', { comment: 'load' }],
    ['equal meta', { meta: { app: 'billing' } }],
    ['the same enabled flag', { enabled: true }],
    ['the same grants', { grants: REPORTS }],
    ['all of them at once', { name: 'etl', comment: 'load', meta: { app: 'billing' }, enabled: true, grants: REPORTS }],
  ])('%s: no write, no event, the token as it is', async (_label, patch) => {
    const h = makeHarness();
    const issued = await h.service.issue(
      { name: 'etl', comment: 'load', meta: { app: 'billing' }, grants: REPORTS },
      ANALYST,
    );
    h.clock.advance(1000);
    expect(await h.service.update(issued.info.id, patch, ANALYST)).toEqual(issued.info);
    expect(await h.repository.findById(issued.info.id)).toMatchObject({ version: 1 });
    expect((await h.service.events(issued.info.id, ANALYST)).items).toHaveLength(1);
  });

  it('writes only the fields that differ, and the event shows name, enabled, grants and ttl but not comment or meta', async () => {
    const h = makeHarness({ policy: { allowNoExpiry: true } });
    const issued = await h.service.issue({ name: 'etl', comment: 'load', ttl: '1d' }, ANALYST);
    h.clock.advance(HOUR);
    const info = await h.service.update(
      issued.info.id,
      { name: 'etl', comment: 'nightly', meta: { app: 'x' }, enabled: false, grants: REPORTS, ttl: '2h' },
      ANALYST,
    );
    expect(info).toMatchObject({ name: 'etl', comment: 'nightly', meta: { app: 'x' }, enabled: false });
    const [event] = (await h.service.events(issued.info.id, ANALYST)).items;
    expect(event).toMatchObject({ type: 'updated', actor: 'user:analyst' });
    // Comment and meta are not repeated in the event: not even as keys without a value.
    expect(Object.keys(event!.detail!)).toEqual(['fields', 'enabled', 'grants', 'ttl']);
    expect(event!.detail).toEqual({
      fields: ['comment', 'meta', 'enabled', 'grants', 'expiresAt'],
      enabled: false,
      grants: REPORTS,
      ttl: '2h',
    });
    const renamed = await h.service.update(issued.info.id, { name: 'etl-2', ttl: null }, ANALYST);
    expect(renamed.expiresAt).toBeNull();
    const [second] = (await h.service.events(issued.info.id, ANALYST)).items;
    expect(second!.detail).toEqual({ fields: ['name', 'expiresAt'], name: 'etl-2', ttl: null });
  });

  it('a comment changed with another field is `updated`, not `comment_updated`', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({}, ANALYST);
    await h.service.update(issued.info.id, { comment: 'c', enabled: false }, ANALYST);
    const [event] = (await h.service.events(issued.info.id, ANALYST)).items;
    expect(event).toMatchObject({ type: 'updated', detail: { fields: ['comment', 'enabled'], enabled: false } });
    await h.service.update(issued.info.id, { meta: { a: 1 } }, ANALYST);
    const [meta] = (await h.service.events(issued.info.id, ANALYST)).items;
    expect(meta).toMatchObject({ type: 'updated', detail: { fields: ['meta'] } });
  });

  it('the onUpdated hook gets the fields and the token as left', async () => {
    const seen: unknown[] = [];
    const h = makeHarness({ hooks: { onUpdated: (event) => void seen.push(event) } });
    const issued = await h.service.issue({}, ANALYST);
    await h.service.update(issued.info.id, { name: 'n', enabled: false }, ANALYST);
    await h.service.update(issued.info.id, { name: 'n' }, ANALYST);
    expect(seen).toEqual([
      expect.objectContaining({
        fields: ['name', 'enabled'],
        actor: 'user:analyst',
        token: expect.objectContaining({ name: 'n', enabled: false }),
      }),
    ]);
  });
});

describe('the widening rule at its boundary', () => {
  it('an expiry equal to the old one does not widen; one a millisecond later does', async () => {
    const h = makeHarness({ policy: { allowNoExpiry: true } });
    const as = await adminTokenActor(h.service);
    const target = await h.service.issue({ ttl: '1d' }, ANALYST);
    // Same instant, same lifetime: the same expiry, a comment-column change.
    expect((await h.service.update(target.info.id, { ttl: '1d' }, as)).expiresAt).toEqual(target.info.expiresAt);
    h.clock.advance(1);
    expect(await codeOf(h.service.update(target.info.id, { ttl: '1d' }, as))).toBe('forbidden');
    expect(await codeOf(h.service.update(target.info.id, { ttl: null }, as))).toBe('forbidden');
    // Shorter is narrowing.
    expect((await h.service.update(target.info.id, { ttl: '1h' }, as)).expiresAt?.getTime()).toBe(h.clock.now() + HOUR);
  });

  it('taking the expiry away widens, even for an actor without expiry', async () => {
    const h = makeHarness({ policy: { allowNoExpiry: true } });
    const as = await adminTokenActor(h.service, null);
    const target = await h.service.issue({ ttl: '1d' }, ANALYST);
    expect(await codeOf(h.service.update(target.info.id, { ttl: null }, as))).toBe('forbidden');
    expect((await h.service.get(target.info.id, ANALYST)).expiresAt).toEqual(target.info.expiresAt);
  });

  it('a token without expiry is not widened by any lifetime', async () => {
    const h = makeHarness({ policy: { allowNoExpiry: true } });
    // An actor without expiry, so that the target is within it.
    const as = await adminTokenActor(h.service, null);
    const target = await h.service.issue({ ttl: null }, ANALYST);
    expect(target.info.expiresAt).toBeNull();
    const info = await h.service.update(target.info.id, { ttl: '90d' }, as);
    expect(info.expiresAt?.getTime()).toBe(h.clock.now() + 90 * DAY);
  });

  it('grants: a subset narrows, a superset or null widens (rotate column), equal is no change', async () => {
    const h = makeHarness();
    const as = await adminTokenActor(h.service);
    const both = normalizeGrants([{ scope: 'reports' }, { bucket: 'in.c-csv-import', access: 'write' }]);
    const target = await h.service.issue({ grants: both, ttl: '1d' }, ANALYST);
    expect((await h.service.update(target.info.id, { grants: REPORTS }, as)).grants).toEqual(REPORTS);
    expect(await codeOf(h.service.update(target.info.id, { grants: both }, as))).toBe('forbidden');
    expect(await codeOf(h.service.update(target.info.id, { grants: null }, as))).toBe('forbidden');
    // The owner (rotate: own) may widen back.
    expect((await h.service.update(target.info.id, { grants: null }, ANALYST)).grants).toBeNull();
  });

  it('null grants follow the owner: refused where the owner has less than the actor asks for', async () => {
    const h = makeHarness();
    const target = await h.service.issue({ grants: [] }, BOB);
    // Alice (admin) widening bob's token to null: bob's own grants are the ceiling, which hold.
    expect((await h.service.update(target.info.id, { grants: null }, ALICE)).grants).toBeNull();
    // Bob's token cannot be given grants bob does not have, even by an admin.
    expect(await codeOf(h.service.update(target.info.id, { grants: REPORTS }, ALICE))).toBe('insufficient_scope');
  });
});

describe('ceilings', () => {
  it('a grant refusal names patch.grants', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({ grants: REPORTS }, ANALYST);
    expect(
      await rejectionOf(h.service.update(issued.info.id, { grants: [{ scope: 'admin_console' }] }, ANALYST)),
    ).toEqual({
      code: 'insufficient_scope',
      field: 'patch.grants',
    });
  });

  it('null grants on a token without owner mean everything: beyond a narrower actor', async () => {
    const h = makeHarness();
    const narrow = await h.service.issue({ type: 'administrative', grants: REPORTS, ttl: '30d' }, ALICE);
    const as = { principal: await h.service.verify(narrow.token) };
    const other = await h.service.issue({ type: 'administrative', grants: [], ttl: '1d' }, ALICE);
    expect(await rejectionOf(h.service.update(other.info.id, { grants: null }, as))).toEqual({
      code: 'insufficient_scope',
      field: 'patch.grants',
    });
  });

  it('narrowing a token that follows its owner (null grants) to a list is no widening', async () => {
    const h = makeHarness();
    const as = await adminTokenActor(h.service);
    const target = await h.service.issue({ ttl: '1d' }, BOB);
    expect(target.info.grants).toBeNull();
    const own = [{ bucket: 'in.c-csv-import', access: 'read' }] as const;
    expect((await h.service.update(target.info.id, { grants: own }, as)).grants).toEqual(own);
    expect((await h.service.update(target.info.id, { grants: [] }, as)).grants).toEqual([]);
  });

  it('a role’s duration policy applies to a new lifetime of its holders’ tokens', async () => {
    const h = makeHarness();
    await h.service.setMaxTtl({ role: 'service_accounts' }, '10d', ALICE);
    const issued = await h.service.issue({ ttl: '1d' }, ANALYST);
    const refused = await h.service.update(issued.info.id, { ttl: '20d' }, ANALYST).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'duration_exceeds_policy',
      details: { field: 'patch.ttl', limit: 10 * DAY, source: { kind: 'role', name: 'service_accounts' } },
    });
  });
});

describe('owners', () => {
  it('a token whose owner is gone keeps its name and comment but gets no new grants or lifetime', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({ ttl: '1d' }, BOB);
    h.users.acme!.bob!.active = false;
    expect((await h.service.update(issued.info.id, { comment: 'left' }, ALICE)).comment).toBe('left');
    expect(await codeOf(h.service.update(issued.info.id, { ttl: '1h' }, ALICE))).toBe('not_found');
    expect(await codeOf(h.service.update(issued.info.id, { grants: [] }, ALICE))).toBe('not_found');
  });

  it('an administrative token (no owner) is changed within the actor alone', async () => {
    const h = makeHarness({ policy: { maxTtl: '30d' } });
    const admin = await h.service.issue({ type: 'administrative', ttl: '1d' }, ALICE);
    const info = await h.service.update(admin.info.id, { ttl: '30d', grants: null }, ALICE);
    expect(info.expiresAt?.getTime()).toBe(h.clock.now() + 30 * DAY);
    expect(await rejectionOf(h.service.update(admin.info.id, { ttl: '31d' }, ALICE))).toEqual({
      code: 'duration_exceeds_policy',
      field: 'patch.ttl',
    });
    expect(await codeOf(h.service.update(admin.info.id, { grants: REPORTS }, BOB))).toBe('not_found');
  });
});

/** A memory store whose `update` loses `losses` races; `before` runs before each lost one. */
function racing(losses: number, before: (base: TokenRepository) => Promise<void> = async () => {}) {
  const base = memoryRepository();
  let left = losses;
  let writes = 0;
  const repository: TokenRepository = {
    ...base,
    update: async (...args) => {
      writes++;
      if (left > 0) {
        left--;
        await before(base);
        return null;
      }
      return base.update(...args);
    },
  };
  return { repository, writes: () => writes };
}

describe('update retries a lost compare-and-set, deciding again each time', () => {
  it('succeeds after four lost races', async () => {
    const { repository, writes } = racing(4);
    const h = makeHarness({ repository });
    const issued = await h.service.issue({}, ANALYST);
    expect((await h.service.update(issued.info.id, { name: 'n' }, ANALYST)).name).toBe('n');
    expect(writes()).toBe(5);
  });

  it('gives up with conflict after five, having written nothing', async () => {
    const { repository, writes } = racing(5);
    const h = makeHarness({ repository });
    const issued = await h.service.issue({}, ANALYST);
    expect(await codeOf(h.service.update(issued.info.id, { name: 'n' }, ANALYST))).toBe('conflict');
    expect(writes()).toBe(5);
    expect(await h.repository.findById(issued.info.id)).toMatchObject({ name: issued.info.name, version: 1 });
  });

  it('a token revoked while it lost is a conflict; one deleted is not_found', async () => {
    let id = '';
    const revoking = racing(1, async (base) => {
      await base.revoke(id, 0);
    });
    const h = makeHarness({ repository: revoking.repository });
    id = (await h.service.issue({}, ANALYST)).info.id;
    expect(await codeOf(h.service.update(id, { name: 'n' }, ANALYST))).toBe('conflict');
    expect(revoking.writes()).toBe(1);

    const deleting = racing(1, async (base) => {
      await base.purgeExpired(Number.MAX_SAFE_INTEGER);
    });
    const g = makeHarness({ repository: deleting.repository });
    const issued = await g.service.issue({ ttl: '1h' }, ANALYST);
    expect(await codeOf(g.service.update(issued.info.id, { name: 'n' }, ANALYST))).toBe('not_found');
    expect(deleting.writes()).toBe(1);
  });

  it('a change that became a no-op while it lost is not written', async () => {
    let id = '';
    const { repository, writes } = racing(1, async (base) => {
      const now = await base.findById(id);
      await base.update(id, now!.version, { comment: 'same' });
    });
    const h = makeHarness({ repository });
    id = (await h.service.issue({}, ANALYST)).info.id;
    expect((await h.service.update(id, { comment: 'same' }, ANALYST)).comment).toBe('same');
    expect(writes()).toBe(1);
  });
});

describe('a signed expiry (the JWT format) is never extended', () => {
  it('a later expiry is refused naming patch.ttl; an equal or earlier one is kept', async () => {
    const h = await jwtHarness({ signing: await generateSigningKey('HS256', { kid: 'update' }) });
    const issued = await h.service.issue({ ttl: '1d' }, JWT_ANALYST);
    expect(await rejectionOf(h.service.update(issued.info.id, { ttl: '2d' }, JWT_ANALYST))).toEqual({
      code: 'invalid_request',
      field: 'patch.ttl',
    });
    expect((await h.service.update(issued.info.id, { ttl: '1d' }, JWT_ANALYST)).expiresAt).toEqual(
      issued.info.expiresAt,
    );
    expect((await h.service.update(issued.info.id, { ttl: '1h' }, JWT_ANALYST)).expiresAt?.getTime()).toBe(
      h.clock.now() + HOUR,
    );
  });

  it('a token without expiry under a format that signs expiries gets none: any lifetime is refused', async () => {
    // JWTs always expire; a custom format that signs expiries may carry tokens without one.
    const format = { ...opaqueFormat('acme'), signsExpiry: true };
    const h = makeHarness({ policy: { allowNoExpiry: true }, format });
    const issued = await h.service.issue({ ttl: null }, ANALYST);
    expect(await rejectionOf(h.service.update(issued.info.id, { ttl: '1h' }, ANALYST))).toEqual({
      code: 'invalid_request',
      field: 'patch.ttl',
    });
  });
});
