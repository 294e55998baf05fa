/**
 * @internal Conformance: the rules still hold in a namespace with many
 * tokens (an admin's many administrative tokens, a user without a cap),
 * where a store may switch to other indexes.
 */

import type { TokenRecord } from '../../core/types.js';
import type { ContractContext } from '../context.js';
import { expect } from '../expect.js';
import { expectTokenError, T0 } from '../fixtures.js';

const COUNT = 150;

export function crowdedContract({ repo, fx, describe, it }: ContractContext): void {
  describe(`a namespace with ${COUNT} tokens`, () => {
    it('keeps names, the cap, lookups, revocation and purging right', async () => {
      const f = fx();
      const tokens: TokenRecord[] = [];
      for (let i = 0; i < COUNT; i++) {
        // Every third expires at T0 + 10; every fifth of the rest is revoked below.
        const record = f.token({ name: `t${i}`, createdAt: T0 + i, expiresAt: i % 3 === 0 ? T0 + 10 : null });
        tokens.push(record);
        await repo().insert(record, { now: T0 });
      }
      const revoked = tokens.filter((_, i) => i % 3 !== 0 && i % 5 === 0);
      for (const record of revoked) await repo().revoke(record.id, T0 + 5);
      const now = T0 + 20;
      const live = tokens.filter((_, i) => i % 3 !== 0 && i % 5 !== 0);

      // A live name is taken; an expired or a revoked one is free again.
      await expectTokenError(repo().insert(f.token({ name: live[0]!.name }), { now }), 'conflict');
      const reusedExpired = f.token({ name: tokens[0]!.name, createdAt: now });
      const reusedRevoked = f.token({ name: revoked[0]!.name, createdAt: now });
      await repo().insert(reusedExpired, { now });
      await repo().insert(reusedRevoked, { now });
      expect((await repo().findByName(f.tenant, 'alice', revoked[0]!.name))?.id).toBe(reusedRevoked.id);
      expect((await repo().findByName(f.tenant, 'alice', live[1]!.name))?.id).toBe(live[1]!.id);

      // The cap counts exactly the live tokens.
      const liveCount = live.length + 2;
      await expectTokenError(repo().insert(f.token(), { now, maxLivePerOwner: liveCount }), 'limit_exceeded');
      const extra = f.token({ createdAt: now });
      await repo().insert(extra, { now, maxLivePerOwner: liveCount + 1 });

      // Revoking the owner's tokens counts the unrevoked ones, expired included.
      const expiredCount = tokens.filter((_, i) => i % 3 === 0).length;
      expect(await repo().revokeOwner(f.tenant, 'alice', now + 1, { includeMaster: false })).toBe(
        live.length + expiredCount + 3,
      );
      expect(await repo().revokeOwner(f.tenant, 'alice', now + 2, { includeMaster: false })).toBe(0);

      // Purging removes the expired ones; everything else stays listed.
      expect(await repo().purgeExpired(now)).toBe(expiredCount);
      const listed: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: TokenRecord[]; nextCursor: string | null } = await repo().list({
          tenant: f.tenant,
          owner: 'alice',
          includeExpired: true,
          includeRevoked: true,
          now,
          limit: 40,
          cursor,
        });
        listed.push(...page.items.map((record) => record.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(listed).toHaveLength(COUNT - expiredCount + 3);
      expect(new Set(listed).size).toBe(listed.length);
      expect(await repo().findByName(f.tenant, 'alice', tokens[0]!.name)).toMatchObject({ id: reusedExpired.id });
    });
  });
}
