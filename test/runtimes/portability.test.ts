/**
 * Issue 14, every runtime: the portability scenario (scenario.ts: issue,
 * verify, rotate, share and claim, revoke, JWT sign and verify, the Fetch
 * API guard, on the memory store) bundled from the sources into one ES
 * module, then run by Node, Bun, Deno and workerd, each from its npm
 * package (node_modules/.bin). A runtime that is missing or fails is a
 * failure, not a skip.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const STEPS = [
  'issue',
  'verify',
  'rotate',
  'share and claim',
  'claim is single-use',
  'fetch guard',
  'revoke',
  'JWT sign and verify (EdDSA)',
  'JWT sign and verify (ES256)',
  'JWT sign and verify (HS256)',
];
const BIN = resolve('node_modules/.bin');
// Prints the steps as one JSON line; the scenario throws (a non-zero exit) when one fails.
const MAIN = `import { scenario } from './scenario.mjs';\nconsole.log(JSON.stringify({ passed: await scenario() }));\n`;
// workerd runs the exported test handler (\`workerd test\`); its console goes to the output too.
const WORKER = `import { scenario } from './scenario.mjs';
export default {
  async test() {
    console.log(JSON.stringify({ passed: await scenario() }));
  },
};
`;
const CONFIG = `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "portability", worker = .worker)],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "scenario.mjs", esModule = embed "scenario.mjs"),
  ],
  compatibilityDate = "2026-11-01",
);
`;

let dir = '';

beforeAll(async () => {
  mkdirSync('.tmp', { recursive: true });
  dir = mkdtempSync(join('.tmp', 'runtimes-'));
  // One self-contained ES module for platforms without Node: jose, @noble/hashes and ulid inside.
  await build({
    entry: { scenario: 'test/runtimes/scenario.ts' },
    outDir: dir,
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    noExternal: [/.*/],
    outExtension: () => ({ js: '.mjs' }),
    dts: false,
    sourcemap: false,
    splitting: false,
    silent: true,
    config: false,
  });
  writeFileSync(join(dir, 'main.mjs'), MAIN);
  writeFileSync(join(dir, 'worker.mjs'), WORKER);
  writeFileSync(join(dir, 'config.capnp'), CONFIG);
}, 60_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** The steps a runtime's output reports as passed. */
function passedIn(output: string): string[] {
  const line = output.split('\n').find((text) => text.includes('{"passed":'));
  if (line === undefined) return [];
  return (JSON.parse(line.slice(line.indexOf('{"passed":'))) as { passed: string[] }).passed;
}

const RUNTIMES: readonly (readonly [string, () => [string, string[]]])[] = [
  ['node', () => [process.execPath, ['main.mjs']]],
  ['bun', () => [join(BIN, 'bun'), ['main.mjs']]],
  ['deno', () => [join(BIN, 'deno'), ['run', '--no-prompt', '--no-config', '--no-lock', 'main.mjs']]],
  ['workerd', () => [join(BIN, 'workerd'), ['test', 'config.capnp']]],
];

describe.each(RUNTIMES)('the portability scenario on %s', (name, command) => {
  it('passes every step', async () => {
    const [file, args] = command();
    expect(file === process.execPath || existsSync(file), `${name} is not installed (npm ci installs it)`).toBe(true);
    const { stdout, stderr } = await run(file, args, {
      cwd: dir,
      timeout: 20_000,
      env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(resolve(dir), 'deno') },
    });
    expect(passedIn(`${stdout}\n${stderr}`), `${name} output:\n${stdout}\n${stderr}`).toEqual(STEPS);
  });
});
