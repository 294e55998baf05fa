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

describe.skipIf(!existsSync(SCRIPT))('tokenward shell on a terminal', () => {
  it('prompts, keeps its history without secrets, and exits 0 when left', async () => {
    const dir = await seededDir();
    const issued = await cliJson(dir, ['--as', 'alice', 'issue', 'ci']);
    const token = issued.json.token as string;
    const history = join(dir, 'history');
    const command = [process.execPath, await cliBinary(), '--as', 'alice', 'shell'].map(quote).join(' ');
    const child = spawn(SCRIPT, ['-qec', command, '/dev/null'], {
      cwd: dir,
      env: { ...process.env, TOKENWARD_PEPPER: PEPPER, TOKENWARD_HISTORY: history, TERM: 'dumb' },
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const prompts = (): number => output.split('tokenward> ').length - 1;
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
    await type('SHOW API TOKENS;', 1);
    await type("CLAIM API TOKEN 'not-a-code';", 2);
    await type(`-- pasted by mistake: ${token}`, 3);
    await type('DROP API TOKEN nothing;', 4);
    await type('\\q', 5);
    expect(await closed).toBe(0);
    expect(output).toContain('| ci ');
    expect(output).toContain('not_found: token not found');
    const kept = readFileSync(history, 'utf8');
    expect(kept.split('\n')).toEqual(['SHOW API TOKENS;', 'DROP API TOKEN nothing;', '\\q', '']);
    expect(kept).not.toContain(token.slice(-30));
    expect(statSync(history).mode & 0o777).toBe(0o600);
  });
});
