/** @internal Conformance: `update`, `revoke`, `revokeOwner`, `touch`, `touchMany`, `touchSync` and `purgeExpired`. */

import type { TokenEvent, TokenRecord } from '../../core/types.js';
import type { ContractContext } from '../context.js';
import { expect } from '../expect.js';
import { everyToken, T0 } from '../fixtures.js';
import { skipTest } from '../runner.js';

export function changesContract(context: ContractContext): void {
  updateContract(context);
  revokeContract(context);
  revokeOwnerContract(context);
  touchContract(context);
  purgeContract(context);
}

function updateContract({ repo, fx, describe, it }: ContractContext): void {
  describe('update', () => {
    it('applies the change when the version matches, bumps the version and changes nothing else', async () => {
      const record = fx().token({ comment: 'old', grants: [{ scope: 'report' }], lastUsedAt: T0 + 1 });
      await repo().insert(record, { now: T0 });
      const event = fx().event(record.id, { type: 'comment_updated', operation: 'comment_updated' });
      const updated = await repo().update(record.id, 1, { comment: 'new' }, event);
      expect(updated).toEqual({ ...record, comment: 'new', version: 2 });
      expect(await repo().findById(record.id)).toEqual(updated);
      expect((await repo().listEvents({ tokenId: record.id, limit: 10 })).items).toEqual([event]);
    });

    it('writes every field of a rotation, and null clears a field', async () => {
      const record = fx().token();
      await repo().insert(record, { now: T0 });
      const rotation = {
        secretHash: 'hash-new',
        pepperVersion: 2,
        previousSecretHash: record.secretHash,
        previousPepperVersion: 1,
        previousExpiresAt: T0 + 60_000,
        rotatedAt: T0 + 10,
      };
      const rotated = await repo().update(record.id, 1, rotation);
      expect(rotated).toEqual({ ...record, ...rotation, version: 2 });
      const cleared = await repo().update(record.id, 2, {
        previousSecretHash: null,
        previousPepperVersion: null,
        previousExpiresAt: null,
      });
      expect(cleared).toEqual({
        ...rotated,
        previousSecretHash: null,
        previousPepperVersion: null,
        previousExpiresAt: null,
        version: 3,
      });
      expect(await repo().findById(record.id)).toEqual(cleared);
    });

    it('returns null and changes nothing when the version does not match', async () => {
      const record = fx().token({ comment: 'old' });
      await repo().insert(record, { now: T0 });
      await repo().update(record.id, 1, { comment: 'second' });
      const event = fx().event(record.id, { type: 'comment_updated' });
      expect(await repo().update(record.id, 1, { comment: 'stale' }, event)).toBeNull();
      expect(await repo().update(record.id, 3, { comment: 'future' })).toBeNull();
      expect(await repo().findById(record.id)).toMatchObject({ comment: 'second', version: 2 });
      expect((await repo().listEvents({ tokenId: record.id, limit: 10 })).items).toEqual([]);
    });

    it('returns null for a revoked or missing token, but updates an expired one', async () => {
      const revoked = fx().token();
      const expired = fx().token({ expiresAt: T0 + 1 });
      await repo().insert(revoked, { now: T0 });
      await repo().insert(expired, { now: T0 });
      const gone = await repo().revoke(revoked.id, T0 + 1);
      expect(await repo().update(revoked.id, gone!.version, { comment: 'x' })).toBeNull();
      expect(await repo().findById(revoked.id)).toEqual(gone);
      expect(await repo().update(fx().id(), 1, { comment: 'x' })).toBeNull();
      expect(await repo().update(expired.id, 1, { comment: 'x' })).toMatchObject({ comment: 'x', version: 2 });
    });
  });
}

function revokeContract({ repo, fx, describe, it }: ContractContext): void {
  describe('revoke', () => {
    it('revokes once, bumping the version, with its event', async () => {
      const record = fx().token();
      await repo().insert(record, { now: T0 });
      const event = fx().event(record.id, { type: 'revoked', operation: 'revoked', at: T0 + 5 });
      const revoked = await repo().revoke(record.id, T0 + 5, event);
      expect(revoked).toEqual({ ...record, revokedAt: T0 + 5, version: 2 });
      expect(await repo().findById(record.id)).toEqual(revoked);
      const again = fx().event(record.id, { type: 'revoked', at: T0 + 6 });
      expect(await repo().revoke(record.id, T0 + 6, again)).toBeNull();
      expect(await repo().findById(record.id)).toEqual(revoked);
      expect((await repo().listEvents({ tokenId: record.id, limit: 10 })).items).toEqual([event]);
    });

    it('returns null for a missing token', async () => {
      expect(await repo().revoke(fx().id(), T0)).toBeNull();
    });

    it('revokes master tokens too (the service, not storage, protects them)', async () => {
      const master = fx().token({ type: 'master', name: 'master' });
      await repo().insertMaster(master);
      expect(await repo().revoke(master.id, T0 + 1)).toMatchObject({ revokedAt: T0 + 1 });
    });
  });
}

function revokeOwnerContract({ repo, fx, describe, it }: ContractContext): void {
  describe('revokeOwner', () => {
    async function seed(): Promise<Record<string, TokenRecord>> {
      const f = fx();
      const tokens = {
        master: f.token({ type: 'master', name: 'master' }),
        personal: f.token(),
        limited: f.token({ type: 'limited', grants: [] }),
        expired: f.token({ expiresAt: T0 + 1 }),
        revoked: f.token(),
        bob: f.token({ owner: 'bob' }),
        admin: f.token({ owner: null, type: 'administrative' }),
        elsewhere: f.token({ tenant: f.otherTenant }),
      };
      await repo().insertMaster(tokens.master);
      for (const [key, record] of Object.entries(tokens)) {
        if (key !== 'master') await repo().insert(record, { now: T0 });
      }
      await repo().revoke(tokens.revoked.id, T0 + 2);
      return tokens;
    }

    it('revokes every unrevoked non-master token of the owner, one event each', async () => {
      const tokens = await seed();
      const seen: string[] = [];
      const count = await repo().revokeOwner(fx().tenant, 'alice', T0 + 10, {
        includeMaster: false,
        event: (record): TokenEvent => {
          seen.push(record.id);
          return fx().event(record.id, { type: 'revoked', at: T0 + 10 });
        },
      });
      expect(count).toBe(3);
      expect(seen.sort()).toEqual([tokens.personal!.id, tokens.limited!.id, tokens.expired!.id].sort());
      for (const key of ['personal', 'limited', 'expired'] as const) {
        const record = tokens[key]!;
        expect(await repo().findById(record.id)).toEqual({ ...record, revokedAt: T0 + 10, version: 2 });
        const events = (await repo().listEvents({ tokenId: record.id, limit: 10 })).items;
        expect(events.map((event) => event.type)).toEqual(['revoked']);
      }
      expect((await repo().findById(tokens.revoked!.id))?.revokedAt).toBe(T0 + 2);
      for (const key of ['master', 'bob', 'admin', 'elsewhere'] as const) {
        expect(await repo().findById(tokens[key]!.id)).toEqual(tokens[key]);
      }
    });

    it('revokes nothing when building an event fails part way', async () => {
      const tokens = await seed();
      let built = 0;
      const failure = new Error('event builder failed');
      const attempt = repo().revokeOwner(fx().tenant, 'alice', T0 + 10, {
        includeMaster: true,
        event: (record): TokenEvent => {
          if (++built === 2) throw failure;
          return fx().event(record.id, { type: 'revoked', at: T0 + 10 });
        },
      });
      await expect(attempt).rejects.toBe(failure);
      for (const key of ['master', 'personal', 'limited', 'expired'] as const) {
        expect(await repo().findById(tokens[key]!.id)).toEqual(tokens[key]);
        expect((await repo().listEvents({ tokenId: tokens[key]!.id, limit: 10 })).items).toEqual([]);
      }
    });

    it('revokes the master token too when asked', async () => {
      const tokens = await seed();
      const count = await repo().revokeOwner(fx().tenant, 'alice', T0 + 10, { includeMaster: true });
      expect(count).toBe(4);
      expect((await repo().findById(tokens.master!.id))?.revokedAt).toBe(T0 + 10);
      expect(await repo().revokeOwner(fx().tenant, 'alice', T0 + 11, { includeMaster: true })).toBe(0);
      expect(await repo().revokeOwner(fx().tenant, 'nobody', T0 + 11, { includeMaster: true })).toBe(0);
    });
  });
}

function touchContract({ repo, fx, describe, it }: ContractContext): void {
  describe('touch', () => {
    it('moves lastUsedAt forward only, without changing the version', async () => {
      const record = fx().token();
      await repo().insert(record, { now: T0 });
      await repo().touch(record.id, T0 + 100);
      expect(await repo().findById(record.id)).toEqual({ ...record, lastUsedAt: T0 + 100 });
      await repo().touch(record.id, T0 + 50);
      expect((await repo().findById(record.id))?.lastUsedAt).toBe(T0 + 100);
      await repo().touch(record.id, T0 + 200);
      expect(await repo().findById(record.id)).toEqual({ ...record, lastUsedAt: T0 + 200 });
      // The version is untouched, so a rotation racing a use still wins its CAS.
      expect(await repo().update(record.id, 1, { comment: 'x' })).toMatchObject({ version: 2, lastUsedAt: T0 + 200 });
    });

    it('ignores an unknown id', async () => {
      await expect(repo().touch(fx().id(), T0)).resolves.toBeUndefined();
    });

    it('touchMany, when the store has it, records each use as touch would, in one call', async function (this: unknown, ...args: unknown[]) {
      const touchMany = repo().touchMany;
      if (touchMany === undefined) return skipTest(this, args, 'the store has no touchMany');
      const [early, late, fresh] = [fx().token({ lastUsedAt: T0 + 100 }), fx().token(), fx().token()];
      for (const record of [early, late, fresh]) await repo().insert(record, { now: T0 });
      await touchMany.call(repo(), [
        { id: early.id, at: T0 + 50 },
        { id: late.id, at: T0 + 200 },
        { id: fx().id(), at: T0 + 200 },
        { id: late.id, at: T0 + 150 },
      ]);
      expect(await repo().findById(early.id)).toEqual(early);
      expect(await repo().findById(late.id)).toEqual({ ...late, lastUsedAt: T0 + 200 });
      expect(await repo().findById(fresh.id)).toEqual(fresh);
      await expect(touchMany.call(repo(), [])).resolves.toBeUndefined();
    });

    it('touchSync, when the store has it, records a use at once, forward only, with no event', async function (this: unknown, ...args: unknown[]) {
      const touchSync = repo().touchSync;
      if (touchSync === undefined) return skipTest(this, args, 'the store has no touchSync');
      const record = fx().token();
      await repo().insert(record, { now: T0 });
      const before = await repo().listEvents({ tokenId: record.id, limit: 10 });
      // Synchronous: nothing to wait for, and the next read already sees the use.
      expect(touchSync.call(repo(), record.id, T0 + 100)).toBeUndefined();
      expect(await repo().findById(record.id)).toEqual({ ...record, lastUsedAt: T0 + 100 });
      const known = repo().findByIdSync?.(record.id);
      if (known !== undefined) expect(known?.lastUsedAt).toBe(T0 + 100);
      touchSync.call(repo(), record.id, T0 + 50);
      touchSync.call(repo(), record.id, T0 + 100);
      expect((await repo().findById(record.id))?.lastUsedAt).toBe(T0 + 100);
      touchSync.call(repo(), record.id, T0 + 200);
      touchSync.call(repo(), fx().id(), T0 + 300);
      expect(await repo().findById(record.id)).toEqual({ ...record, lastUsedAt: T0 + 200 });
      expect(await repo().listEvents({ tokenId: record.id, limit: 10 })).toEqual(before);
      // The version is untouched, as with `touch`.
      expect(await repo().update(record.id, 1, { comment: 'x' })).toMatchObject({ version: 2, lastUsedAt: T0 + 200 });
    });
  });
}

function purgeContract({ repo, fx, describe, it }: ContractContext): void {
  describe('purgeExpired', () => {
    it('deletes only tokens that expired before the instant, with their claims', async () => {
      const f = fx();
      const early = f.token({ expiresAt: T0 + 10 });
      const boundary = f.token({ expiresAt: T0 + 20 });
      const revokedExpired = f.token({ expiresAt: T0 + 5 });
      const revokedOnly = f.token();
      const forever = f.token();
      const later = f.token({ expiresAt: T0 + 1000 });
      const foreign = f.token({ tenant: f.otherTenant, expiresAt: T0 + 1 });
      for (const record of [early, boundary, revokedExpired, revokedOnly, forever, later, foreign]) {
        await repo().insert(record, { now: T0 });
      }
      await repo().revoke(revokedExpired.id, T0 + 1);
      await repo().revoke(revokedOnly.id, T0 + 1);
      const doomedClaim = f.claim(early.id, { expiresAt: T0 + 10_000 });
      const keptClaim = f.claim(later.id, { expiresAt: T0 + 10_000 });
      await repo().insertClaim(doomedClaim);
      await repo().insertClaim(keptClaim);

      expect(await repo().purgeExpired(T0 + 20)).toBe(3);
      for (const gone of [early, revokedExpired, foreign]) expect(await repo().findById(gone.id)).toBeNull();
      for (const kept of [boundary, revokedOnly, forever, later]) expect(await repo().findById(kept.id)).not.toBeNull();
      expect(await repo().consumeClaim(doomedClaim.codeHash, T0 + 30)).toBeNull();
      expect(await repo().consumeClaim(keptClaim.codeHash, T0 + 30)).toEqual(keptClaim);
      expect(await repo().findByName(f.tenant, 'alice', early.name)).toBeNull();
      const listed = await repo().list(everyToken(f.tenant));
      expect(listed.items.map((record) => record.id).sort()).toEqual(
        [boundary.id, revokedOnly.id, forever.id, later.id].sort(),
      );

      expect(await repo().purgeExpired(T0 + 21)).toBe(1);
      expect(await repo().findById(boundary.id)).toBeNull();
      expect(await repo().purgeExpired(T0 + 21)).toBe(0);
    });
  });
}
