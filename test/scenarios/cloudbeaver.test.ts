/**
 * CloudBeaver's API access tokens, on the token service: only administrators
 * create tokens, each for themself, at most five at a time; the expiration
 * period is one of 1 day, 1 week, 1 month, 1 year or none; a token is shown
 * once and logs in until it is deleted (SPEC §4; seed 003).
 * In the harness alice is an administrator and analyst is not.
 */
import { describe, expect, it } from 'vitest';
import { ALICE, ANALYST, makeHarness } from '../support/service.js';
import { codeOf, DAY, errorOf, expectNoSecret } from './support.js';

const CLOUDBEAVER = { creation: 'admins', maxTokensPerUser: 5 } as const;

function cloudbeaver(allowNoExpiry = false) {
  return makeHarness({ policy: { ...CLOUDBEAVER, allowNoExpiry } });
}

describe('CloudBeaver: tokens are for administrators only', () => {
  it('a user who is not an administrator cannot create a token, for themself or anyone', async () => {
    const { service } = cloudbeaver();
    expect(await codeOf(service.issue({ name: 'graphql' }, ANALYST))).toBe('forbidden');
    expect(await codeOf(service.issue({ type: 'limited', name: 'graphql' }, ANALYST))).toBe('forbidden');
    expect((await service.list({ owner: 'analyst', hideRevoked: false, hideExpired: false }, ALICE)).items).toEqual([]);
  });

  it('an administrator creates their own token and logs in with it', async () => {
    const { service } = cloudbeaver();
    const { token, info } = await service.issue({ name: 'graphql', ttl: '1w' }, ALICE);
    // authLogin(provider: "token"): the token identifies its user.
    const principal = await service.verify(token);
    expect(principal).toMatchObject({ owner: 'alice', tokenId: info.id });
    // It is displayed only once, at creation.
    expectNoSecret(await service.list({}, ALICE), token);
  });
});

describe('CloudBeaver: at most 5 tokens per user', () => {
  it('the sixth token is refused with limit_exceeded; deleting one frees a slot', async () => {
    const { service } = cloudbeaver();
    const five = [];
    for (let index = 1; index <= 5; index++) five.push(await service.issue({ name: `token-${index}` }, ALICE));
    const error = await errorOf(service.issue({ name: 'token-6' }, ALICE));
    expect(error.code).toBe('limit_exceeded');
    expect(error.details.limit).toBe(5);
    expect((await service.list({}, ALICE)).items).toHaveLength(5);

    // Delete icon → confirm: the token stops working and a slot is free.
    await service.revoke(five[0]!.info.id, ALICE);
    expect(await codeOf(service.verify(five[0]!.token))).toBe('token_revoked');
    await expect(service.issue({ name: 'token-6' }, ALICE)).resolves.toBeDefined();
    expect(await codeOf(service.issue({ name: 'token-7' }, ALICE))).toBe('limit_exceeded');
  });

  it('15 concurrent creations leave exactly 5 tokens', async () => {
    const { service } = cloudbeaver();
    const results = await Promise.allSettled(
      Array.from({ length: 15 }, (_, index) => service.issue({ name: `parallel-${index}` }, ALICE)),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(5);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'limit_exceeded' });
    }
    expect((await service.list({ hideRevoked: false, hideExpired: false }, ALICE)).items).toHaveLength(5);
  });

  it('expired tokens no longer take a slot', async () => {
    const { service, clock } = cloudbeaver();
    for (let index = 1; index <= 5; index++) await service.issue({ name: `daily-${index}`, ttl: '1d' }, ALICE);
    expect(await codeOf(service.issue({ name: 'one-more' }, ALICE))).toBe('limit_exceeded');
    clock.advance(DAY);
    await expect(service.issue({ name: 'one-more' }, ALICE)).resolves.toBeDefined();
  });

  it('the limit is per user: another administrator has their own five', async () => {
    const { service, users } = cloudbeaver();
    users.acme!.carol = { admin: true };
    const carol = { tenant: 'acme', user: 'carol' };
    for (let index = 1; index <= 5; index++) await service.issue({ name: `a-${index}` }, ALICE);
    for (let index = 1; index <= 5; index++) await service.issue({ name: `c-${index}` }, carol);
    expect(await codeOf(service.issue({ name: 'c-6' }, carol))).toBe('limit_exceeded');
  });
});

describe('CloudBeaver: expiration period', () => {
  it.each([
    ['1 day', '1d', DAY],
    ['1 week', '1w', 7 * DAY],
    ['1 month', '30d', 30 * DAY],
    ['1 year', '1y', 365 * DAY],
  ])('%s', async (_label, ttl, ms) => {
    const { service, clock } = cloudbeaver();
    const { token, info } = await service.issue({ name: 'graphql', ttl }, ALICE);
    expect(info.expiresAt?.getTime()).toBe(clock.now() + ms);
    clock.advance(ms - 1);
    await expect(service.verify(token)).resolves.toBeDefined();
    clock.advance(1);
    expect(await codeOf(service.verify(token))).toBe('token_expired');
  });

  it('no expiration, where the configuration allows it', async () => {
    const { service, clock } = cloudbeaver(true);
    const { token, info } = await service.issue({ name: 'forever', ttl: null }, ALICE);
    expect(info.expiresAt).toBeNull();
    clock.advance(5 * 365 * DAY);
    expect((await service.verify(token)).expiresAt).toBeNull();
  });

  it('no expiration is refused by the default configuration', async () => {
    const { service } = cloudbeaver();
    expect(await codeOf(service.issue({ name: 'forever', ttl: null }, ALICE))).toBe('duration_exceeds_policy');
    expect((await service.list({}, ALICE)).items).toEqual([]);
  });
});
