/**
 * Tengri's "Creating and managing API tokens" walkthrough, end to end, on the
 * token service: CREATE / SHOW / ALTER / DROP API TOKEN, DROP ALL … FOR USER,
 * ALTER USER|ROLE … SET API TOKEN MAX DURATION, and FOR USER for admins.
 * In the harness, alice is an admin and analyst holds the role
 * service_accounts (SPEC §4, §5; seed 002).
 */
import { describe, expect, it } from 'vitest';
import { looksLikeToken } from '../../src/core/format.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';
import { startGateway } from './gateway.js';
import { codeOf, DAY, errorOf, expectNoSecret, HOUR, names } from './support.js';

const CI_COMMENT = 'Токен для сборочного конвейера';

describe('Tengri: issuing a token', () => {
  it("CREATE API TOKEN ci_pipeline MAX DURATION '30d' COMMENT …: named, commented, valid for 30 days", async () => {
    const { service, clock } = makeHarness();
    const { token, info } = await service.issue({ name: 'ci_pipeline', ttl: '30d', comment: CI_COMMENT }, ANALYST);
    expect(looksLikeToken(token)).toBe(true);
    expect(info).toMatchObject({ name: 'ci_pipeline', comment: CI_COMMENT, owner: 'analyst', status: 'active' });
    expect(info.expiresAt?.getTime()).toBe(clock.now() + 30 * DAY);
  });

  it('CREATE API TOKEN with neither name nor expiry: the system names it and gives it 365 days', async () => {
    const { service, clock } = makeHarness();
    const first = await service.issue({}, ANALYST);
    const second = await service.issue({}, ANALYST);
    expect(first.info.name.length).toBeGreaterThan(0);
    expect(second.info.name).not.toBe(first.info.name);
    expect(first.info.expiresAt?.getTime()).toBe(clock.now() + 365 * DAY);
  });

  it('the token value is shown once: SHOW and lookups never return it, and the info has no secret field', async () => {
    const { service } = makeHarness();
    const { token, info } = await service.issue({ name: 'ci_pipeline', ttl: '30d', comment: CI_COMMENT }, ANALYST);
    expectNoSecret(info, token);
    expectNoSecret(await service.list({}, ANALYST), token);
    expectNoSecret(await service.get(info.id, ANALYST), token);
    expectNoSecret(await service.get({ owner: 'analyst', name: 'ci_pipeline' }, ALICE), token);
    expectNoSecret(await service.events(info.id, ANALYST), token);
  });
});

describe('Tengri: using the token', () => {
  it('as a Bearer token it acts for the user who issued it, with all their privileges', async () => {
    const { service, users } = makeHarness();
    const { token } = await service.issue({ name: 'ci_pipeline', ttl: '30d' }, ANALYST);
    const principal = await service.verify(token, { tenant: 'acme' });
    expect(principal).toMatchObject({ owner: 'analyst', name: 'ci_pipeline', type: 'personal', tenant: 'acme' });
    // The analyst's own grants: the reports scope and write access to the import bucket.
    expect(principal.can({ scope: 'reports' })).toBe(true);
    expect(principal.can({ bucket: 'in.c-csv-import', access: 'write' })).toBe(true);
    expect(principal.can({ bucket: 'out.c-main', access: 'read' })).toBe(false);
    // It inherits the user's privileges as they are at each use, not as they were at issue.
    users.acme!.analyst!.grants = [{ scope: 'reports' }];
    expect((await service.verify(token)).can({ bucket: 'in.c-csv-import', access: 'write' })).toBe(false);
  });
});

describe('Tengri: the HTTP gateway', () => {
  it('takes the token from Authorization: Bearer or from the auth_token cookie, until it is dropped', async () => {
    const { service } = makeHarness();
    const { token } = await service.issue({ name: 'ci_pipeline', ttl: '30d' }, ANALYST);
    const gateway = await startGateway(service, { cookie: 'auth_token' });
    try {
      const asAnalyst = { status: 200, challenge: null, body: expect.objectContaining({ owner: 'analyst' }) };
      expect(await gateway.whoami({ authorization: `Bearer ${token}` })).toEqual(asAnalyst);
      expect(await gateway.whoami({ cookie: `theme=dark; auth_token=${token}` })).toEqual(asAnalyst);
      // Without a token the gateway asks for one; a dropped token is refused as invalid.
      expect((await gateway.whoami({})).status).toBe(401);
      await service.revoke({ owner: 'analyst', name: 'ci_pipeline' }, ANALYST);
      const refused = await gateway.whoami({ authorization: `Bearer ${token}` });
      expect(refused.status).toBe(401);
      expect(refused.challenge).toContain('error="invalid_token"');
      expect(JSON.stringify(refused)).not.toContain(token.slice(-30));
    } finally {
      await gateway.close();
    }
  });
});

describe('Tengri: SHOW, ALTER, DROP', () => {
  it('SHOW API TOKENS lists the current user’s tokens only', async () => {
    const { service } = makeHarness();
    await service.issue({ name: 'ci_pipeline', ttl: '30d', comment: CI_COMMENT }, ANALYST);
    await service.issue({ name: 'notebook' }, ANALYST);
    await service.issue({ name: 'bobs' }, BOB);
    const shown = await service.list({}, ANALYST);
    expect(names(shown.items)).toEqual(['ci_pipeline', 'notebook']);
    expect(shown.items.find((info) => info.name === 'ci_pipeline')?.comment).toBe(CI_COMMENT);
  });

  it('ALTER API TOKEN … SET COMMENT changes the comment only: same value, same expiry', async () => {
    const { service, clock } = makeHarness();
    const { token, info } = await service.issue({ name: 'ci_pipeline', ttl: '30d', comment: CI_COMMENT }, ANALYST);
    clock.advance(HOUR);
    const altered = await service.updateComment(
      { owner: 'analyst', name: 'ci_pipeline' },
      'Перенесен на новый раннер',
      ANALYST,
    );
    expect(altered.comment).toBe('Перенесен на новый раннер');
    expect(altered.expiresAt).toEqual(info.expiresAt);
    expect(altered.rotatedAt).toBeNull();
    // The token value did not change: the string issued an hour ago still works.
    expect((await service.verify(token)).tokenId).toBe(info.id);
    expect((await service.get(info.id, ANALYST)).comment).toBe('Перенесен на новый раннер');
  });

  it('DROP API TOKEN invalidates it at once; SHOW hides it unless asked', async () => {
    const { service } = makeHarness();
    const { token, info } = await service.issue({ name: 'ci_pipeline', ttl: '30d' }, ANALYST);
    const dropped = await service.revoke({ owner: 'analyst', name: 'ci_pipeline' }, ANALYST);
    expect(dropped.status).toBe('revoked');
    expect(await codeOf(service.verify(token))).toBe('token_revoked');
    expect((await service.list({}, ANALYST)).items).toEqual([]);
    const all = await service.list({ hideRevoked: false }, ANALYST);
    expect(all.items.map((item) => [item.id, item.status])).toEqual([[info.id, 'revoked']]);
    // The name is free again for a new token.
    await expect(service.issue({ name: 'ci_pipeline', ttl: '30d' }, ANALYST)).resolves.toBeDefined();
  });

  it('DROP ALL API TOKENS FOR USER revokes every token of that user and nobody else’s', async () => {
    const { service } = makeHarness();
    const analystTokens = await Promise.all(
      ['ci_pipeline', 'notebook', 'bi'].map((name) => service.issue({ name }, ANALYST)),
    );
    const bobs = await service.issue({ name: 'bobs' }, BOB);
    // A standard user cannot do it for someone else.
    expect(await codeOf(service.revokeAll({ user: 'analyst' }, BOB))).toBe('forbidden');
    expect(await service.revokeAll({ user: 'analyst' }, ALICE)).toBe(3);
    for (const { token } of analystTokens) expect(await codeOf(service.verify(token))).toBe('token_revoked');
    expect((await service.verify(bobs.token)).owner).toBe('bob');
    // Nothing left to revoke.
    expect(await service.revokeAll({ user: 'analyst' }, ALICE)).toBe(0);
  });
});

describe('Tengri: token administration', () => {
  it("ALTER USER analyst … '24h' and ALTER ROLE service_accounts … '30d': the least restrictive (30 days) applies", async () => {
    const { service, clock } = makeHarness();
    await service.setMaxTtl({ user: 'analyst' }, '24h', ALICE);
    // With only the user policy, one day is the limit.
    expect(await codeOf(service.issue({ ttl: '30d' }, ANALYST))).toBe('duration_exceeds_policy');
    await service.setMaxTtl({ role: 'service_accounts' }, '30d', ALICE);
    const explained = await service.explainMaxTtl({ tenant: 'acme', user: 'analyst' });
    expect(explained).toMatchObject({ maxTtl: 30 * DAY, source: { kind: 'role', name: 'service_accounts' } });

    const month = await service.issue({ name: 'month', ttl: '30d' }, ANALYST);
    expect(month.info.expiresAt?.getTime()).toBe(clock.now() + 30 * DAY);
    // Without a ttl the token gets the default, capped by the effective maximum.
    const unasked = await service.issue({ name: 'unasked' }, ANALYST);
    expect(unasked.info.expiresAt?.getTime()).toBe(clock.now() + 30 * DAY);
  });

  it('a longer request is rejected with an error naming the limit, never shortened', async () => {
    const { service } = makeHarness();
    await service.setMaxTtl({ user: 'analyst' }, '24h', ALICE);
    await service.setMaxTtl({ role: 'service_accounts' }, '30d', ALICE);
    const error = await errorOf(service.issue({ name: 'too_long', ttl: '31d' }, ANALYST));
    expect(error.code).toBe('duration_exceeds_policy');
    expect(error.status).toBe(422);
    expect(error.details).toMatchObject({
      field: 'ttl',
      limit: 30 * DAY,
      source: { kind: 'role', name: 'service_accounts' },
    });
    // The limit in the largest whole unit, as formatDuration writes it: 30 days is one month ('1mo').
    expect(error.message).toContain('maximum of 1mo');
    expect(error.message).toContain('service_accounts');
    // Nothing was issued, not even a shorter token.
    expect((await service.list({ hideExpired: false, hideRevoked: false }, ANALYST)).items).toEqual([]);
  });

  it('only an administrator sets duration policies', async () => {
    const { service } = makeHarness();
    expect(await codeOf(service.setMaxTtl({ user: 'analyst' }, '365d', ANALYST))).toBe('forbidden');
    expect(await codeOf(service.setMaxTtl({ role: 'service_accounts' }, '365d', BOB))).toBe('forbidden');
    // A user without any policy keeps the system default of 365 days.
    await service.setMaxTtl({ user: 'analyst' }, '24h', ALICE);
    await expect(service.issue({ ttl: '365d' }, BOB)).resolves.toBeDefined();
  });

  it('CREATE / SHOW / DROP … FOR USER analyst by an admin', async () => {
    const { service, clock } = makeHarness();
    const { token, info } = await service.issue(
      { name: 'report_bot', owner: 'analyst', ttl: '90d', comment: 'Сервисный токен для выгрузки отчетов' },
      ALICE,
    );
    expect(info).toMatchObject({ owner: 'analyst', name: 'report_bot', createdBy: 'user:alice' });
    expect(info.expiresAt?.getTime()).toBe(clock.now() + 90 * DAY);
    // The token acts as analyst, not as the admin who issued it.
    const principal = await service.verify(token);
    expect(principal.owner).toBe('analyst');
    expect(principal.can({ bucket: 'out.c-main', access: 'read' })).toBe(false);

    expect(names((await service.list({ owner: 'analyst' }, ALICE)).items)).toEqual(['report_bot']);
    // Without FOR USER, the admin sees only their own tokens.
    expect((await service.list({}, ALICE)).items).toEqual([]);
    await service.revoke({ owner: 'analyst', name: 'report_bot' }, ALICE);
    expect(await codeOf(service.verify(token))).toBe('token_revoked');
  });

  it('the analyst’s policy binds tokens an admin issues for them too', async () => {
    const { service } = makeHarness();
    await service.setMaxTtl({ user: 'analyst' }, '24h', ALICE);
    expect(await codeOf(service.issue({ name: 'report_bot', owner: 'analyst', ttl: '90d' }, ALICE))).toBe(
      'duration_exceeds_policy',
    );
  });

  it('a standard user cannot use FOR USER', async () => {
    const { service } = makeHarness();
    await service.issue({ name: 'report_bot', owner: 'analyst' }, ALICE);
    expect(await codeOf(service.issue({ name: 'x', owner: 'analyst' }, BOB))).toBe('forbidden');
    expect(await codeOf(service.list({ owner: 'analyst' }, BOB))).toBe('forbidden');
    // Someone else's token is not there for them to drop.
    expect(await codeOf(service.revoke({ owner: 'analyst', name: 'report_bot' }, BOB))).toBe('not_found');
    expect((await service.list({ owner: 'analyst' }, ALICE)).items).toHaveLength(1);
  });
});

describe('Tengri: the API Tokens page', () => {
  it('lists active tokens, with the option to show expired and revoked ones', async () => {
    const { service, clock } = makeHarness();
    const expired = await service.issue({ name: 'short', ttl: '1h' }, ANALYST);
    const revoked = await service.issue({ name: 'dropped', ttl: '30d' }, ANALYST);
    const live = await service.issue({ name: 'live', ttl: '30d' }, ANALYST);
    await service.revoke(revoked.info.id, ANALYST);
    clock.advance(2 * HOUR);
    expect(await codeOf(service.verify(expired.token))).toBe('token_expired');

    const statuses = async (filter: { hideExpired?: boolean; hideRevoked?: boolean }): Promise<string[][]> =>
      (await service.list(filter, ANALYST)).items.map((info) => [info.name, info.status]).sort();
    expect(await statuses({})).toEqual([['live', 'active']]);
    expect(await statuses({ hideExpired: false })).toEqual([
      ['live', 'active'],
      ['short', 'expired'],
    ]);
    expect(await statuses({ hideRevoked: false })).toEqual([
      ['dropped', 'revoked'],
      ['live', 'active'],
    ]);
    expect(await statuses({ hideExpired: false, hideRevoked: false })).toEqual([
      ['dropped', 'revoked'],
      ['live', 'active'],
      ['short', 'expired'],
    ]);
    expect(live.info.status).toBe('active');
  });
});
