/**
 * The CLI whose reader goes away (`tokenward list | head -1`, a closed
 * pipe): it ends quietly with exit 7 (docs/cli.md), no unhandled `'error'`
 * event, no stack trace; `issue` whose secret could not be written at all
 * revokes the new token and says so.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliBinary, cliJson, PEPPER, type Run, seededDir, startCli } from './support.js';

/**
 * Runs the CLI with fd 1 closed before node starts (`>&-`) or, for
 * comparison, on /dev/null as `stdio: 'ignore'` opens it; exit code and stderr.
 */
async function withStdoutGone(dir: string, args: readonly string[], how: 'closed' | 'ignored'): Promise<Run> {
  const node = [process.execPath, await cliBinary(), ...args];
  const env: NodeJS.ProcessEnv = { ...process.env, TOKENWARD_PEPPER: PEPPER, DATABASE_URL: undefined };
  const child =
    how === 'closed'
      ? spawn('/bin/sh', ['-c', 'exec "$@" >&-', 'sh', ...node], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(node[0]!, node.slice(1), { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((done) => child.once('close', done));
  return { code, stdout: '', stderr };
}

/** Runs the CLI with its stdout closed before it starts writing (the reader is gone). */
async function withStdoutClosed(dir: string, args: readonly string[], input = ''): Promise<Run> {
  const child = await startCli(dir, args);
  child.stdout.destroy();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(input);
  const code = await new Promise<number | null>((done) => child.once('close', done));
  return { code, stdout: '', stderr };
}

describe('tokenward with its output closed', () => {
  it('ends quietly with exit 7 for a listing, a script and the shell', async () => {
    const dir = await seededDir();
    for (const [args, input] of [
      [['--as', 'alice', 'list'], ''],
      [['users', 'list', '--json'], ''],
      [['--as', 'alice', 'sql', 'SHOW API TOKENS; SHOW API TOKENS;'], ''],
      [['--as', 'alice', 'shell'], 'SHOW API TOKENS;\nSHOW API TOKENS;\n'],
    ] as const) {
      const run = await withStdoutClosed(dir, args, input);
      expect([args.join(' '), run.code, run.stderr]).toEqual([args.join(' '), 7, '']);
    }
  });

  it('revokes a token issued whose secret could not be written, and exits 7', async () => {
    const dir = await seededDir();
    for (const json of [[], ['--json']]) {
      const run = await withStdoutClosed(dir, ['--as', 'alice', 'issue', 'lost', ...json]);
      expect(run.code).toBe(7);
      expect(run.stderr).toMatch(
        /^tokenward: the output was closed before the token's secret was written: token \w+ was revoked\n$/,
      );
      const listed = await cliJson<{ items: { name: string; status: string }[] }>(dir, [
        '--as',
        'alice',
        'list',
        '--include-revoked',
      ]);
      expect(listed.json.items.filter((token) => token.name === 'lost').map((token) => token.status)).toEqual(
        json.length === 0 ? ['revoked'] : ['revoked', 'revoked'],
      );
    }
  });

  it('tells a rotation whose new secret could not be written to rotate again, and exits 7', async () => {
    const dir = await seededDir();
    await cliJson(dir, ['--as', 'alice', 'issue', 'kept']);
    const run = await withStdoutClosed(dir, ['--as', 'alice', 'rotate', 'kept', '--grace', '1h']);
    expect(run.code).toBe(7);
    expect(run.stderr).toMatch(/new secret of token \w+ was written: rotate it again/);
  });

  // The limit docs/cli.md states next to exit 7: node reopens a closed fd 1 on
  // /dev/null (read-write) before any of our code runs, exactly as libuv's and
  // Python's "discard the output" do, so `>&-` cannot be told from a caller that
  // chose to throw the answer away. The token stays live and the exit is 0.
  it('cannot tell stdout closed by >&- from output sent to /dev/null on purpose: both exit 0, token live', async () => {
    const dir = await seededDir();
    for (const how of ['closed', 'ignored'] as const) {
      const run = await withStdoutGone(dir, ['--as', 'alice', 'issue', `gone_${how}`], how);
      expect([how, run.code, run.stderr]).toEqual([how, 0, '']);
    }
    const listed = await cliJson<{ items: { name: string; status: string }[] }>(dir, ['--as', 'alice', 'list']);
    expect(listed.json.items.map(({ name, status }) => [name, status]).sort()).toEqual([
      ['gone_closed', 'active'],
      ['gone_ignored', 'active'],
    ]);
  });
});
