/** @internal Conformance: `appendEvent`, `listEvents` and `pruneEvents`. */

import type { TokenEvent } from '../../core/types.js';
import type { ContractContext } from '../context.js';
import { expect } from '../expect.js';
import { expectTokenError, T0 } from '../fixtures.js';

export function eventsContract({ repo, fx, describe, it }: ContractContext): void {
  describe('events', () => {
    it('lists a token’s events newest first, ties broken by id, with their detail', async () => {
      const f = fx();
      const tokenId = f.id();
      const a = f.event(tokenId, { at: T0 + 2, type: 'used', operation: 'GET /buckets', detail: { ip: '10.0.0.1' } });
      const b = f.event(tokenId, { at: T0 + 1 });
      const c = f.event(tokenId, {
        at: T0 + 2,
        type: 'rotated',
        operation: 'rotated',
        detail: { gracePeriod: 60_000, nested: { list: [1, 'two', true, null] } },
      });
      const foreign = f.event(f.id(), { at: T0 + 3 });
      for (const event of [b, c, foreign, a]) await repo().appendEvent(event);
      const page = await repo().listEvents({ tokenId, limit: 10 });
      expect(page).toEqual({ items: [c, a, b], nextCursor: null });
      expect(await repo().listEvents({ tokenId: f.id(), limit: 10 })).toEqual({ items: [], nextCursor: null });
    });

    it('pages through events with cursors, each exactly once', async () => {
      const f = fx();
      const tokenId = f.id();
      const events: TokenEvent[] = Array.from({ length: 11 }, (_, i) =>
        f.event(tokenId, { at: T0 + Math.floor(i / 2) }),
      );
      for (const event of events) await repo().appendEvent(event);
      const seen: TokenEvent[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: TokenEvent[]; nextCursor: string | null } = await repo().listEvents({
          tokenId,
          limit: 4,
          cursor,
        });
        seen.push(...page.items);
        sizes.push(page.items.length);
        cursor = page.nextCursor;
      } while (cursor !== null && sizes.length < 100);
      expect(sizes).toEqual([4, 4, 3]);
      expect(seen).toEqual([...events].reverse());
    });

    it('refuses a cursor it did not make', async () => {
      const error = await expectTokenError(
        repo().listEvents({ tokenId: fx().id(), limit: 10, cursor: 'not a cursor!' }),
        'invalid_request',
      );
      expect(error.details.field).toBe('cursor');
    });

    it('prunes events older than the instant and reports how many', async () => {
      const f = fx();
      const tokenId = f.id();
      const old = f.event(tokenId, { at: T0 });
      const boundary = f.event(tokenId, { at: T0 + 10 });
      const recent = f.event(tokenId, { at: T0 + 20 });
      const otherOld = f.event(f.id(), { at: T0 + 5 });
      for (const event of [old, boundary, recent, otherOld]) await repo().appendEvent(event);
      expect(await repo().pruneEvents(T0 + 10)).toBe(2);
      expect((await repo().listEvents({ tokenId, limit: 10 })).items).toEqual([recent, boundary]);
      expect((await repo().listEvents({ tokenId: otherOld.tokenId, limit: 10 })).items).toEqual([]);
      expect(await repo().pruneEvents(T0 + 10)).toBe(0);
    });
  });
}
