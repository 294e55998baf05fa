/**
 * The `tokenward` CLI as people run it: a real child process of the built
 * executable (src/cli/main.ts built with tsup into .tmp/, once per test
 * file, as `npm run build` builds it into dist/), in a folder of its own,
 * with its stdin, stdout, stderr and exit code.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'tsup';
import { afterAll } from 'vitest';

/** A pepper for the tests (at least 32 bytes). */
export const PEPPER = 'cli-test-pepper-0123456789abcdefghijklmnopqrstuvwxyz';

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed. */
  readonly input?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `node` options before the executable (a loader, say). */
  readonly nodeOptions?: readonly string[];
}

let built: Promise<string> | undefined;
const dirs: string[] = [];

/** Builds the executable once per test file; its path. */
export function cliBinary(): Promise<string> {
  built ??= (async () => {
    mkdirSync('.tmp', { recursive: true });
    const outDir = resolve(mkdtempSync(join('.tmp', 'cli-')));
    dirs.push(outDir);
    // `config: false`: tsup.config.ts empties dist/, which this build must leave alone.
    await build({
      config: false,
      entry: { cli: 'src/cli/main.ts' },
      format: ['esm'],
      outDir,
      splitting: true,
      silent: true,
      target: 'node20',
      removeNodeProtocol: false,
    });
    // The page's files sit next to the built modules, as in dist/.
    cpSync('src/web/assets', join(outDir, 'assets'), { recursive: true });
    return join(outDir, 'cli.js');
  })();
  return built;
}

/** A fresh empty folder to run in (the default store, ./tokenward.db, lands there). */
export function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tokenward-cli-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The environment of a run: the pepper, nothing of the outer database settings. */
function environment(extra: RunOptions['env']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TOKENWARD_PEPPER: PEPPER };
  for (const name of ['DATABASE_URL', 'TOKENWARD_TENANT', 'TOKENWARD_PREFIX', 'TOKENWARD_HISTORY']) delete env[name];
  for (const [name, value] of Object.entries(extra ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Starts the CLI with `args` in `cwd`, without waiting for it. */
export async function startCli(cwd: string, args: readonly string[], options: RunOptions = {}) {
  const binary = await cliBinary();
  return spawn(process.execPath, [...(options.nodeOptions ?? []), binary, ...args], {
    cwd,
    env: environment(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs the CLI with `args` in `cwd` to its end. */
export async function cli(cwd: string, args: readonly string[], options: RunOptions = {}): Promise<Run> {
  const child = await startCli(cwd, args, options);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(options.input ?? '');
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', (exit) => done(exit));
  });
  return { code, stdout, stderr };
}

/** Runs the CLI with `--json` and parses its stdout. */
export async function cliJson<T = Record<string, unknown>>(
  cwd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<{ run: Run; json: T }> {
  const run = await cli(cwd, [...args, '--json'], options);
  let json: T;
  try {
    json = JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
  return { run, json };
}

/** The tables of an answer (`+----+` tables one after the other), each as rows keyed by its header. */
export function tablesOf(text: string): Record<string, string>[][] {
  const lines = text.split('\n');
  const isRule = (line: string | undefined): boolean => line !== undefined && /^\+(-+\+)+$/.test(line);
  const cells = (line: string): string[] =>
    line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim());
  const tables: Record<string, string>[][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!isRule(lines[i]) || !lines[i + 1]?.startsWith('|') || !isRule(lines[i + 2])) continue;
    const header = cells(lines[i + 1]!);
    const rows: Record<string, string>[] = [];
    let next = i + 3;
    for (; lines[next]?.startsWith('|'); next++) {
      const row = cells(lines[next]!);
      rows.push(Object.fromEntries(header.map((name, column) => [name, row[column]!])));
    }
    tables.push(rows);
    // A table with rows ends with one more rule.
    i = rows.length > 0 ? next : next - 1;
  }
  return tables;
}

/** The rows of the answer's tables, all together. */
export function tableRows(text: string): Record<string, string>[] {
  return tablesOf(text).flat();
}

/** A folder with a store whose tenant `default` has the admin alice, the role service_accounts and analyst in it. */
export async function seededDir(): Promise<string> {
  const dir = workDir();
  for (const args of [
    ['users', 'add', 'alice', '--admin'],
    ['roles', 'add', 'service_accounts', '--grant', 'bucket:in.c-main:read'],
    ['users', 'add', 'analyst', '--role', 'service_accounts', '--grant', 'scope:reports'],
    ['users', 'add', 'bob'],
  ]) {
    const run = await cli(dir, args);
    if (run.code !== 0) throw new Error(`seeding failed: ${args.join(' ')}: ${run.stderr}`);
  }
  return dir;
}
