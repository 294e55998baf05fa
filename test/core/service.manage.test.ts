import { describe, expect, it } from 'vitest';
import type { TokenError } from '../../src/core/errors.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { codeOf } from '../support/errors.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';

const DAY = 86_400_000;

describe('rotate', () => {
  it('keeps id, name, grants and expiry; the old secret dies at once', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({ name: 'etl', ttl: '30d', grants: [{ scope: 'reports' }] }, ANALYST);
    h.clock.advance(DAY);
    const rotated = await h.service.rotate(issued.info.id, ANALYST);
    expect(rotated.token).not.toBe(issued.token);
    expect(rotated.info).toMatchObject({ id: issued.info.id, name: 'etl', grants: issued.info.grants });
    expect(rotated.info.expiresAt).toEqual(issued.info.expiresAt);
    expect(rotated.info.rotatedAt?.getTime()).toBe(h.clock.now());
    expect(await codeOf(h.service.verify(issued.token))).toBe('token_invalid');
    expect((await h.service.verify(rotated.token)).tokenId).toBe(issued.info.id);
  });

  it('keeps the old secret for the grace period, never past the original expiry', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({ ttl: '2h' }, ANALYST);
    const rotated = await h.service.rotate(issued.info.id, ANALYST, { gracePeriod: '1h' });
    h.clock.advance(3_599_000);
    await expect(h.service.verify(issued.token)).resolves.toBeDefined();
    h.clock.advance(1_000);
    expect(await codeOf(h.service.verify(issued.token))).toBe('token_invalid');
    await expect(h.service.verify(rotated.token)).resolves.toBeDefined();

    const short = await h.service.issue({ ttl: '10m' }, ANALYST);
    await h.service.rotate(short.info.id, ANALYST, { gracePeriod: '1d' });
    const stored = await h.repository.findById(short.info.id);
    expect(stored?.previousExpiresAt).toBe(stored?.expiresAt);
  });

  it('has exactly one winner among concurrent rotations', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({}, ANALYST);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => h.service.rotate(issued.info.id, ANALYST)),
    );
    const winners = results.filter((result) => result.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect((result.reason as TokenError).code).toBe('conflict');
    }
    const live = await Promise.allSettled(
      results.map((result) =>
        result.status === 'fulfilled' ? h.service.verify(result.value.token) : Promise.reject(),
      ),
    );
    expect(live.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it('refuses revoked and expired tokens, and other users’ tokens', async () => {
    const h = makeHarness();
    const revoked = await h.service.issue({}, ANALYST);
    await h.service.revoke(revoked.info.id, ANALYST);
    expect(await codeOf(h.service.rotate(revoked.info.id, ANALYST))).toBe('conflict');
    const expiring = await h.service.issue({ ttl: '1m' }, ANALYST);
    h.clock.advance(60_000);
    expect(await codeOf(h.service.rotate(expiring.info.id, ANALYST))).toBe('conflict');
    const other = await h.service.issue({}, ANALYST);
    expect(await codeOf(h.service.rotate(other.info.id, BOB))).toBe('not_found');
    await expect(h.service.rotate(other.info.id, ALICE)).resolves.toBeDefined();
    expect(await codeOf(h.service.rotate(other.info.id, ANALYST, { gracePeriod: 'never' }))).toBe('invalid_request');
  });
});

describe('revoke, revokeAll, removeUser', () => {
  it('revokes at once; again is harmless; masters refuse', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({}, BOB);
    const info = await h.service.revoke(issued.info.id, BOB);
    expect(info.status).toBe('revoked');
    expect((await h.service.revoke(issued.info.id, BOB)).revokedAt).toEqual(info.revokedAt);
    const master = await h.service.ensureMasterToken(BOB);
    expect(await codeOf(h.service.revoke(master.info.id, ALICE))).toBe('forbidden');
  });

  it('revokes all of a user’s tokens but the master; removeUser takes the master too', async () => {
    const h = makeHarness();
    const master = await h.service.ensureMasterToken(BOB);
    if (!master.created) throw new Error('expected a master');
    const tokens = await Promise.all([
      h.service.issue({}, BOB),
      h.service.issue({}, BOB),
      h.service.issue({}, ANALYST),
    ]);
    expect(await codeOf(h.service.revokeAll({ user: 'analyst' }, BOB))).toBe('forbidden');
    expect(await h.service.revokeAll({ user: 'bob' }, BOB)).toBe(2);
    expect(await codeOf(h.service.verify(tokens[0].token))).toBe('token_revoked');
    await expect(h.service.verify(tokens[2].token)).resolves.toBeDefined();
    await expect(h.service.verify(master.token)).resolves.toBeDefined();
    expect(await codeOf(h.service.removeUser({ user: 'bob' }, BOB))).toBe('forbidden');
    expect(await h.service.removeUser({ user: 'bob' }, ALICE)).toBe(1);
    expect(await codeOf(h.service.verify(master.token))).toBe('token_revoked');
  });
});

describe('list and get', () => {
  it('shows users their own tokens, hiding expired and revoked unless asked', async () => {
    const h = makeHarness();
    const live = await h.service.issue({ name: 'live' }, BOB);
    const expiring = await h.service.issue({ name: 'expiring', ttl: '1h' }, BOB);
    const revoked = await h.service.issue({ name: 'revoked' }, BOB);
    await h.service.issue({ name: 'theirs' }, ANALYST);
    await h.service.revoke(revoked.info.id, BOB);
    h.clock.advance(2 * 3_600_000);
    const names = async (filter: object) => (await h.service.list(filter, BOB)).items.map((item) => item.name);
    expect(await names({})).toEqual(['live']);
    expect(await names({ hideExpired: false })).toEqual(['expiring', 'live']);
    expect(await names({ hideExpired: false, hideRevoked: false })).toEqual(['revoked', 'expiring', 'live']);
    expect(await names({ hideRevoked: false })).toEqual(['revoked', 'live']);
    expect((await h.service.get(expiring.info.id, BOB)).status).toBe('expired');
    expect((await h.service.get({ owner: 'bob', name: 'live' }, BOB)).id).toBe(live.info.id);
  });

  it('lets admins list a user’s tokens (FOR USER) or the whole tenant; users cannot', async () => {
    const h = makeHarness();
    await h.service.issue({}, BOB);
    await h.service.issue({}, ANALYST);
    await h.service.issue({ type: 'administrative' }, ALICE);
    expect((await h.service.list({ owner: 'bob' }, ALICE)).items).toHaveLength(1);
    expect((await h.service.list({ all: true }, ALICE)).items).toHaveLength(3);
    expect((await h.service.list({ owner: null }, ALICE)).items.map((item) => item.type)).toEqual(['administrative']);
    expect(await codeOf(h.service.list({ owner: 'analyst' }, BOB))).toBe('forbidden');
    expect(await codeOf(h.service.list({ all: true }, BOB))).toBe('forbidden');
    expect(await codeOf(h.service.list({ owner: null }, BOB))).toBe('forbidden');
  });

  it('pages through every token exactly once', async () => {
    const h = makeHarness();
    const ids = new Set<string>();
    for (let i = 0; i < 23; i++) {
      ids.add((await h.service.issue({}, BOB)).info.id);
      h.clock.advance(i % 3 === 0 ? 0 : 1000);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof h.service.list>> = await h.service.list({ limit: 5, cursor }, BOB);
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(23);
    expect(new Set(seen)).toEqual(ids);
    expect(await codeOf(h.service.list({ limit: 0 }, BOB))).toBe('invalid_request');
    expect(await codeOf(h.service.list({ limit: 5, cursor: 'garbage!' }, BOB))).toBe('invalid_request');
  });

  it('hides tokens of other users and tenants behind not_found', async () => {
    const h = makeHarness();
    const analysts = await h.service.issue({}, ANALYST);
    expect(await codeOf(h.service.get(analysts.info.id, BOB))).toBe('not_found');
    expect(await codeOf(h.service.get(analysts.info.id, { tenant: 'globex', user: 'gina' }))).toBe('not_found');
    expect(await codeOf(h.service.get('not-an-id', BOB))).toBe('invalid_request');
    expect(await codeOf(h.service.get('01JD3Z6Q9X8K7M5N4P3R2S1T0V', BOB))).toBe('not_found');
  });
});

describe('updateComment', () => {
  it('changes only the comment', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({ comment: 'old', ttl: '10d' }, BOB);
    const updated = await h.service.updateComment(issued.info.id, 'Перенесен на новый раннер', BOB);
    expect(updated.comment).toBe('Перенесен на новый раннер');
    expect({ ...updated, comment: 'old' }).toEqual(issued.info);
    await expect(h.service.verify(issued.token)).resolves.toBeDefined();
  });

  it('refuses master tokens, revoked tokens and bad comments', async () => {
    const h = makeHarness();
    const master = await h.service.ensureMasterToken(BOB);
    expect(await codeOf(h.service.updateComment(master.info.id, 'x', BOB))).toBe('forbidden');
    const issued = await h.service.issue({}, BOB);
    expect(await codeOf(h.service.updateComment(issued.info.id, 'x'.repeat(1001), BOB))).toBe('invalid_request');
    await h.service.revoke(issued.info.id, BOB);
    expect(await codeOf(h.service.updateComment(issued.info.id, 'x', BOB))).toBe('conflict');
  });
});

describe('master tokens', () => {
  it('creates exactly one per user even under 20 concurrent calls, returning the secret only to the creator', async () => {
    const h = makeHarness();
    const results = await Promise.all(Array.from({ length: 20 }, () => h.service.ensureMasterToken(ANALYST)));
    const created = results.filter((result) => result.created);
    expect(created).toHaveLength(1);
    expect(new Set(results.map((result) => result.info.id)).size).toBe(1);
    for (const result of results) if (!result.created) expect('token' in result).toBe(false);
    expect(await codeOf(h.service.ensureMasterToken({ tenant: 'acme', user: 'nobody' }))).toBe('not_found');
  });

  it('can be rotated but not shared', async () => {
    const h = makeHarness();
    const master = await h.service.ensureMasterToken(ANALYST);
    const rotated = await h.service.rotate(master.info.id, ANALYST);
    expect((await h.service.verify(rotated.token)).type).toBe('master');
    expect(await codeOf(h.service.share(master.info.id, ANALYST))).toBe('forbidden');
  });
});

describe('share and claim', () => {
  it('hands out a single-use code, never the token; claiming rotates and returns the secret once', async () => {
    const h = makeHarness();
    const issued = await h.service.issue(
      { type: 'limited', grants: [{ bucket: 'in.c-csv-import', access: 'read' }] },
      ANALYST,
    );
    const shared = await h.service.share(issued.info.id, ANALYST, { ttl: '1d' });
    expect(shared.code).toMatch(/^acme_claim_[0-9A-Za-z]{40}$/);
    expect(shared.code).not.toContain(issued.token.slice(33, 63));
    const claimed = await h.service.claim(shared.code);
    expect(claimed.info.id).toBe(issued.info.id);
    expect(await codeOf(h.service.verify(issued.token))).toBe('token_invalid');
    await expect(h.service.verify(claimed.token)).resolves.toBeDefined();
    expect(await codeOf(h.service.claim(shared.code))).toBe('not_found');
  });

  it('gives exactly one of 20 concurrent claims the token', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({}, ANALYST);
    const { code } = await h.service.share(issued.info.id, ANALYST);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => h.service.claim(code)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it('expires codes, refuses junk codes and revoked tokens', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({}, ANALYST);
    const expiring = await h.service.share(issued.info.id, ANALYST, { ttl: '1h' });
    h.clock.advance(3_600_000);
    expect(await codeOf(h.service.claim(expiring.code))).toBe('not_found');
    expect(await codeOf(h.service.claim('acme_claim_short'))).toBe('invalid_request');
    expect(await codeOf(h.service.claim(42 as never))).toBe('invalid_request');
    const pending = await h.service.share(issued.info.id, ANALYST);
    await h.service.revoke(issued.info.id, ANALYST);
    expect(await codeOf(h.service.claim(pending.code))).toBe('token_revoked');
  });
});

describe('events, retention and purge', () => {
  it('records lifecycle events automatically and app operations on request, newest first', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({}, ANALYST);
    h.clock.advance(1000);
    await h.service.updateComment(issued.info.id, 'note', ANALYST);
    h.clock.advance(1000);
    const principal = await h.service.verify(issued.token);
    await h.service.record(principal, 'GET /buckets', { status: 200 });
    h.clock.advance(1000);
    const rotated = await h.service.rotate(issued.info.id, ANALYST);
    h.clock.advance(1000);
    await h.service.share(issued.info.id, ANALYST);
    h.clock.advance(1000);
    await h.service.revoke(issued.info.id, ALICE);
    const { items } = await h.service.events(issued.info.id, ANALYST);
    expect(items.map((event) => [event.type, event.actor])).toEqual([
      ['revoked', 'user:alice'],
      ['shared', 'user:analyst'],
      ['rotated', 'user:analyst'],
      ['used', `token:${issued.info.id}`],
      ['comment_updated', 'user:analyst'],
      ['issued', 'user:analyst'],
    ]);
    expect(items[3]).toMatchObject({ operation: 'GET /buckets', detail: { status: 200 } });
    // Times are Dates, like every time the service answers (the store keeps epoch milliseconds).
    expect(items.map((event) => event.at)).toEqual(items.map(() => expect.any(Date)));
    expect(items[0]!.at.getTime()).toBe(h.clock.now());
    expect(JSON.stringify(items)).not.toContain(rotated.token.slice(33, 63));
    expect(await codeOf(h.service.events(issued.info.id, BOB))).toBe('not_found');
  });

  it('validates recorded operations and refuses foreign principals', async () => {
    const h = makeHarness();
    const principal = await h.service.verify((await h.service.issue({}, BOB)).token);
    expect(await codeOf(h.service.record(principal, ''))).toBe('invalid_request');
    expect(await codeOf(h.service.record(principal, 'op', { big: 'x'.repeat(5000) }))).toBe('invalid_request');
    expect(await codeOf(h.service.record({ ...principal }, 'op'))).toBe('invalid_request');
  });

  it('prunes events older than the retention (six months by default)', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({}, BOB);
    h.clock.advance(100 * DAY);
    await h.service.updateComment(issued.info.id, 'later', BOB);
    h.clock.advance(90 * DAY);
    expect(await h.service.pruneEvents()).toBe(1);
    expect((await h.service.events(issued.info.id, BOB)).items.map((event) => event.type)).toEqual(['comment_updated']);
  });

  // Outside review, issue 12: a store that throws before returning its promise.
  it('answers a store that throws at once with a rejection (unavailable), never a thrown exception', async () => {
    const throwing = () => {
      throw new Error('connection refused');
    };
    const repository = {
      ...memoryRepository(),
      purgeExpired: throwing,
      pruneEvents: throwing,
      refillCredits: throwing,
    };
    const h = makeHarness({ repository });
    for (const call of [
      () => h.service.purgeExpired(),
      () => h.service.pruneEvents(),
      () => h.service.refillCredits(),
    ]) {
      let answer: Promise<number> | undefined;
      expect(() => {
        answer = call();
      }).not.toThrow();
      await expect(answer).rejects.toMatchObject({ code: 'unavailable' });
    }
  });

  it('purges tokens only after they have been expired for the grace window', async () => {
    const h = makeHarness({ policy: { purgeAfter: '7d' } });
    const issued = await h.service.issue({ ttl: '1d' }, BOB);
    const kept = await h.service.issue({ ttl: '30d' }, BOB);
    h.clock.advance(7 * DAY);
    expect(await h.service.purgeExpired()).toBe(0);
    h.clock.advance(DAY + 1);
    expect(await h.service.purgeExpired()).toBe(1);
    expect(await codeOf(h.service.get(issued.info.id, BOB))).toBe('not_found');
    await expect(h.service.get(kept.info.id, BOB)).resolves.toBeDefined();
  });
});
