/**
 * Tengri's statements run on a memory-store service (seed 002): each one's
 * answer, and the service's rules applied to it. alice is an admin; analyst
 * holds the role service_accounts; bob is a standard user.
 */
import { describe, expect, it } from 'vitest';
import { looksLikeToken } from '../../src/core/format.js';
import { DAY, errorOf } from '../scenarios/support.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';
import { record, records, run, runOne, tengriTime } from './support.js';

const START = Date.UTC(2026, 0, 1);
const SHOW_COLUMNS = [
  'name',
  'user',
  'type',
  'status',
  'created_at',
  'expires_at',
  'last_used_at',
  'comment',
  'grants',
  'id',
  'enabled',
  'meta',
];

describe('CREATE API TOKEN', () => {
  it('answers name | token | expires_at, the token once, as the seed shows', async () => {
    const { service } = makeHarness();
    const answer = await runOne(
      service,
      "CREATE API TOKEN ci_pipeline MAX DURATION '30d' COMMENT 'Токен для сборочного конвейера'",
      ANALYST,
    );
    expect(answer.columns).toEqual(['name', 'token', 'expires_at']);
    expect(answer.secretColumns).toEqual(['token']);
    const row = record(answer);
    expect(row).toMatchObject({ name: 'ci_pipeline', expires_at: tengriTime(START + 30 * DAY) });
    expect(row.expires_at).toBe('2026-01-31T00:00:00+00:00');
    const token = row.token as string;
    expect(looksLikeToken(token)).toBe(true);
    const principal = await service.verify(token);
    expect(principal).toMatchObject({ owner: 'analyst', name: 'ci_pipeline', type: 'personal' });
    const info = await service.get(principal.tokenId, ANALYST);
    expect(info.comment).toBe('Токен для сборочного конвейера');
  });

  it('without name or duration: a generated name and the default of 365 days', async () => {
    const { service } = makeHarness();
    const row = record(await runOne(service, 'CREATE API TOKEN', ANALYST));
    expect(row.name).toMatch(/^token-/);
    expect(row.expires_at).toBe(tengriTime(START + 365 * DAY));
  });

  it('FOR USER issues for another user when an admin asks, and is forbidden to anyone else', async () => {
    const { service } = makeHarness();
    const statement = "CREATE API TOKEN report_bot FOR USER analyst MAX DURATION '90d' COMMENT 'Сервисный'";
    const row = record(await runOne(service, statement, ALICE));
    expect((await service.verify(row.token as string)).owner).toBe('analyst');
    expect((await errorOf(runOne(service, statement.replace('report_bot', 'other'), BOB))).code).toBe('forbidden');
  });

  it('a duration above the policy is refused with the service error naming the limit, and nothing is issued', async () => {
    const { service } = makeHarness();
    await run(service, "ALTER USER analyst SET API TOKEN MAX DURATION '24h'", ALICE);
    const error = await errorOf(runOne(service, "CREATE API TOKEN long MAX DURATION '2d'", ANALYST));
    expect(error).toMatchObject({ code: 'duration_exceeds_policy', details: { field: 'ttl', limit: DAY } });
    expect(records(await runOne(service, 'SHOW API TOKENS INCLUDE EXPIRED, REVOKED', ANALYST))).toEqual([]);
  });

  it('bad names and comments are the service’s invalid_request naming the field', async () => {
    const { service } = makeHarness();
    expect((await errorOf(runOne(service, 'CREATE API TOKEN " padded "', ANALYST))).details.field).toBe('name');
    expect(
      (await errorOf(runOne(service, `CREATE API TOKEN c COMMENT '${'x'.repeat(1001)}'`, ANALYST))).details.field,
    ).toBe('comment');
    expect((await errorOf(runOne(service, 'CREATE API TOKEN master', ANALYST))).details.field).toBe('name');
  });
});

describe('SHOW API TOKENS', () => {
  it('lists the current user’s live tokens with the page’s columns', async () => {
    const { service, clock } = makeHarness();
    await run(
      service,
      "CREATE API TOKEN ci_pipeline MAX DURATION '30d' COMMENT 'CI'; CREATE API TOKEN notebook",
      ANALYST,
    );
    await run(service, 'CREATE API TOKEN bobs', BOB);
    clock.advance(1000);
    const answer = await runOne(service, 'SHOW API TOKENS', ANALYST);
    expect(answer.columns).toEqual(SHOW_COLUMNS);
    expect(answer.secretColumns).toEqual([]);
    const rows = records(answer).sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(rows).toEqual([
      {
        name: 'ci_pipeline',
        user: 'analyst',
        type: 'personal',
        status: 'active',
        created_at: tengriTime(START),
        expires_at: tengriTime(START + 30 * DAY),
        last_used_at: null,
        comment: 'CI',
        grants: null,
        id: expect.stringMatching(/^[0-9A-Z]{26}$/),
        enabled: true,
        meta: null,
      },
      expect.objectContaining({ name: 'notebook', comment: '', expires_at: tengriTime(START + 365 * DAY) }),
    ]);
  });

  it('FOR USER shows another user’s tokens to an admin only', async () => {
    const { service } = makeHarness();
    await run(service, 'CREATE API TOKEN report_bot FOR USER analyst', ALICE);
    expect(records(await runOne(service, 'SHOW API TOKENS FOR USER analyst', ALICE)).map((r) => r.name)).toEqual([
      'report_bot',
    ]);
    // Without FOR USER, the admin sees their own tokens only.
    expect((await runOne(service, 'SHOW API TOKENS', ALICE)).rows).toEqual([]);
    expect((await errorOf(runOne(service, 'SHOW API TOKENS FOR USER analyst', BOB))).code).toBe('forbidden');
  });

  it('hides expired and revoked tokens unless INCLUDE asks for them', async () => {
    const { service, clock } = makeHarness();
    await run(
      service,
      "CREATE API TOKEN short MAX DURATION '1h'; CREATE API TOKEN dropped; CREATE API TOKEN live; DROP API TOKEN dropped",
      ANALYST,
    );
    clock.advance(2 * 3_600_000);
    const shown = async (clause: string): Promise<unknown[]> =>
      records(await runOne(service, `SHOW API TOKENS ${clause}`, ANALYST))
        .map((row) => `${row.name}:${row.status}`)
        .sort();
    expect(await shown('')).toEqual(['live:active']);
    expect(await shown('INCLUDE EXPIRED')).toEqual(['live:active', 'short:expired']);
    expect(await shown('INCLUDE REVOKED')).toEqual(['dropped:revoked', 'live:active']);
    expect(await shown('INCLUDE REVOKED, EXPIRED')).toEqual(['dropped:revoked', 'live:active', 'short:expired']);
  });
});

describe('ALTER API TOKEN … SET COMMENT', () => {
  it('changes the comment only: same secret, same expiry', async () => {
    const { service, clock } = makeHarness();
    const created = record(
      await runOne(service, "CREATE API TOKEN ci_pipeline MAX DURATION '30d' COMMENT 'a'", ANALYST),
    );
    clock.advance(3_600_000);
    const answer = await runOne(
      service,
      "ALTER API TOKEN ci_pipeline SET COMMENT 'Перенесен на новый раннер'",
      ANALYST,
    );
    expect(answer.columns).toEqual(['name', 'user', 'comment']);
    expect(record(answer)).toEqual({ name: 'ci_pipeline', user: 'analyst', comment: 'Перенесен на новый раннер' });
    expect((await service.verify(created.token as string)).name).toBe('ci_pipeline');
    const [row] = records(await runOne(service, 'SHOW API TOKENS', ANALYST));
    expect(row).toMatchObject({ comment: 'Перенесен на новый раннер', expires_at: created.expires_at });
  });

  it('FOR USER is for admins; a missing token is not_found', async () => {
    const { service } = makeHarness();
    await run(service, 'CREATE API TOKEN report_bot FOR USER analyst', ALICE);
    const alter = "ALTER API TOKEN report_bot FOR USER analyst SET COMMENT 'x'";
    expect(record(await runOne(service, alter, ALICE)).comment).toBe('x');
    // Another user's token is not there for bob to find.
    expect((await errorOf(runOne(service, alter, BOB))).code).toBe('not_found');
    expect((await errorOf(runOne(service, "ALTER API TOKEN nothing SET COMMENT 'x'", ANALYST))).code).toBe('not_found');
  });
});

describe('DROP API TOKEN and DROP ALL API TOKENS', () => {
  it('DROP revokes at once and answers the token’s new state', async () => {
    const { service } = makeHarness();
    const created = record(await runOne(service, 'CREATE API TOKEN ci_pipeline', ANALYST));
    const answer = await runOne(service, 'DROP API TOKEN ci_pipeline', ANALYST);
    expect(answer.columns).toEqual(['name', 'user', 'status', 'revoked_at']);
    expect(record(answer)).toEqual({
      name: 'ci_pipeline',
      user: 'analyst',
      status: 'revoked',
      revoked_at: tengriTime(START),
    });
    expect((await errorOf(service.verify(created.token as string))).code).toBe('token_revoked');
  });

  it('DROP … FOR USER by an admin; a missing token is not_found, or no row with IF EXISTS', async () => {
    const { service } = makeHarness();
    await run(service, 'CREATE API TOKEN report_bot FOR USER analyst', ALICE);
    // Another user's token is not there for bob to learn of (the service's rule).
    expect((await errorOf(runOne(service, 'DROP API TOKEN report_bot FOR USER analyst', BOB))).code).toBe('not_found');
    expect(record(await runOne(service, 'DROP API TOKEN report_bot FOR USER analyst', ALICE)).status).toBe('revoked');
    expect((await errorOf(runOne(service, 'DROP API TOKEN nothing', ANALYST))).code).toBe('not_found');
    const quiet = await runOne(service, 'DROP API TOKEN IF EXISTS nothing', ANALYST);
    expect(quiet).toEqual({ columns: ['name', 'user', 'status', 'revoked_at'], rows: [], secretColumns: [] });
  });

  it('IF EXISTS hides only not_found: other refusals still fail', async () => {
    const { service } = makeHarness();
    await service.ensureMasterToken(ANALYST);
    expect((await errorOf(runOne(service, 'DROP API TOKEN IF EXISTS master', ANALYST))).code).toBe('forbidden');
  });

  it('DROP ALL … FOR USER revokes every token of that user and answers the count', async () => {
    const { service } = makeHarness();
    await run(service, 'CREATE API TOKEN a; CREATE API TOKEN b; CREATE API TOKEN c', ANALYST);
    await run(service, 'CREATE API TOKEN bobs', BOB);
    expect((await errorOf(runOne(service, 'DROP ALL API TOKENS FOR USER analyst', BOB))).code).toBe('forbidden');
    const answer = await runOne(service, 'DROP ALL API TOKENS FOR USER analyst', ALICE);
    expect(answer.columns).toEqual(['user', 'revoked']);
    expect(record(answer)).toEqual({ user: 'analyst', revoked: 3 });
    expect((await runOne(service, 'SHOW API TOKENS', ANALYST)).rows).toEqual([]);
    expect((await runOne(service, 'SHOW API TOKENS', BOB)).rows).toHaveLength(1);
    // A user may drop all of their own.
    expect(record(await runOne(service, 'DROP ALL API TOKENS FOR USER bob', BOB)).revoked).toBe(1);
  });
});

describe('ALTER USER | ROLE … SET API TOKEN MAX DURATION', () => {
  it('sets the policies; the least restrictive applies', async () => {
    const { service } = makeHarness();
    const user = await runOne(service, "ALTER USER analyst SET API TOKEN MAX DURATION '24h'", ALICE);
    expect(user).toEqual({ columns: ['user', 'max_duration'], rows: [['analyst', '1d']], secretColumns: [] });
    expect((await errorOf(runOne(service, "CREATE API TOKEN MAX DURATION '2d'", ANALYST))).code).toBe(
      'duration_exceeds_policy',
    );
    const role = await runOne(service, "ALTER ROLE service_accounts SET API TOKEN MAX DURATION '30d'", ALICE);
    expect(record(role)).toEqual({ role: 'service_accounts', max_duration: '1mo' });
    expect(record(await runOne(service, "CREATE API TOKEN MAX DURATION '30d'", ANALYST)).expires_at).toBe(
      tengriTime(START + 30 * DAY),
    );
    expect((await errorOf(runOne(service, "CREATE API TOKEN MAX DURATION '31d'", ANALYST))).code).toBe(
      'duration_exceeds_policy',
    );
  });

  it('only an admin sets policies', async () => {
    const { service } = makeHarness();
    expect((await errorOf(runOne(service, "ALTER USER analyst SET API TOKEN MAX DURATION '365d'", ANALYST))).code).toBe(
      'forbidden',
    );
    expect(
      (await errorOf(runOne(service, "ALTER ROLE service_accounts SET API TOKEN MAX DURATION '1d'", BOB))).code,
    ).toBe('forbidden');
  });
});
