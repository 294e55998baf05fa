/**
 * @internal Conformance: imported keys found by their lookup hash, the
 * expiring listing (`list` with `expiringBy`), expiry-warning markers
 * (`markExpiring`, once per token, threshold and expiry, under concurrent
 * calls) and, where a store has it, `runExclusive`.
 */
import type { TokenRecord } from '../../core/types.js';
import type { ContractContext } from '../context.js';
import { expect } from '../expect.js';
import { everyToken, expectTokenError, race, T0 } from '../fixtures.js';
import { skipTest } from '../runner.js';

const HOUR = 3_600_000;

export function expiringContract(context: ContractContext): void {
  lookupHashContract(context);
  expiringListContract(context);
  markExpiringContract(context);
  exclusiveContract(context);
}

function lookupHashContract({ repo, fx, concurrency, describe, it }: ContractContext): void {
  describe('findByLookupHash', () => {
    it('finds the token whose lookupHash is any of the hashes, revoked ones included; null for none', async () => {
      const f = fx();
      const imported = f.token({ lookupHash: `sha256:${f.scope}-imported` });
      const other = f.token({ lookupHash: `hmac-${f.scope}` });
      await repo().insert(imported, { now: T0 });
      await repo().insert(other, { now: T0 });
      expect(await repo().findByLookupHash(['nothing', imported.lookupHash!])).toEqual(imported);
      expect(await repo().findByLookupHash([`hmac-${f.scope}`])).toEqual(other);
      expect(await repo().findByLookupHash([`missing-${f.scope}`])).toBeNull();
      expect(await repo().findByLookupHash([])).toBeNull();
      const revoked = await repo().revoke(other.id, T0 + 1);
      expect(await repo().findByLookupHash([`hmac-${f.scope}`])).toEqual(revoked);
    });

    it('refuses a second token with a taken lookupHash (insert or update), and writes nothing', async () => {
      const f = fx();
      const hash = `hmac-${f.scope}`;
      const first = f.token({ lookupHash: hash });
      const second = f.token({ lookupHash: hash });
      const third = f.token();
      await repo().insert(first, { now: T0 });
      await expectTokenError(repo().insert(second, { now: T0 }, f.event(second.id)), 'conflict');
      expect(await repo().findById(second.id)).toBeNull();
      expect((await repo().listEvents({ tokenId: second.id, limit: 10 })).items).toEqual([]);
      await repo().insert(third, { now: T0 });
      await expectTokenError(repo().update(third.id, 1, { lookupHash: hash }), 'conflict');
      expect(await repo().findById(third.id)).toEqual(third);
    });

    it('a lookupHash set by update finds the token, and the old one no longer does', async () => {
      const f = fx();
      const record = f.token({ lookupHash: `old-${f.scope}` });
      await repo().insert(record, { now: T0 });
      const updated = await repo().update(record.id, 1, { lookupHash: `new-${f.scope}`, secretHash: 'rehashed' });
      expect(await repo().findByLookupHash([`new-${f.scope}`])).toEqual(updated);
      expect(await repo().findByLookupHash([`old-${f.scope}`])).toBeNull();
      // The old hash is free again.
      await repo().insert(f.token({ lookupHash: `old-${f.scope}` }), { now: T0 });
    });

    it('purgeExpired forgets the lookupHash of the tokens it deletes', async () => {
      const f = fx();
      const gone = f.token({ expiresAt: T0 + 1, lookupHash: `gone-${f.scope}` });
      await repo().insert(gone, { now: T0 });
      await repo().purgeExpired(T0 + 2);
      expect(await repo().findByLookupHash([`gone-${f.scope}`])).toBeNull();
      await repo().insert(f.token({ lookupHash: `gone-${f.scope}` }), { now: T0 });
    });

    it(`of ${concurrency} concurrent inserts of one lookupHash, exactly one is stored`, async () => {
      const f = fx();
      const records = Array.from({ length: concurrency }, () => f.token({ lookupHash: `race-${f.scope}` }));
      const outcome = await race(records.length, (i) => repo().insert(records[i]!, { now: T0 }));
      expect(outcome.values).toHaveLength(1);
      expect(outcome.codes).toEqual(Array(concurrency - 1).fill('conflict'));
    });
  });
}

function expiringListContract({ repo, fx, describe, it }: ContractContext): void {
  describe('list with expiringBy', () => {
    it('lists only tokens expiring by the instant, soonest first, paged in that order', async () => {
      const f = fx();
      const soon = f.token({ expiresAt: T0 + HOUR });
      const sameTime = [f.token({ expiresAt: T0 + 2 * HOUR }), f.token({ expiresAt: T0 + 2 * HOUR })];
      const edge = f.token({ expiresAt: T0 + 3 * HOUR });
      const later = f.token({ expiresAt: T0 + 4 * HOUR });
      const never = f.token();
      for (const record of [later, never, edge, ...sameTime, soon]) await repo().insert(record, { now: T0 });
      const expected = [soon, ...sameTime.sort((a, b) => (a.id < b.id ? -1 : 1)), edge].map((r) => r.id);
      const query = everyToken(f.tenant, { expiringBy: T0 + 3 * HOUR });
      expect((await repo().list(query)).items.map((record) => record.id)).toEqual(expected);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: TokenRecord[]; nextCursor: string | null } = await repo().list({
          ...query,
          limit: 1,
          cursor,
        });
        seen.push(...page.items.map((record) => record.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(seen).toEqual(expected);
    });

    it('combines with the owner, the type and the live filters', async () => {
      const f = fx();
      const mine = f.token({ expiresAt: T0 + HOUR });
      const bobs = f.token({ owner: 'bob', expiresAt: T0 + HOUR });
      const expired = f.token({ expiresAt: T0 - 1 });
      const revoked = f.token({ expiresAt: T0 + HOUR });
      const limited = f.token({ type: 'limited', grants: [], expiresAt: T0 + HOUR });
      for (const record of [mine, bobs, expired, revoked, limited]) await repo().insert(record, { now: T0 - 10 });
      await repo().revoke(revoked.id, T0);
      const live = { ...everyToken(f.tenant), includeExpired: false, includeRevoked: false, expiringBy: T0 + HOUR };
      const ids = async (more: object): Promise<string[]> =>
        (await repo().list({ ...live, ...more })).items.map((record) => record.id).sort();
      expect(await ids({ owner: 'alice' })).toEqual([mine.id, limited.id].sort());
      expect(await ids({ owner: 'alice', types: ['limited'] })).toEqual([limited.id]);
      expect(await ids({})).toEqual([mine.id, bobs.id, limited.id].sort());
    });
  });
}

function markExpiringContract({ repo, fx, concurrency, describe, it }: ContractContext): void {
  describe('markExpiring', () => {
    it('claims live, enabled tokens expiring within the window, soonest first, once each', async () => {
      const f = fx();
      const due = [f.token({ expiresAt: T0 + 2 * HOUR }), f.token({ expiresAt: T0 + HOUR })];
      const others = [
        f.token({ expiresAt: T0 + 25 * HOUR }), // beyond the window
        f.token({ expiresAt: T0 }), // expired at `now`
        f.token(), // never expires
        f.token({ expiresAt: T0 + HOUR, enabled: false }),
        f.token({ expiresAt: T0 + HOUR }), // revoked below
      ];
      for (const record of [...due, ...others]) await repo().insert(record, { now: T0 - 10 });
      await repo().revoke(others[4]!.id, T0);
      const query = { within: 24 * HOUR, now: T0, limit: 1000 };
      const first = (await repo().markExpiring(query)).filter((record) => record.tenant === f.tenant);
      expect(first.map((record) => record.id)).toEqual([due[1]!.id, due[0]!.id]);
      expect(first[0]).toEqual(due[1]);
      expect((await repo().markExpiring(query)).filter((record) => record.tenant === f.tenant)).toEqual([]);
      // Another threshold is marked on its own.
      const shorter = await repo().markExpiring({ ...query, within: HOUR });
      expect(shorter.filter((record) => record.tenant === f.tenant).map((record) => record.id)).toEqual([due[1]!.id]);
    });

    it('claims a token again once its expiry changes, and respects the limit', async () => {
      const f = fx();
      const records = [1, 2, 3].map((n) => f.token({ expiresAt: T0 + n * HOUR }));
      for (const record of records) await repo().insert(record, { now: T0 });
      const query = { within: 24 * HOUR, now: T0, limit: 1 };
      const mine = async (): Promise<string[]> => {
        const all: string[] = [];
        for (;;) {
          const batch = await repo().markExpiring(query);
          all.push(...batch.filter((record) => record.tenant === f.tenant).map((record) => record.id));
          if (batch.length === 0) return all;
          expect(batch.length).toBe(1);
        }
      };
      expect(await mine()).toEqual(records.map((record) => record.id));
      await repo().update(records[1]!.id, 1, { expiresAt: T0 + 5 * HOUR });
      expect(await mine()).toEqual([records[1]!.id]);
    });

    it('purgeExpired deletes the markers of expiries before its instant', async () => {
      const f = fx();
      const record = f.token({ expiresAt: T0 + HOUR });
      await repo().insert(record, { now: T0 });
      const query = { within: 24 * HOUR, now: T0, limit: 1000 };
      const mine = async (): Promise<number> =>
        (await repo().markExpiring(query)).filter((found) => found.tenant === f.tenant).length;
      expect(await mine()).toBe(1);
      await repo().update(record.id, 1, { expiresAt: T0 + 1000 * HOUR });
      await repo().purgeExpired(T0 + 2 * HOUR);
      await repo().update(record.id, 2, { expiresAt: T0 + HOUR });
      expect(await mine()).toBe(1);
    });

    it(`${concurrency} concurrent calls claim each due token exactly once`, async () => {
      const f = fx();
      const records = Array.from({ length: 30 }, (_, i) => f.token({ expiresAt: T0 + (i + 1) * 60_000 }));
      for (const record of records) await repo().insert(record, { now: T0 });
      const outcome = await race(concurrency, () => repo().markExpiring({ within: HOUR, now: T0, limit: 7 }));
      expect(outcome.codes).toEqual([]);
      const claimed = outcome.values.flat().filter((record) => record.tenant === f.tenant);
      const ids = claimed.map((record) => record.id);
      expect(new Set(ids).size).toBe(ids.length);
      // Whatever the first calls left (each claims at most 7), later calls pick up.
      for (;;) {
        const more = await repo().markExpiring({ within: HOUR, now: T0, limit: 7 });
        if (more.length === 0) break;
        ids.push(...more.filter((record) => record.tenant === f.tenant).map((record) => record.id));
      }
      expect(ids.sort()).toEqual(records.map((record) => record.id).sort());
    });
  });
}

function exclusiveContract({ repo, describe, it }: ContractContext): void {
  describe('runExclusive (optional)', () => {
    it('runs one holder of a name at a time, never waits, releases after work ends or fails', async function (this: unknown, ...args: unknown[]) {
      const store = repo();
      if (store.runExclusive === undefined) {
        skipTest(this, args, 'the store has no runExclusive');
        return;
      }
      const name = `contract-${Math.random().toString(36).slice(2)}`;
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let entered: () => void = () => {};
      const inside = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const first = store.runExclusive(name, async () => {
        entered();
        await held;
        return 'first';
      });
      await inside;
      expect(await store.runExclusive(name, async () => 'second')).toEqual({ ran: false });
      expect(await store.runExclusive(`${name}-other`, async () => 'other')).toEqual({ ran: true, value: 'other' });
      release();
      expect(await first).toEqual({ ran: true, value: 'first' });
      const failure = new Error('work failed');
      await expect(store.runExclusive(name, async () => Promise.reject(failure))).rejects.toBe(failure);
      expect(await store.runExclusive(name, async () => 'after')).toEqual({ ran: true, value: 'after' });
    });
  });
}
