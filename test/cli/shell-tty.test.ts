/**
 * `tokenward shell` on a terminal: run under util-linux `script`, which
 * gives it a real pseudo-terminal. It prompts, keeps a history file of what
 * was typed (owner-only), and never writes a claim code or a token string
 * to it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliBinary, cliJson, PEPPER, seededDir } from './support.js';

const SCRIPT = '/usr/bin/script';
const quote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;

/** `tokenward --as alice shell` in `dir` on a pseudo-terminal, its history in `dir/history`. */
async function shellSession(dir: string) {
  const history = join(dir, 'history');
  const command = [process.execPath, await cliBinary(), '--as', 'alice', 'shell'].map(quote).join(' ');
  const child = spawn(SCRIPT, ['-qec', command, '/dev/null'], {
    cwd: dir,
    env: { ...process.env, TOKENWARD_PEPPER: PEPPER, TOKENWARD_HISTORY: history, TERM: 'dumb' },
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  // Prompts of both kinds: a new statement's and a continued one's.
  const prompts = (): number => output.split(/tokenward> | {8}-> /).length - 1;
  /** Types a line once the shell has shown its `n`th prompt. */
  const type = async (line: string, n: number): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (prompts() < n) {
      if (Date.now() > deadline) throw new Error(`no prompt ${n}: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    child.stdin.write(`${line}\n`);
  };
  const closed = new Promise<number | null>((done) => child.once('close', done));
  return { history, type, closed, output: () => output };
}

describe.skipIf(!existsSync(SCRIPT))('tokenward shell on a terminal', () => {
  it('keeps a statement holding a claim code, a token or a JWT out of the history whole, on any of its lines', async () => {
    const dir = await seededDir();
    const issued = await cliJson(dir, ['--as', 'alice', 'issue', 'ci']);
    const token = issued.json.token as string;
    const shared = await cliJson(dir, ['--as', 'alice', 'sql', 'SHARE API TOKEN ci;']);
    const code = JSON.stringify(shared.json).match(/tw_claim_[0-9A-Za-z]+/)![0];
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW5vdC1jaGVja2Vk';
    const session = await shellSession(dir);
    const lines = [
      'SHOW API TOKENS;',
      'CLAIM API TOKEN',
      `'${code}';`,
      'DROP API TOKEN',
      `'${token}';`,
      "ALTER API TOKEN ci SET COMMENT '",
      `${token.slice(0, 30)}`,
      `${token.slice(30)}';`,
      `ALTER API TOKEN ci SET COMMENT '${jwt}';`,
      'DROP API TOKEN nothing;',
      '\\q',
    ];
    for (const [i, line] of lines.entries()) await session.type(line, i + 1);
    expect(await session.closed).toBe(0);
    // The up-arrow history of the session is what is saved: nothing of the secret statements is in it.
    const kept = readFileSync(session.history, 'utf8');
    expect(kept.split('\n')).toEqual(['SHOW API TOKENS;', 'DROP API TOKEN nothing;', '\\q', '']);
  });

  it('prompts, keeps its history without secrets, and exits 0 when left', async () => {
    const dir = await seededDir();
    const issued = await cliJson(dir, ['--as', 'alice', 'issue', 'ci']);
    const token = issued.json.token as string;
    const { history, type, closed, output } = await shellSession(dir);
    await type('SHOW API TOKENS;', 1);
    await type("CLAIM API TOKEN 'not-a-code';", 2);
    await type(`-- pasted by mistake: ${token}`, 3);
    await type('DROP API TOKEN nothing;', 4);
    await type('\\q', 5);
    expect(await closed).toBe(0);
    expect(output()).toContain('| ci ');
    expect(output()).toContain('not_found: token not found');
    const kept = readFileSync(history, 'utf8');
    expect(kept.split('\n')).toEqual(['SHOW API TOKENS;', 'DROP API TOKEN nothing;', '\\q', '']);
    expect(kept).not.toContain(token.slice(-30));
    expect(statSync(history).mode & 0o777).toBe(0o600);
  });
});
