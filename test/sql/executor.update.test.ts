/**
 * The statements of issue 13, parsed and run on a memory-store service:
 * `ALTER API TOKEN … SET META | UNSET META | ENABLE | DISABLE | RENAME TO |
 * SET MAX DURATION` (`update`) and `SHOW EXPIRING API TOKENS WITHIN 'd'`
 * (`listExpiring`), with the errors a bad one gets where it stands.
 */
import { describe, expect, it } from 'vitest';
import { StatementError } from '../../src/sql/errors.js';
import { parseStatements } from '../../src/sql/parser.js';
import { printStatement } from '../../src/sql/printer.js';
import { DAY, errorOf } from '../scenarios/support.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';
import { record, records, runOne, tengriTime } from './support.js';

const START = Date.UTC(2026, 0, 1);

describe('ALTER API TOKEN … SET META, ENABLE, DISABLE, RENAME TO, SET MAX DURATION', () => {
  it('parses each change and prints it back', () => {
    const cases = [
      [`ALTER API TOKEN ci SET META '{"plan":"pro","seats":3}'`, { meta: { plan: 'pro', seats: 3 } }],
      ['alter api token ci unset meta', { meta: null }],
      ['ALTER API TOKEN ci FOR USER analyst DISABLE', { enabled: false }],
      ['ALTER API TOKEN ci ENABLE', { enabled: true }],
      ['ALTER API TOKEN ci RENAME TO "ci nightly"', { newName: 'ci nightly' }],
      ["ALTER API TOKEN ci SET MAX DURATION '1mo'", { maxDuration: '1mo' }],
      ['ALTER ADMINISTRATIVE API TOKEN ops SET MAX DURATION UNLIMITED', { maxDuration: null }],
    ] as const;
    for (const [text, change] of cases) {
      const [statement] = parseStatements(text);
      expect(statement).toMatchObject({ kind: 'updateToken', change });
      const { span: _span, ...plain } = statement!;
      expect(parseStatements(printStatement(plain))[0]).toMatchObject(plain);
    }
  });

  it('reads a META negative zero as 0, as JSON prints it, so the statement prints back as read', () => {
    const [statement] = parseStatements('ALTER API TOKEN ci SET META \'{"a":-0,"b":[-0,1]}\'');
    const meta = (statement as unknown as { change: { meta: { a: number; b: number[] } } }).change.meta;
    expect(Object.is(meta.a, 0) && Object.is(meta.b[0], 0)).toBe(true);
    const { span: _span, ...plain } = statement!;
    expect(parseStatements(printStatement(plain))[0]).toMatchObject(plain);
  });

  it('refuses a META that is not a JSON object where it stands, and a missing change', () => {
    for (const [text, column] of [
      ["ALTER API TOKEN ci SET META '[1,2]'", 29],
      ["ALTER API TOKEN ci SET META 'not json'", 29],
      // A number past the double range would parse as -Infinity and print back as null.
      ['ALTER API TOKEN ci SET META \'{"a":[-1.797976931348043012e+308]}\'', 29],
      ['ALTER API TOKEN ci SET META \'{"a":{"b":2e308}}\'', 29],
      ['ALTER API TOKEN ci SET META', 28],
      ['ALTER API TOKEN ci RENAME "x"', 27],
      ['ALTER API TOKEN ci UNSET COMMENT', 26],
    ] as const) {
      const error = (() => {
        try {
          parseStatements(text);
        } catch (caught) {
          return caught;
        }
        throw new Error(`parsed: ${text}`);
      })();
      expect(error).toBeInstanceOf(StatementError);
      expect((error as StatementError).column, text).toBe(column);
    }
  });

  it('applies the JSON rules of the HTTP reader to META where it stands: no member twice, no prototype keys', () => {
    const cases = [
      ['ALTER API TOKEN ci SET META \'{"a":1,"a":2}\'', 1, 29, 'names a member twice'],
      ['ALTER API TOKEN ci\n  SET META \'{"a":{"b":1,"\\u0062":2}}\'', 2, 12, 'names a member twice'],
      ['ALTER API TOKEN ci SET META \'{"__proto__":{"admin":true}}\'', 1, 29, '__proto__'],
      ['ALTER API TOKEN ci SET META \'{"x":[{"constructor":1}]}\'', 1, 29, 'constructor'],
      [`ALTER API TOKEN ci SET META '{"a":"${'x'.repeat(5000)}"}'`, 1, 29, '4096'],
    ] as const;
    for (const [text, line, column, says] of cases) {
      let error: unknown;
      try {
        parseStatements(text);
      } catch (caught) {
        error = caught;
      }
      expect(error, text).toBeInstanceOf(StatementError);
      expect(error, text).toMatchObject({ line, column });
      expect((error as StatementError).message, text).toContain(says);
    }
  });

  it('runs through update: meta, disable and enable, rename, a new lifetime within the policy', async () => {
    const { service } = makeHarness();
    const created = record(await runOne(service, "CREATE API TOKEN ci MAX DURATION '1d'", ANALYST));
    const meta = record(await runOne(service, `ALTER API TOKEN ci SET META '{"team":"data"}'`, ANALYST));
    expect(meta).toEqual({
      name: 'ci',
      user: 'analyst',
      enabled: true,
      expires_at: tengriTime(START + DAY),
      meta: '{"team":"data"}',
    });
    expect((await service.verify(created.token as string)).meta).toEqual({ team: 'data' });
    expect(record(await runOne(service, 'ALTER API TOKEN ci DISABLE', ANALYST)).enabled).toBe(false);
    expect((await errorOf(service.verify(created.token as string))).code).toBe('token_disabled');
    await runOne(service, 'ALTER API TOKEN ci FOR USER analyst ENABLE', ALICE);
    expect(record(await runOne(service, 'ALTER API TOKEN ci RENAME TO ci_daily', ANALYST)).name).toBe('ci_daily');
    const longer = record(await runOne(service, "ALTER API TOKEN ci_daily SET MAX DURATION '1mo'", ANALYST));
    expect(longer.expires_at).toBe(tengriTime(START + 30 * DAY));
    const shown = records(await runOne(service, 'SHOW API TOKENS', ANALYST));
    expect(shown).toEqual([expect.objectContaining({ name: 'ci_daily', enabled: true, meta: '{"team":"data"}' })]);
    expect(record(await runOne(service, 'ALTER API TOKEN ci_daily UNSET META', ANALYST)).meta).toBeNull();
    const refused = await errorOf(runOne(service, "ALTER API TOKEN ci_daily SET MAX DURATION '2y'", ANALYST));
    expect(refused.code).toBe('duration_exceeds_policy');
    expect((await errorOf(runOne(service, 'ALTER API TOKEN ci_daily DISABLE', BOB))).code).toBe('not_found');
  });
});

describe("SHOW EXPIRING API TOKENS WITHIN 'd'", () => {
  it('lists the live tokens expiring within the window, soonest first; FOR ALL USERS for admins', async () => {
    const { service } = makeHarness();
    await runOne(service, "CREATE API TOKEN weekly MAX DURATION '6d'", ANALYST);
    await runOne(service, "CREATE API TOKEN daily MAX DURATION '1d'", ANALYST);
    await runOne(service, "CREATE API TOKEN monthly MAX DURATION '1mo'", ANALYST);
    await runOne(service, "CREATE API TOKEN bobs MAX DURATION '2d'", BOB);
    const own = records(await runOne(service, "SHOW EXPIRING API TOKENS WITHIN '1w'", ANALYST));
    expect(own.map((row) => row.name)).toEqual(['daily', 'weekly']);
    const all = await runOne(service, "SHOW EXPIRING API TOKENS WITHIN '1w' FOR ALL USERS LIMIT 2", ALICE);
    expect(records(all).map((row) => row.name)).toEqual(['daily', 'bobs']);
    expect(all.columns).toContain('enabled');
    const forBob = records(await runOne(service, "show expiring api tokens within '3d' for user bob", ALICE));
    expect(forBob.map((row) => row.name)).toEqual(['bobs']);
    expect((await errorOf(runOne(service, "SHOW EXPIRING API TOKENS WITHIN '1w' FOR USER bob", ANALYST))).code).toBe(
      'forbidden',
    );
    expect(() => parseStatements("SHOW EXPIRING API TOKENS WITHIN '1w' INCLUDE EXPIRED")).toThrow(StatementError);
    expect(() => parseStatements('SHOW EXPIRING API TOKENS')).toThrow(StatementError);
  });
});
