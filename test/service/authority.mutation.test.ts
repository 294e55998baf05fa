/**
 * The service's authority checks (src/service/authority.ts) against written
 * answers (issue 15): who may act and in which tenant, each refusal with its
 * code and field; a token actor read as it is now, to the millisecond of its
 * expiry; a record that no longer matches its principal; the directory asked
 * about an owner at most once per call; no directory at all.
 */
import { describe, expect, it } from 'vitest';
import { type StaticDirectoryData, staticDirectory } from '../../src/core/directory.js';
import type { TokenRepository } from '../../src/core/repository.js';
import type { TokenRecord } from '../../src/core/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { codeOf } from '../support/errors.js';
import { rejectionOf } from '../support/refusal.js';
import { ALICE, ANALYST, BOB, makeHarness, USERS } from '../support/service.js';
import { newMasterToken, withoutDirectory } from './master-support.js';
import { plainCodec } from './plain-codec.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('who acts', () => {
  it.each([
    ['a string other than system', 'admin', 'actor'],
    ['null', null, 'actor'],
    ['a list', [ALICE], 'actor'],
    ['a numeric tenant', { tenant: 7, user: 'alice' }, 'actor.tenant'],
    ['no user', { tenant: 'acme' }, 'actor.user'],
    ['an empty user', { tenant: 'acme', user: '' }, 'actor.user'],
  ])('refuses %s naming %s', async (_label, actor, field) => {
    const h = makeHarness();
    expect(await rejectionOf(h.service.list({}, actor as never))).toEqual({ code: 'invalid_request', field });
  });

  it('refuses unknown and inactive users as forbidden', async () => {
    const h = makeHarness();
    for (const user of ['nobody', 'gone']) {
      expect(await codeOf(h.service.list({}, { tenant: 'acme', user }))).toBe('forbidden');
    }
  });
});

describe('in which tenant', () => {
  it('the system must name one; a user stays in theirs; a token actor too', async () => {
    const h = makeHarness();
    expect(await rejectionOf(h.service.list({}, 'system'))).toEqual({ code: 'invalid_request', field: 'tenant' });
    await expect(h.service.list({ tenant: 'globex', owner: 'gina' }, 'system')).resolves.toMatchObject({ items: [] });
    expect(await codeOf(h.service.list({ tenant: 'globex' }, ALICE))).toBe('forbidden');
    await expect(h.service.list({ tenant: 'acme' }, ALICE)).resolves.toMatchObject({ items: [] });
    const principal = await h.service.verify(await newMasterToken(h.service, ALICE));
    expect(await codeOf(h.service.list({ tenant: 'globex' }, { principal }))).toBe('forbidden');
    await expect(h.service.list({}, { principal })).resolves.toBeDefined();
  });
});

describe('a token actor, read now', () => {
  it('acts until its expiry and not at it, to the millisecond', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({ ttl: '1h' }, ANALYST);
    const principal = await h.service.verify(issued.token);
    const ends = h.clock.now() + HOUR;
    h.clock.set(ends - 1);
    await expect(h.service.get(issued.info.id, { principal })).resolves.toMatchObject({ id: issued.info.id });
    h.clock.set(ends);
    expect(await codeOf(h.service.get(issued.info.id, { principal }))).toBe('token_expired');
  });

  it("a session acts until the session's own expiry, not at it", async () => {
    const h = makeHarness({ sessions: { codec: plainCodec, defaultTtl: '10m' } });
    const issued = await h.service.issue({ ttl: '1d' }, ANALYST);
    const session = await h.service.exchange(issued.token);
    const principal = await h.service.verify(session.token);
    const ends = h.clock.now() + 10 * MINUTE;
    h.clock.set(ends - 1);
    await expect(h.service.get(issued.info.id, { principal })).resolves.toBeDefined();
    h.clock.set(ends);
    expect(await codeOf(h.service.get(issued.info.id, { principal }))).toBe('token_expired');
  });

  it('is refused once disabled, revoked, or its owner gone', async () => {
    const h = makeHarness();
    const [disabled, revoked, owned] = await Promise.all([
      h.service.issue({}, ANALYST),
      h.service.issue({}, ANALYST),
      h.service.issue({}, BOB),
    ]);
    const principals = await Promise.all([disabled, revoked, owned].map((t) => h.service.verify(t.token)));
    await h.service.update(disabled.info.id, { enabled: false }, ANALYST);
    await h.service.revoke(revoked.info.id, ANALYST);
    h.users.acme!.bob = { active: false };
    const codes = await Promise.all(principals.map((principal) => codeOf(h.service.list({}, { principal }))));
    expect(codes).toEqual(['token_disabled', 'token_revoked', 'token_invalid']);
  });

  it.each([
    [
      'another tenant (a token without owner, so no owner lookup refuses it first)',
      { tenant: 'globex' },
      'administrative',
    ],
    ['another type', { type: 'limited' }, 'personal'],
    ['nothing: the record is gone', null, 'personal'],
  ])('is token_invalid when its record now says %s', async (_label, change, type) => {
    const base = memoryRepository();
    const altered = { on: false };
    const alter = (record: TokenRecord | null) =>
      record === null || !altered.on ? record : change === null ? null : ({ ...record, ...change } as TokenRecord);
    const repository = Object.assign(Object.create(base) as TokenRepository, {
      findById: async (id: string) => alter(await base.findById(id)),
      findByIdSync: (id: string) => alter(base.findByIdSync!(id) ?? null),
    });
    const h = makeHarness({ repository });
    const issued = await h.service.issue({ type: type as 'personal' }, ALICE);
    const principal = await h.service.verify(issued.token);
    await expect(h.service.get(issued.info.id, { principal })).resolves.toBeDefined();
    altered.on = true;
    expect(await codeOf(h.service.get(issued.info.id, { principal }))).toBe('token_invalid');
  });

  it('is a principal this service made: a copy, or one of another service, is forbidden', async () => {
    const h = makeHarness();
    const other = makeHarness({ repository: h.repository });
    const issued = await h.service.issue({}, ANALYST);
    const real = await h.service.verify(issued.token);
    await expect(h.service.list({}, { principal: real })).resolves.toBeDefined();
    for (const principal of [{ ...real }, await other.service.verify(issued.token)]) {
      expect(await codeOf(h.service.list({}, { principal: principal as never }))).toBe('forbidden');
    }
  });
});

describe('the directory', () => {
  it('is asked about each owner at most once per call', async () => {
    const data = structuredClone(USERS) as StaticDirectoryData;
    const inner = staticDirectory(data);
    const asked: string[] = [];
    const directory = {
      getUser: (tenant: string, user: string) => {
        asked.push(user);
        return inner.getUser(tenant, user);
      },
    };
    const h = makeHarness({ directory });
    for (let i = 0; i < 3; i++) {
      await h.service.issue({}, ANALYST);
      await h.service.issue({}, BOB);
    }
    await h.service.issue({ type: 'administrative' }, ALICE);
    const principal = await h.service.verify(await newMasterToken(h.service, ALICE));
    asked.length = 0;
    const listed = await h.service.list({ all: true }, { principal });
    expect(listed.items).toHaveLength(8);
    expect([...asked].sort()).toEqual(['alice', 'analyst', 'bob']);
  });

  it('none configured: a token without owner verifies, one with an owner is unavailable', async () => {
    const h = makeHarness();
    const owned = await h.service.issue({}, ANALYST);
    const ownerless = await h.service.issue({ type: 'administrative' }, ALICE);
    const bare = makeHarness(withoutDirectory({ repository: h.repository }));
    await expect(bare.service.verify(ownerless.token)).resolves.toMatchObject({ owner: null });
    expect(await codeOf(bare.service.verify(owned.token))).toBe('unavailable');
  });
});
