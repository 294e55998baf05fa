/**
 * `tokenward sql` and `tokenward shell` as a child process: Tengri's
 * walkthrough (seed 002) run as a `sql -f` script, answering as the seed
 * describes; statement errors named by line and column; the shell driven
 * through its stdin.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { looksLikeToken } from '../../src/core/format.js';
import { WALKTHROUGH_KINDS } from '../sql/support.js';
import { cli, cliJson, seededDir, tableRows, tablesOf } from './support.js';

const DAY = 86_400_000;
const WALKTHROUGH = readFileSync(new URL('../sql/tengri-walkthrough.sql', import.meta.url), 'utf8');

interface Answer {
  statement: string;
  line: number;
  columns: string[];
  rows: Record<string, string | number | boolean | null>[];
}

/** A time printed as Tengri does is `days` from now, give or take a minute. */
function expectDaysAhead(time: unknown, days: number): void {
  expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  expect(Math.abs(Date.parse(time as string) - Date.now() - days * DAY)).toBeLessThan(60_000);
}

/** The script with the seed's `<user_name>` placeholder filled in with `user`. */
function walkthroughFor(user: string): string {
  // The shipped copy names alice where the seed has <user_name>; any user name fills it the same way.
  return WALKTHROUGH.replace(/<user_name>|(?<=DROP ALL API TOKENS FOR USER )alice/g, user);
}

describe('the Tengri walkthrough as a sql -f script', () => {
  it('runs every statement in order as the administrator, answering as the seed describes', async () => {
    const dir = await seededDir();
    const file = join(dir, 'walkthrough.sql');
    writeFileSync(file, walkthroughFor('alice'));
    const { run, json } = await cliJson<Answer[]>(dir, ['--as', 'alice', 'sql', '-f', file]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(json.map((answer) => answer.statement)).toEqual(WALKTHROUGH_KINDS);
    const [ci, unnamed, shown, altered, dropped, droppedAll, bot, botShown, botDropped, user, role] = json as [
      Answer,
      ...Answer[],
    ];
    // CREATE: name | token | expires_at, the token once, 30 days; without name or expiry a generated name and 365 days.
    expect(ci.columns).toEqual(['name', 'token', 'expires_at']);
    expect(ci.rows[0]!.name).toBe('ci_pipeline');
    expect(looksLikeToken(ci.rows[0]!.token as string)).toBe(true);
    expectDaysAhead(ci.rows[0]!.expires_at, 30);
    expect(unnamed!.rows[0]!.name).toMatch(/^token-/);
    expectDaysAhead(unnamed!.rows[0]!.expires_at, 365);
    // SHOW: both, with the Cyrillic comment, and no secret.
    expect(shown!.rows.map((row) => [row.name, row.comment]).sort()).toEqual(
      [
        ['ci_pipeline', 'Токен для сборочного конвейера'],
        [unnamed!.rows[0]!.name, ''],
      ].sort(),
    );
    expect(JSON.stringify(shown)).not.toContain((ci.rows[0]!.token as string).slice(-30));
    expect(altered!.rows).toEqual([{ name: 'ci_pipeline', user: 'alice', comment: 'Перенесен на новый раннер' }]);
    expect(dropped!.rows[0]).toMatchObject({ name: 'ci_pipeline', status: 'revoked' });
    expect(droppedAll!.rows).toEqual([{ user: 'alice', revoked: 1 }]);
    expect((await cli(dir, ['verify'], { input: ci.rows[0]!.token as string })).code).toBe(3);
    expect((await cli(dir, ['verify'], { input: unnamed!.rows[0]!.token as string })).code).toBe(3);
    // FOR USER: issued on analyst's behalf for 90 days, shown for analyst, dropped.
    expect(bot!.rows[0]!.name).toBe('report_bot');
    expectDaysAhead(bot!.rows[0]!.expires_at, 90);
    expect(botShown!.rows).toEqual([
      expect.objectContaining({ name: 'report_bot', user: 'analyst', comment: 'Сервисный токен для выгрузки отчетов' }),
    ]);
    expect(botDropped!.rows[0]).toMatchObject({ name: 'report_bot', user: 'analyst', status: 'revoked' });
    expect(user!.rows).toEqual([{ user: 'analyst', max_duration: '1d' }]);
    // Durations are answered in months where whole (issue 13): 30 days is '1mo'.
    expect(role!.rows).toEqual([{ role: 'service_accounts', max_duration: '1mo' }]);

    // Afterwards a longer token is refused with an error naming the limit; the least restrictive policy applies.
    const refused = await cli(dir, [
      '--as',
      'alice',
      'sql',
      "CREATE API TOKEN late FOR USER analyst MAX DURATION '90d'",
    ]);
    expect([refused.code, refused.stderr]).toEqual([
      1,
      expect.stringMatching(/^tokenward: statement:1:1: duration_exceeds_policy: /),
    ]);
    const allowed = await cliJson<Answer[]>(dir, ['--as', 'analyst', 'sql', "CREATE API TOKEN MAX DURATION '30d'"]);
    expectDaysAhead(allowed.json[0]!.rows[0]!.expires_at, 30);
    const explained = await cliJson<Answer[]>(dir, ['--as', 'analyst', 'sql', 'SHOW API TOKEN MAX DURATION']);
    expect(explained.json[0]!.rows).toContainEqual({
      source: 'role',
      name: 'service_accounts',
      max_duration: '1mo',
      effective: true,
    });
  });

  it('prints each answer as a table like the seed’s', async () => {
    const dir = await seededDir();
    const run = await cli(dir, ['--as', 'alice', 'sql', "CREATE API TOKEN ci_pipeline MAX DURATION '30d' COMMENT 'x'"]);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^\+-+\+-+\+-+\+$/);
    expect(lines[1]).toMatch(/^\| name +\| token +\| expires_at +\|$/);
    expect(tableRows(run.stdout)[0]).toMatchObject({ name: 'ci_pipeline' });
  });

  it('a standard user cannot run the administrator’s statements', async () => {
    const dir = await seededDir();
    const run = await cli(dir, ['--as', 'bob', 'sql', 'SHOW API TOKENS FOR USER analyst']);
    expect([run.code, run.stderr]).toEqual([1, expect.stringContaining('statement:1:1: forbidden')]);
  });
});

describe('statement errors', () => {
  it('name the line and column of a statement that cannot be parsed, and run nothing (exit 4)', async () => {
    const dir = await seededDir();
    const file = join(dir, 'broken.sql');
    writeFileSync(file, 'CREATE API TOKEN first;\n-- a comment\nCREATE API TOKEN second MAX DURATION 30d;\n');
    const run = await cli(dir, ['--as', 'alice', 'sql', '-f', file]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(new RegExp(`^tokenward: ${file}:3:38: invalid_request: line 3, column 38: expected`));
    expect(run.stdout).toBe('');
    const listed = await cliJson<{ items: unknown[] }>(dir, ['--as', 'alice', 'list']);
    expect(listed.json.items).toEqual([]);
    const json = await cli(dir, ['--as', 'alice', 'sql', '-f', file, '--json']);
    expect(JSON.parse(json.stderr)).toMatchObject({
      error: { code: 'invalid_request', field: 'statement', source: file, line: 3, column: 38 },
    });
  });

  it('stop a script at the first statement that fails, named by where it starts', async () => {
    const dir = await seededDir();
    const script = 'CREATE API TOKEN one;\n\n  DROP API TOKEN nothing;\nCREATE API TOKEN two;\n';
    const run = await cli(dir, ['--as', 'alice', 'sql', '-f', '-'], { input: script });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('tokenward: stdin:3:3: not_found: token not found\n');
    expect(tableRows(run.stdout).map((row) => row.name)).toEqual(['one']);
    const listed = await cliJson<{ items: { name: string }[] }>(dir, ['--as', 'alice', 'list']);
    expect(listed.json.items.map((token) => token.name)).toEqual(['one']);
  });

  it('refuse a command line with both or neither of a statement and -f', async () => {
    const dir = await seededDir();
    expect((await cli(dir, ['sql'])).code).toBe(2);
    expect((await cli(dir, ['sql', 'SHOW API TOKENS', '-f', 'x.sql'])).code).toBe(2);
    const missing = await cli(dir, ['sql', '-f', join(dir, 'missing.sql')]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('invalid_request: the script')]);
  });
});

describe('tokenward shell', () => {
  it('runs statements typed over several lines, reports errors and goes on, and leaves on \\q', async () => {
    const dir = await seededDir();
    const input = [
      'help',
      'CREATE API TOKEN ci_pipeline',
      "  MAX DURATION '30d'",
      "  COMMENT 'a; semicolon in a string';",
      '',
      'DROP API TOKEN nothing;',
      'CREATE API TOKEN second MAX DURATION 30d;',
      'SHOW API TOKENS; -- trailing comment',
      '\\q',
      'SHOW API TOKENS;',
    ].join('\n');
    const run = await cli(dir, ['--as', 'alice', 'shell'], { input });
    expect(run.stdout).toContain('Statements end with ";"');
    expect(run.stderr).toBe(
      'tokenward: shell:6:1: not_found: token not found\n' +
        "tokenward: shell:7:38: invalid_request: line 7, column 38: expected UNLIMITED or a duration string such as '30d', '24h' or '15m', found a number\n",
    );
    const shown = tablesOf(run.stdout).at(-1);
    expect(shown).toEqual([expect.objectContaining({ name: 'ci_pipeline', comment: 'a; semicolon in a string' })]);
    // Input that is not a terminal: the exit code is the last failure's (a statement error here).
    expect(run.code).toBe(4);
    const clean = await cli(dir, ['--as', 'alice', 'shell'], { input: 'SHOW API TOKENS;\n' });
    expect(clean.code).toBe(0);
  });

  it('answers one JSON line per statement with --json', async () => {
    const dir = await seededDir();
    const run = await cli(dir, ['--as', 'analyst', 'shell', '--json'], {
      input: 'CREATE API TOKEN a;\nSHOW API TOKENS;\n',
    });
    const answers = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Answer);
    expect(answers.map((answer) => answer.statement)).toEqual(['createToken', 'showTokens']);
    expect(answers[1]!.rows[0]).toMatchObject({ name: 'a', user: 'analyst' });
  });

  it('refuses a statement the piped input ended inside (a cut-off stream), running none of it but what came before', async () => {
    const dir = await seededDir();
    // Each input ends inside `DROP API TOKEN cut_old`: cut after its name's first part, or before its `;`.
    const cases: [string, [number, number], string[]][] = [
      ['DROP API TOKEN cut', [1, 1], []],
      ['DROP API TOKEN cut_old\n', [1, 1], []],
      ['SHOW API TOKENS LIMIT 1;\nDROP API TOKEN\n  cut -- gone\n', [2, 1], ['showTokens']],
      ['SHOW API TOKENS LIMIT 1; DROP API TOKEN cut', [1, 26], ['showTokens']],
      ['/* a */ SHOW API TOKENS LIMIT 1;\n\n-- c\n  DROP API', [4, 3], ['showTokens']],
    ];
    for (const name of ['cut', 'cut_old']) expect((await cli(dir, ['--as', 'alice', 'issue', name])).code).toBe(0);
    for (const [input, place, ran] of cases) {
      const run = await cli(dir, ['--as', 'alice', 'shell', '--json'], { input });
      expect(run.code).toBe(4);
      const { error } = JSON.parse(run.stderr) as { error: Record<string, unknown> };
      expect(error).toMatchObject({ code: 'invalid_request', source: 'shell', line: place[0], column: place[1] });
      expect(error.message).toMatch(/the input ended before this statement's ";": none of it ran$/);
      expect(
        run.stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line).statement),
      ).toEqual(ran);
      const listed = await cliJson<{ items: { name: string }[] }>(dir, ['--as', 'alice', 'list']);
      expect(listed.json.items.map((token) => token.name).sort()).toEqual(['cut', 'cut_old']);
    }
    // Input ending with `;`, or with comments after it, runs whole and answers 0.
    const clean = await cli(dir, ['--as', 'alice', 'shell'], { input: 'DROP API TOKEN cut; -- done\n/* end */\n' });
    expect([clean.code, clean.stderr]).toEqual([0, '']);
  });

  it('reports leftover input that is no statement (an open string or comment) as sql does, running none of it', async () => {
    const dir = await seededDir();
    for (const text of ["DROP API TOKEN 'abc", 'SHOW API TOKENS; /* never closed', 'SHOW API TOKENS;\n\n"open name']) {
      const shell = await cli(dir, ['--as', 'alice', 'shell'], { input: text });
      const sql = await cli(dir, ['--as', 'alice', 'sql', text]);
      expect(sql.code).toBe(4);
      expect(shell.code).toBe(sql.code);
      expect(shell.stderr).toBe(sql.stderr.replace('tokenward: statement:', 'tokenward: shell:'));
    }
  });
});
