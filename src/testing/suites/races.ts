/**
 * @internal Conformance: the atomic guarantees under concurrent calls. For a
 * store whose calls can run on several connections, these are the tests that
 * catch a check and a write done in two steps.
 */

import type { ContractContext } from '../context.js';
import { expect } from '../expect.js';
import { everyToken, race, T0 } from '../fixtures.js';

export function racesContract(context: ContractContext): void {
  raceInsertsContract(context);
  raceChangesContract(context);
}

function raceInsertsContract({ repo, fx, concurrency, describe, it }: ContractContext): void {
  describe(`races on inserts (${concurrency} concurrent calls)`, () => {
    it('the per-owner cap admits exactly the cap out of cap + 10 concurrent inserts', async () => {
      const f = fx();
      const cap = Math.max(1, concurrency - 10);
      const limits = { now: T0, maxLivePerOwner: cap };
      const records = Array.from({ length: cap + 10 }, () => f.token());
      const outcome = await race(records.length, (i) => repo().insert(records[i]!, limits, f.event(records[i]!.id)));
      expect(outcome.values).toHaveLength(cap);
      expect(outcome.codes).toEqual(Array(10).fill('limit_exceeded'));
      const listed = await repo().list(everyToken(f.tenant));
      expect(listed.items).toHaveLength(cap);
      let events = 0;
      for (const record of records) events += (await repo().listEvents({ tokenId: record.id, limit: 10 })).items.length;
      expect(events).toBe(cap);
    });

    it('one name admits exactly one of many concurrent inserts', async () => {
      const f = fx();
      const records = Array.from({ length: concurrency }, () => f.token({ name: 'ci' }));
      const outcome = await race(records.length, (i) => repo().insert(records[i]!, { now: T0 }));
      expect(outcome.values).toHaveLength(1);
      expect(outcome.codes).toEqual(Array(concurrency - 1).fill('conflict'));
      const listed = await repo().list(everyToken(f.tenant));
      expect(listed.items).toHaveLength(1);
    });

    it('concurrent insertMaster calls create exactly one master and all return it', async () => {
      const f = fx();
      const candidates = Array.from({ length: concurrency }, () => f.token({ type: 'master', name: 'master' }));
      const outcome = await race(candidates.length, (i) =>
        repo().insertMaster(candidates[i]!, f.event(candidates[i]!.id)),
      );
      expect(outcome.codes).toEqual([]);
      expect(outcome.values.filter((result) => result.created)).toHaveLength(1);
      const winner = outcome.values.find((result) => result.created)!.record;
      for (const result of outcome.values) expect(result.record).toEqual(winner);
      const masters = await repo().list(everyToken(f.tenant, { types: ['master'] }));
      expect(masters.items.map((record) => record.id)).toEqual([winner.id]);
      for (const candidate of candidates) {
        const events = (await repo().listEvents({ tokenId: candidate.id, limit: 10 })).items;
        expect(events).toHaveLength(candidate.id === winner.id ? 1 : 0);
      }
    });
  });
}

function raceChangesContract({ repo, fx, concurrency, describe, it }: ContractContext): void {
  describe(`races on changes (${concurrency} concurrent calls)`, () => {
    it('concurrent updates with one expected version have exactly one winner', async () => {
      const f = fx();
      const record = f.token();
      await repo().insert(record, { now: T0 });
      const outcome = await race(concurrency, (i) =>
        repo().update(
          record.id,
          1,
          { secretHash: `hash-rotation-${i}`, previousSecretHash: record.secretHash, rotatedAt: T0 + i },
          f.event(record.id, { type: 'rotated', operation: 'rotated', at: T0 + i }),
        ),
      );
      const winners = outcome.values.filter((value) => value !== null);
      expect(outcome.codes).toEqual([]);
      expect(winners).toHaveLength(1);
      const stored = await repo().findById(record.id);
      expect(stored).toEqual(winners[0]);
      expect(stored?.version).toBe(2);
      expect((await repo().listEvents({ tokenId: record.id, limit: 100 })).items).toHaveLength(1);
    });

    it('concurrent revocations of one token revoke it once', async () => {
      const f = fx();
      const record = f.token();
      await repo().insert(record, { now: T0 });
      const outcome = await race(concurrency, (i) =>
        repo().revoke(record.id, T0 + i, f.event(record.id, { type: 'revoked', at: T0 + i })),
      );
      expect(outcome.values.filter((value) => value !== null)).toHaveLength(1);
      expect((await repo().findById(record.id))?.version).toBe(2);
      expect((await repo().listEvents({ tokenId: record.id, limit: 100 })).items).toHaveLength(1);
    });

    it('a rotation racing a revocation never leaves a revoked token rotated', async () => {
      const f = fx();
      const record = f.token();
      await repo().insert(record, { now: T0 });
      const [rotated, revoked] = await Promise.all([
        repo().update(record.id, 1, { secretHash: 'hash-rotated' }),
        repo().revoke(record.id, T0 + 1),
      ]);
      expect(revoked).not.toBeNull();
      const stored = await repo().findById(record.id);
      expect(stored?.revokedAt).toBe(T0 + 1);
      expect(stored?.version).toBe(rotated === null ? 2 : 3);
    });

    it('a claim consumed by many concurrent calls is handed out once', async () => {
      const f = fx();
      const claim = f.claim(f.id());
      await repo().insertClaim(claim);
      const outcome = await race(concurrency, () => repo().consumeClaim(claim.codeHash, T0 + 1));
      expect(outcome.codes).toEqual([]);
      expect(outcome.values.filter((value) => value !== null)).toEqual([claim]);
    });
  });
}
