/** @internal Conformance: `insertClaim` and `consumeClaim`. */

import type { ContractContext } from '../context.js';
import { expect } from '../expect.js';
import { expectTokenError, T0 } from '../fixtures.js';

export function claimsContract({ repo, fx, describe, it }: ContractContext): void {
  describe('claims', () => {
    it('stores a claim with its event and hands it out exactly once', async () => {
      const record = fx().token();
      await repo().insert(record, { now: T0 });
      const claim = fx().claim(record.id);
      const event = fx().event(record.id, {
        type: 'shared',
        operation: 'shared',
        detail: { expiresAt: claim.expiresAt },
      });
      await repo().insertClaim(claim, event);
      expect((await repo().listEvents({ tokenId: record.id, limit: 10 })).items).toEqual([event]);
      expect(await repo().consumeClaim(claim.codeHash, T0 + 1)).toEqual(claim);
      expect(await repo().consumeClaim(claim.codeHash, T0 + 2)).toBeNull();
    });

    it('returns null for an unknown code', async () => {
      expect(await repo().consumeClaim(`code-${fx().id()}`, T0)).toBeNull();
    });

    it('does not hand out a claim at or after its expiry', async () => {
      const claim = fx().claim(fx().id(), { expiresAt: T0 + 100 });
      await repo().insertClaim(claim);
      expect(await repo().consumeClaim(claim.codeHash, T0 + 100)).toBeNull();
      expect(await repo().consumeClaim(claim.codeHash, T0 + 500)).toBeNull();
      const fresh = fx().claim(fx().id(), { expiresAt: T0 + 100 });
      await repo().insertClaim(fresh);
      expect(await repo().consumeClaim(fresh.codeHash, T0 + 99)).toEqual(fresh);
    });

    it('refuses a duplicate code hash and keeps the first claim and no event', async () => {
      const first = fx().claim(fx().id());
      await repo().insertClaim(first);
      const otherToken = fx().id();
      const duplicate = fx().claim(otherToken, { codeHash: first.codeHash });
      await expectTokenError(repo().insertClaim(duplicate, fx().event(otherToken, { type: 'shared' })), 'conflict');
      expect((await repo().listEvents({ tokenId: otherToken, limit: 10 })).items).toEqual([]);
      expect(await repo().consumeClaim(first.codeHash, T0 + 1)).toEqual(first);
    });
  });
}
