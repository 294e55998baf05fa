/**
 * `--help` everywhere, usage errors, and docs/cli.md kept true: it names
 * every command, every option and every exit code the CLI has.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GLOBAL_OPTIONS } from '../../src/cli/args.js';
import { EXIT } from '../../src/cli/exit.js';
import { COMMANDS } from '../../src/cli/run.js';
import { cli, workDir } from './support.js';

const DOC = readFileSync('docs/cli.md', 'utf8');

describe('tokenward --help', () => {
  it('lists every command and the exit codes, and needs no store', async () => {
    const dir = workDir();
    const run = await cli(dir, ['--help'], { env: { TOKENWARD_PEPPER: undefined } });
    expect(run.code).toBe(0);
    for (const command of COMMANDS) expect(run.stdout).toContain(`  ${command.path} `);
    for (const code of Object.values(EXIT)) expect(run.stdout).toMatch(new RegExp(`^  ${code}  `, 'm'));
    // Nothing was opened: no store appears in the folder.
    expect((await cli(dir, ['help'])).code).toBe(0);
    const none = await cli(dir, []);
    expect([none.code, none.stdout, none.stderr]).toEqual([2, '', expect.stringContaining('Usage: tokenward COMMAND')]);
  });

  it('shows every command’s usage and options with --help, and -h, exit 0', async () => {
    const dir = workDir();
    for (const command of COMMANDS) {
      const run = await cli(dir, [...command.path.split(' '), command.path === 'verify' ? '-h' : '--help']);
      expect(run.code, command.path).toBe(0);
      expect(run.stdout, command.path).toContain(`Usage: tokenward ${command.usage}`);
      for (const option of Object.keys(command.options ?? {}))
        expect(run.stdout, command.path).toContain(`--${option}`);
      expect(run.stdout).toContain('--as USER');
    }
    const group = await cli(dir, ['users', '--help']);
    expect([group.code, group.stdout]).toEqual([0, expect.stringContaining('users add NAME')]);
    const bare = await cli(dir, ['roles']);
    expect([bare.code, bare.stderr]).toEqual([2, expect.stringContaining('roles remove NAME')]);
  });

  it('answers a wrong command line with exit 2 and where to look', async () => {
    const dir = workDir();
    for (const [args, message] of [
      [['frobnicate'], 'unknown command: frobnicate'],
      [['users', 'promote', 'x'], 'unknown command: users promote'],
      [['list', '--frob'], "Unknown option '--frob'"],
      [['users', 'add'], 'an argument is missing'],
      [['users', 'show', 'a', 'b'], 'unexpected argument: b'],
      [['issue', '--ttl'], "Option '--ttl <value>' argument missing"],
      [['list', '--all', '--administrative'], '--administrative and --all cannot be combined'],
    ] as const) {
      const run = await cli(dir, [...args]);
      expect([run.code, run.stdout], args.join(' ')).toEqual([2, '']);
      expect(run.stderr, args.join(' ')).toContain(message);
      expect(run.stderr).toMatch(/See: tokenward .*--help\n$/);
    }
    const json = await cli(dir, ['frobnicate', '--json']);
    expect(JSON.parse(json.stderr)).toEqual({ error: { code: 'usage', message: 'unknown command: frobnicate' } });
  });
});

describe('docs/cli.md', () => {
  it('documents every command, every option and every exit code', () => {
    for (const command of COMMANDS) {
      expect(DOC, command.path).toMatch(new RegExp(`(tokenward |\`)${command.path}[ \`]`));
    }
    const options = new Set([
      ...Object.keys(GLOBAL_OPTIONS),
      ...COMMANDS.flatMap((command) => Object.keys(command.options ?? {})),
    ]);
    for (const option of options) expect(DOC, option).toContain(`--${option}`);
    for (const code of Object.values(EXIT)) expect(DOC, String(code)).toMatch(new RegExp(`^\\| ${code} +\\| `, 'm'));
  });
});
