/**
 * Errors across builds: the CommonJS and the ES module build of tokenward
 * can be loaded side by side in one process (a service made with
 * `require('tokenward')`, middleware imported from `tokenward/express`).
 * Their `TokenError` classes differ, so every check recognizes a
 * `TokenError` by its registered brand instead: a bad token still answers
 * 401, and a store's `conflict` is still a conflict.
 *
 * Runs against a real build of the package (tsup, without type
 * declarations) made into .tmp/ for this test, so `npm test` needs no
 * earlier `npm run build`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SUBPATHS = ['.', './memory', './express'];

const CHECK = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const cjs = require('tokenward');
const esm = await import('tokenward');
const { tokenAuth } = await import('tokenward/express');
const express = (await import('express')).default;

const pepper = 'a-pepper-of-at-least-thirty-two-bytes!!';
const service = cjs.createTokenService({ repository: cjs.memoryRepository(), pepper });
const app = express();
app.use(tokenAuth(service));
app.get('/', (_req, res) => res.json({ ok: true }));
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const response = await fetch('http://127.0.0.1:' + server.address().port + '/', {
  headers: { authorization: 'Bearer not-a-token' },
});
server.close();

// A store from the CommonJS build under a service from the ES module build.
const mixed = esm.createTokenService({ repository: cjs.memoryRepository(), pepper });
const input = { type: 'administrative', name: 'ci', tenant: 'acme' };
await mixed.issue(input, 'system');
const second = await mixed.issue(input, 'system').then(() => 'issued', (error) => error.code);

const cjsError = new cjs.TokenError('conflict', 'x');
console.log(JSON.stringify({
  fromThisBuild: require.resolve('tokenward').startsWith(process.cwd()),
  status: response.status,
  classesDiffer: cjs.TokenError !== esm.TokenError,
  isTokenError: esm.isTokenError(cjsError, 'conflict') && cjs.isTokenError(new esm.TokenError('conflict', 'x')),
  instanceOf: cjsError instanceof esm.TokenError && new esm.TokenError('conflict', 'x') instanceof cjs.TokenError,
  second,
}));
`;

const run = promisify(execFile);
let dir = '';

beforeAll(async () => {
  mkdirSync('.tmp', { recursive: true });
  dir = mkdtempSync(join('.tmp', 'builds-'));
  const packageDir = join(dir, 'node_modules', 'tokenward');
  const listed = JSON.parse(readFileSync('entries.json', 'utf8')) as Record<string, string>;
  const entry = Object.fromEntries(
    SUBPATHS.map((subpath) => [subpath === '.' ? 'index' : subpath.slice(2), listed[subpath]!]),
  );
  // `config: false`: tsup.config.ts empties dist/, which this build must leave alone.
  await build({
    config: false,
    entry,
    format: ['esm', 'cjs'],
    outDir: join(packageDir, 'dist'),
    splitting: true,
    silent: true,
    target: 'node20',
    removeNodeProtocol: false,
  });
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, unknown> };
  const exports = Object.fromEntries(SUBPATHS.map((subpath) => [subpath, pkg.exports[subpath]]));
  writeFileSync(join(packageDir, 'package.json'), JSON.stringify({ name: 'tokenward', type: 'module', exports }));
  writeFileSync(join(dir, 'check.mjs'), CHECK);
  // A package of its own: inside the repository's, 'tokenward' would name the repository itself (self-reference).
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'tokenward-builds-check', private: true, type: 'module' }),
  );
}, 120_000);

afterAll(() => {
  if (dir !== '' && !process.env.KEEP) rmSync(dir, { recursive: true, force: true });
});

describe('the CommonJS and ES module builds side by side', () => {
  it('agree on what a TokenError is: 401 for a bad token, conflict from a store of the other build', async () => {
    const { stdout } = await run(process.execPath, ['check.mjs'], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual({
      fromThisBuild: true,
      status: 401,
      classesDiffer: true,
      isTokenError: true,
      instanceOf: true,
      second: 'conflict',
    });
  });
});
