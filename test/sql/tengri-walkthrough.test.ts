/**
 * The Tengri walkthrough (seed 002) as one script: test/sql/tengri-walkthrough.sql
 * through parseStatements and executeStatement, as the administrator alice,
 * each answer as the seed describes it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { looksLikeToken } from '../../src/core/format.js';
import { executeStatement } from '../../src/sql/executor.js';
import { parseStatements } from '../../src/sql/parser.js';
import type { StatementResult } from '../../src/sql/types.js';
import { DAY, errorOf } from '../scenarios/support.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';
import { record, records, runOne, tengriTime, WALKTHROUGH_KINDS } from './support.js';

const START = Date.UTC(2026, 0, 1);
const SCRIPT = readFileSync(new URL('./tengri-walkthrough.sql', import.meta.url), 'utf8');

describe('the Tengri walkthrough, as one script', () => {
  it('runs every statement in order, answering as the seed describes', async () => {
    const { service } = makeHarness();
    const statements = parseStatements(SCRIPT);
    expect(statements.map((statement) => statement.kind)).toEqual(WALKTHROUGH_KINDS);
    // Each statement runs in turn, and its effects are checked before the next one runs.
    let index = 0;
    const next = (): Promise<StatementResult> => executeStatement(service, statements[index++]!, ALICE);

    // CREATE: one row, name | token | expires_at; the token shown this once; 30 days.
    const ci = await next();
    expect(ci.columns).toEqual(['name', 'token', 'expires_at']);
    const ciRow = record(ci);
    expect(ciRow).toMatchObject({ name: 'ci_pipeline', expires_at: tengriTime(START + 30 * DAY) });
    expect(looksLikeToken(ciRow.token as string)).toBe(true);
    // With neither name nor expiry: a generated name and 365 days.
    const unnamedRow = record(await next());
    expect(unnamedRow.name).toMatch(/^token-/);
    expect(unnamedRow.expires_at).toBe(tengriTime(START + 365 * DAY));

    // SHOW: both tokens, with the comment, and no secret anywhere.
    const shown = await next();
    expect(
      records(shown)
        .map((row) => [row.name, row.comment])
        .sort(),
    ).toEqual([
      ['ci_pipeline', 'Токен для сборочного конвейера'],
      [unnamedRow.name, ''],
    ]);
    for (const secret of [ciRow.token, unnamedRow.token]) {
      expect(JSON.stringify(shown)).not.toContain((secret as string).slice(-30));
    }

    // ALTER: the comment changes, the token value and expiry do not.
    expect(record(await next())).toEqual({ name: 'ci_pipeline', user: 'alice', comment: 'Перенесен на новый раннер' });
    expect((await service.verify(ciRow.token as string)).name).toBe('ci_pipeline');
    expect((await service.get({ owner: 'alice', name: 'ci_pipeline' }, ALICE)).expiresAt?.getTime()).toBe(
      START + 30 * DAY,
    );

    // DROP: invalid at once. DROP ALL: the user's remaining token.
    expect(record(await next()).status).toBe('revoked');
    expect((await errorOf(service.verify(ciRow.token as string))).code).toBe('token_revoked');
    expect((await service.verify(unnamedRow.token as string)).owner).toBe('alice');
    expect(record(await next())).toEqual({ user: 'alice', revoked: 1 });
    expect((await errorOf(service.verify(unnamedRow.token as string))).code).toBe('token_revoked');

    // FOR USER: issued on analyst's behalf, shown for analyst, dropped.
    const botRow = record(await next());
    expect(botRow.expires_at).toBe(tengriTime(START + 90 * DAY));
    expect((await service.verify(botRow.token as string)).owner).toBe('analyst');
    expect(records(await next())).toEqual([
      expect.objectContaining({ name: 'report_bot', user: 'analyst', comment: 'Сервисный токен для выгрузки отчетов' }),
    ]);
    expect(record(await next())).toMatchObject({ name: 'report_bot', user: 'analyst', status: 'revoked' });
    expect((await errorOf(service.verify(botRow.token as string))).code).toBe('token_revoked');

    // The policies are in place.
    expect(record(await next())).toEqual({ user: 'analyst', max_duration: '1d' });
    // '30d' is answered in the largest whole unit: a month.
    expect(record(await next())).toEqual({ role: 'service_accounts', max_duration: '1mo' });
    expect(index).toBe(statements.length);
  });

  it('afterwards, a longer request is rejected with an error and the least restrictive policy applies', async () => {
    const { service } = makeHarness();
    for (const statement of parseStatements(SCRIPT)) await executeStatement(service, statement, ALICE);
    const refused = await errorOf(
      runOne(service, "CREATE API TOKEN report_bot FOR USER analyst MAX DURATION '90d'", ALICE),
    );
    expect(refused).toMatchObject({
      code: 'duration_exceeds_policy',
      details: { limit: 30 * DAY, source: { kind: 'role', name: 'service_accounts' } },
    });
    expect(record(await runOne(service, "CREATE API TOKEN MAX DURATION '30d'", ANALYST)).expires_at).toBe(
      tengriTime(START + 30 * DAY),
    );
    expect((await runOne(service, 'SHOW API TOKEN MAX DURATION', ANALYST)).rows).toContainEqual([
      'role',
      'service_accounts',
      '1mo',
      true,
    ]);
    // A user with no policy keeps the default of 365 days.
    expect(record(await runOne(service, "CREATE API TOKEN MAX DURATION '365d'", BOB)).expires_at).toBe(
      tengriTime(START + 365 * DAY),
    );
  });

  it('a standard user cannot run the administrator’s statements', async () => {
    const { service } = makeHarness();
    const statements = parseStatements(SCRIPT);
    const codes: string[] = [];
    for (const statement of statements.slice(6)) {
      codes.push((await errorOf(executeStatement(service, statement, BOB))).code);
    }
    // FOR USER and policies are refused; a token of another user is not there to find.
    expect(codes).toEqual(['forbidden', 'forbidden', 'not_found', 'forbidden', 'forbidden']);
  });
});
