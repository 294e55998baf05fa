/**
 * The CLI blocks of README.md ("The CLI in five lines") and docs/cli.md run
 * as written, line by line in a fresh folder, through the built executable
 * (`npx tokenward` is routed to it; everything else, `jq` included, is the
 * real thing). A block that drifts from the CLI fails here.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliBinary, workDir } from './support.js';

/** The first ```sh block after `heading` in `file`. */
function shellBlock(file: string, heading: string): string {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(heading);
  expect(start, `${file} has the heading ${heading}`).toBeGreaterThanOrEqual(0);
  const block = /```sh\n([\s\S]*?)```/.exec(text.slice(start));
  expect(block, `${file} has a sh block after ${heading}`).not.toBeNull();
  return block![1]!;
}

/** Runs `script` with bash -e in `cwd`, `npx tokenward` being the built CLI. */
async function runBlock(script: string, cwd: string): Promise<{ code: number | null; output: string }> {
  const binary = await cliBinary();
  const prelude = [
    'set -e -o pipefail',
    `npx() { if [ "$1" = tokenward ]; then shift; node ${JSON.stringify(binary)} "$@"; else command npx "$@"; fi; }`,
  ].join('\n');
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['TOKENWARD_PEPPER', 'DATABASE_URL', 'TOKENWARD_TENANT', 'TOKENWARD_PREFIX']) delete env[name];
  const child = spawn('bash', ['-c', `${prelude}\n${script}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', done);
  });
  return { code, output };
}

describe('the documented CLI blocks run as written', () => {
  it.each([
    ['README.md', '## The CLI in five lines'],
    ['docs/cli.md', '# The `tokenward` command line'],
  ])(
    '%s',
    async (file, heading) => {
      const block = shellBlock(file, heading);
      const { code, output } = await runBlock(block, workDir());
      expect({ code, output }).toMatchObject({ code: 0 });
      // The last line verifies the issued token and says so.
      expect(output.trimEnd().split('\n').at(-1)).toBe('valid');
    },
    120_000,
  );
});
