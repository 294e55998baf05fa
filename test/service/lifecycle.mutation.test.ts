/**
 * Share, claim, rotate and session exchange at their edges (issue 15):
 * exact expiry times, the events they write, claim codes of every wrong
 * shape, claim codes hashed under an older pepper, session lengths equal to
 * and above the maximum.
 */
import { describe, expect, it } from 'vitest';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { codeOf } from '../support/errors.js';
import { rejectionOf } from '../support/refusal.js';
import { ALICE, ANALYST, makeHarness, TEST_PEPPER } from '../support/service.js';
import { plainCodec } from './plain-codec.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('share', () => {
  it('a code lives for the claim time (7 days by default) at most, never past the token', async () => {
    const h = makeHarness();
    const long = await h.service.issue({ ttl: '30d' }, ANALYST);
    const short = await h.service.issue({ ttl: '1d' }, ANALYST);
    const at = h.clock.now();
    expect((await h.service.share(long.info.id, ANALYST)).expiresAt.getTime()).toBe(at + 7 * DAY);
    expect((await h.service.share(long.info.id, ANALYST, { ttl: '2h' })).expiresAt.getTime()).toBe(at + 2 * HOUR);
    expect((await h.service.share(long.info.id, ANALYST, { ttl: '7d' })).expiresAt.getTime()).toBe(at + 7 * DAY);
    // Above claimTtl: refused like any lifetime above its limit, never shortened.
    expect(await rejectionOf(h.service.share(long.info.id, ANALYST, { ttl: '60d' }))).toEqual({
      code: 'duration_exceeds_policy',
      field: 'ttl',
    });
    expect((await h.service.share(short.info.id, ANALYST, { ttl: '3d' })).expiresAt.getTime()).toBe(at + DAY);
    const events = (await h.service.events(short.info.id, ANALYST)).items;
    expect(events[0]).toMatchObject({
      type: 'shared',
      actor: 'user:analyst',
      detail: { expiresAt: new Date(at + DAY).toISOString() },
    });
  });

  it('refuses expired and revoked tokens (conflict), bad options naming them', async () => {
    const h = makeHarness();
    const short = await h.service.issue({ ttl: '1h' }, ANALYST);
    const revoked = await h.service.issue({}, ANALYST);
    await h.service.revoke(revoked.info.id, ANALYST);
    expect(await codeOf(h.service.share(revoked.info.id, ANALYST))).toBe('conflict');
    h.clock.advance(HOUR);
    expect(await codeOf(h.service.share(short.info.id, ANALYST))).toBe('conflict');
    expect(await rejectionOf(h.service.share(revoked.info.id, ANALYST, { ttl: '0d' }))).toEqual({
      code: 'invalid_request',
      field: 'ttl',
    });
    expect(await rejectionOf(h.service.share(revoked.info.id, ANALYST, { expires: '1d' } as never))).toEqual({
      code: 'invalid_request',
      field: 'options.expires',
    });
  });
});

describe('claim', () => {
  it.each([
    ['another prefix', (code: string) => code.replace(/^acme/, 'other')],
    ['one character more', (code: string) => `${code}a`],
    ['one character less', (code: string) => code.slice(0, -1)],
    ['a space before', (code: string) => ` ${code}`],
    ['a dash inside', (code: string) => `${code.slice(0, -1)}-`],
    ['a token instead', () => 'acme_p_01JD3Z6Q9X8K7M5N4P3R2S1T0V'],
  ])('refuses a code with %s naming code', async (_label, spoil) => {
    const h = makeHarness();
    const issued = await h.service.issue({}, ANALYST);
    const { code } = await h.service.share(issued.info.id, ANALYST);
    expect(await rejectionOf(h.service.claim(spoil(code)))).toEqual({ code: 'invalid_request', field: 'code' });
    // The real code still works: the refusals consumed nothing.
    await expect(h.service.claim(code)).resolves.toBeDefined();
  });

  it('a well-formed unknown code, or one whose token has expired, is not_found', async () => {
    const h = makeHarness();
    expect(await codeOf(h.service.claim(`acme_claim_${'a'.repeat(40)}`))).toBe('not_found');
    const issued = await h.service.issue({ ttl: '1h' }, ANALYST);
    const { code } = await h.service.share(issued.info.id, ANALYST, { ttl: '1d' });
    h.clock.advance(HOUR);
    // The code ends with the token (its expiry is capped by the token's), so it is simply gone.
    expect(await codeOf(h.service.claim(code))).toBe('not_found');
  });

  it('records the claim as done by the sharer, and answers the token as it is now', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({}, ANALYST);
    const { code } = await h.service.share(issued.info.id, ANALYST);
    h.clock.advance(MINUTE);
    const claimed = await h.service.claim(code);
    expect(claimed.info.rotatedAt?.getTime()).toBe(h.clock.now());
    const [latest] = (await h.service.events(issued.info.id, ANALYST)).items;
    expect(latest).toMatchObject({ type: 'claimed', actor: 'claim:user:analyst', detail: null });
  });

  it('a code shared under an older pepper is still claimed after the pepper rotates', async () => {
    const repository = memoryRepository();
    const before = makeHarness({ repository });
    const issued = await before.service.issue({}, ANALYST);
    const { code } = await before.service.share(issued.info.id, ANALYST);
    const after = makeHarness({
      repository,
      pepper: { current: 2, peppers: { 1: TEST_PEPPER, 2: `${TEST_PEPPER}-two` } },
    });
    const claimed = await after.service.claim(code);
    expect(claimed.info.id).toBe(issued.info.id);
    await expect(after.service.verify(claimed.token)).resolves.toMatchObject({ tokenId: issued.info.id });
  });
});

describe('rotate', () => {
  it('without a grace period keeps no old secret and records no detail', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({}, ANALYST);
    await h.service.rotate(issued.info.id, ANALYST);
    const stored = await h.repository.findById(issued.info.id);
    expect(stored).toMatchObject({ previousSecretHash: null, previousPepperVersion: null, previousExpiresAt: null });
    const [latest] = (await h.service.events(issued.info.id, ANALYST)).items;
    expect(latest).toMatchObject({ type: 'rotated', detail: null });
  });

  it('with one keeps the old secret until then, and records it', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({ ttl: '30d' }, ANALYST);
    const before = await h.repository.findById(issued.info.id);
    await h.service.rotate(issued.info.id, ANALYST, { gracePeriod: '90m' });
    const stored = await h.repository.findById(issued.info.id);
    expect(stored).toMatchObject({
      previousSecretHash: before?.secretHash,
      previousPepperVersion: before?.pepperVersion,
      previousExpiresAt: h.clock.now() + 90 * MINUTE,
    });
    const [latest] = (await h.service.events(issued.info.id, ANALYST)).items;
    expect(latest).toMatchObject({ type: 'rotated', detail: { gracePeriod: '90m' } });
    expect(await rejectionOf(h.service.rotate(issued.info.id, ANALYST, { gracePeriod: 'soon' }))).toEqual({
      code: 'invalid_request',
      field: 'gracePeriod',
    });
  });

  it('the old secret stops at the end of the grace period, to the millisecond', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({}, ANALYST);
    await h.service.rotate(issued.info.id, ANALYST, { gracePeriod: '1h' });
    h.clock.advance(HOUR - 1);
    await expect(h.service.verify(issued.token)).resolves.toBeDefined();
    h.clock.advance(1);
    expect(await codeOf(h.service.verify(issued.token))).toBe('token_invalid');
  });
});

describe('session exchange', () => {
  it('is refused when sessions are not configured', async () => {
    const h = makeHarness();
    const issued = await h.service.issue({}, ANALYST);
    expect(await rejectionOf(h.service.exchange(issued.token))).toEqual({ code: 'invalid_request', field: 'sessions' });
  });

  it('lasts the default, or what is asked up to the maximum, never past its parent', async () => {
    const h = makeHarness({ sessions: { codec: plainCodec, defaultTtl: '10m', maxTtl: '1h' } });
    const issued = await h.service.issue({ ttl: '30m' }, ANALYST);
    const at = h.clock.now();
    expect((await h.service.exchange(issued.token)).expiresAt.getTime()).toBe(at + 10 * MINUTE);
    const longest = await h.service.exchange((await h.service.issue({}, ANALYST)).token, { ttl: '1h' });
    expect(longest.expiresAt.getTime()).toBe(at + HOUR);
    expect((await h.service.exchange(issued.token, { ttl: '1h' })).expiresAt.getTime()).toBe(at + 30 * MINUTE);
    const session = await h.service.exchange(issued.token);
    expect(session.parentId).toBe(issued.info.id);
    await expect(h.service.verify(session.token)).resolves.toMatchObject({
      tokenId: issued.info.id,
      session: { id: session.sessionId },
    });
  });

  it('refuses a length above the maximum naming the limit, and sessions made from sessions', async () => {
    const h = makeHarness({ sessions: { codec: plainCodec, maxTtl: '1h' } });
    const issued = await h.service.issue({}, ANALYST);
    try {
      await h.service.exchange(issued.token, { ttl: '61m' });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'duration_exceeds_policy', details: { field: 'ttl', limit: HOUR } });
    }
    const session = await h.service.exchange(issued.token);
    expect(await rejectionOf(h.service.exchange(session.token))).toEqual({ code: 'invalid_request', field: 'token' });
    expect(await rejectionOf(h.service.exchange(issued.token, { length: '1m' } as never))).toEqual({
      code: 'invalid_request',
      field: 'options.length',
    });
  });

  it('refuses verification tokens, and ends when the parent is rotated', async () => {
    const secret = 'verification-secret-0123456789';
    const h = makeHarness({ sessions: { codec: plainCodec }, verificationTokens: [{ secret, tenant: 'acme' }] });
    expect(await codeOf(h.service.exchange(secret))).toBe('forbidden');
    const issued = await h.service.issue({}, ALICE);
    const session = await h.service.exchange(issued.token);
    await h.service.rotate(issued.info.id, ALICE);
    expect(await codeOf(h.service.verify(session.token))).toBe('token_revoked');
  });
});
