/**
 * What `--db` may name (outside review 3): `tokenward --db "$TOKEN" list`
 * created a SQLite file named after the token (a secret on disk as a file
 * name) and answered with an empty list. Now a token-shaped value is
 * refused by every command without being shown, a SQLite path that does
 * not exist is refused by every command but `init` (exit 2, naming
 * `--db`, pointing at `tokenward init`), and nothing is created.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, workDir } from './support.js';

const OPAQUE = 'tw_p_01M8PDTRN3B4AJA73CAE4S98X9Rynr8oTj128aiXFPIxhKVJTCyRlOwM2cWn3k';
const CLAIM = `acme_claim_${'aB3'.repeat(13)}x`;
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJib2IiLCJqdGkiOiJ4In0.c2lnbmF0dXJlLXBhcnQ_-x';
const TOKEN_LIKE: readonly (readonly [string, string])[] = [
  ['an opaque token', OPAQUE],
  ['a claim code', CLAIM],
  ['a JWT', JWT],
  ['a prefixed JWT', `acme_${JWT}`],
  ['a path ending in a token', `./backups/${OPAQUE}`],
  ['a sqlite: URL of a token', `sqlite:${OPAQUE}`],
];

describe('--db holding a token', () => {
  it.each(TOKEN_LIKE)('%s: refused by init and by list, never shown, nothing created', async (_, value) => {
    const dir = workDir();
    for (const args of [['init'], ['list'], ['--as', 'alice', 'list', '--json']]) {
      const run = await cli(dir, ['--db', value, ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain('--db looks like a token');
      expect(run.stdout + run.stderr).not.toContain(value);
      expect(run.stdout + run.stderr).not.toContain(OPAQUE.slice(-20));
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a token given where no argument belongs is not echoed either', async () => {
    const dir = workDir();
    const extra = await cli(dir, ['list', OPAQUE]);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('unexpected argument: (a token, not shown)');
    const unknown = await cli(dir, [JWT]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command: (a token, not shown)');
    for (const run of [extra, unknown]) expect(run.stdout + run.stderr).not.toContain('c2lnbmF0dXJl');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('--db naming a SQLite file that does not exist', () => {
  it('is refused by every command but init (exit 2, naming --db, pointing at init), creating nothing', async () => {
    const dir = workDir();
    for (const args of [['list'], ['users', 'list'], ['--as', 'alice', 'issue', 'x']]) {
      const run = await cli(dir, ['--db', 'typo.db', ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain('--db names a SQLite database that does not exist');
      expect(run.stderr).toContain('tokenward init');
    }
    const json = await cli(dir, ['--db', 'typo.db', 'list', '--json']);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'usage' } });
    // The same through DATABASE_URL.
    const fromEnv = await cli(dir, ['list'], { env: { DATABASE_URL: 'sqlite:typo.db' } });
    expect(fromEnv.code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('init creates it, and then every command works on it', async () => {
    const dir = workDir();
    const init = await cli(dir, ['--db', 'store.db', 'init']);
    expect(init.code).toBe(0);
    expect(existsSync(join(dir, 'store.db'))).toBe(true);
    const listed = await cli(dir, ['--db', 'store.db', 'list']);
    expect(listed.code).toBe(0);
  });

  it('the default ./tokenward.db is still created by any command', async () => {
    const dir = workDir();
    const run = await cli(dir, ['list']);
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, 'tokenward.db'))).toBe(true);
  });

  it('a PostgreSQL URL is still taken (here unreachable: exit 6, not a usage error)', async () => {
    const run = await cli(workDir(), ['--db', 'postgres://app@127.0.0.1:1/none', 'list']);
    expect(run.code).toBe(6);
  });
});

describe('errors name the flag or variable the user set, not the library option (outside review 8)', () => {
  it('an empty --db is a usage error naming --db', async () => {
    const run = await cli(workDir(), ['--db', '', 'list']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^tokenward: --db is empty/);
  });

  it.each([
    ['blank', ' ', 'is empty'],
    ['a file that does not exist', 'nothere.db', 'names a SQLite database that does not exist'],
    ['sqlite: with no path', 'sqlite:', 'names no SQLite file after "sqlite:"'],
    ['sqlite: with spaces only', 'sqlite:  ', 'names no SQLite file after "sqlite:"'],
    ['a token', OPAQUE, 'looks like a token'],
  ])(
    '%s: refused (exit 2) naming --db or DATABASE_URL, whichever gave it, creating nothing',
    async (_, value, problem) => {
      const dir = workDir();
      const flag = await cli(dir, ['--db', value, 'list']);
      const variable = await cli(dir, ['list'], { env: { DATABASE_URL: value } });
      // --db wins over DATABASE_URL, and is named even when both hold the same value.
      const both = await cli(dir, ['--db', value, 'list'], { env: { DATABASE_URL: value } });
      for (const [run, name] of [
        [flag, '--db'],
        [variable, 'DATABASE_URL'],
        [both, '--db'],
      ] as const) {
        expect(run.code, `${name} ${value}`).toBe(2);
        expect(run.stderr).toMatch(new RegExp(`^tokenward: (list: )?${name} ${problem.replace(/[".:]/g, '\\$&')}`));
        expect(run.stderr.replace(/tokenward init --db/, '')).not.toMatch(name === '--db' ? /DATABASE_URL/ : /--db/);
      }
      expect(readdirSync(dir)).toEqual([]);
      // `init` makes no store in the current folder for a bare `sqlite:` either.
      if (value.startsWith('sqlite:')) expect((await cli(dir, ['--db', value, 'init'])).code).toBe(2);
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  it('a file that is no SQLite database is named by --db or DATABASE_URL, whichever named it', async () => {
    const dir = workDir();
    writeFileSync(join(dir, 'corrupt.db'), 'this is not a database, it is forty-odd bytes of text\n'.repeat(20));
    const flag = await cli(dir, ['--db', 'corrupt.db', 'list']);
    const variable = await cli(dir, ['list'], { env: { DATABASE_URL: 'corrupt.db' } });
    for (const [run, name] of [
      [flag, '--db'],
      [variable, 'DATABASE_URL'],
    ] as const) {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^tokenward: invalid_request: ${name} ".*corrupt\\.db" cannot be`));
      expect(run.stderr).not.toContain('options.');
    }
  });

  it('a pepper too short is named TOKENWARD_PEPPER or --pepper-file, whichever gave it', async () => {
    const dir = workDir();
    const env = { TOKENWARD_PEPPER: 'short' };
    const fromEnv = await cli(dir, ['list', '--json'], { env });
    expect(JSON.parse(fromEnv.stderr).error).toMatchObject({ field: 'TOKENWARD_PEPPER' });
    expect(fromEnv.stderr).toContain('"TOKENWARD_PEPPER must be at least 32 bytes"');
    writeFileSync(join(dir, 'pepper'), 'short\n', { mode: 0o600 });
    const fromFile = await cli(dir, ['list', '--pepper-file', 'pepper', '--json'], { env });
    expect(JSON.parse(fromFile.stderr).error).toMatchObject({ field: '--pepper-file' });
    const missing = await cli(dir, ['list', '--pepper-file', 'nothing-here']);
    expect(missing.stderr).toContain('--pepper-file cannot be read');
  });
});
