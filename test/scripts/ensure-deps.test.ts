/**
 * `scripts/ensure-deps.mjs` (the pre-script of `npm test`, `demo` and `bench`)
 * runs `npm ci` only when a package of package-lock.json is missing or at
 * another version: a lock newer than node_modules (a fresh clone, a checkout)
 * with everything installed must not wipe and reinstall it. Run in a folder
 * of its own with an `npm` on PATH that only records that it was called.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const LOCK = {
  name: 'app',
  lockfileVersion: 3,
  packages: {
    '': { name: 'app', dependencies: { 'left-pad': '^1.3.0' } },
    'node_modules/left-pad': { version: '1.3.0' },
    'node_modules/left-pad/node_modules/nested': { version: '2.0.0' },
    'node_modules/fsevents': { version: '2.3.3', optional: true, os: ['darwin'] },
  },
};

/** A project folder with the lock and the given installed packages (path → version). */
function project(installed: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tokenward-deps-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'scripts'));
  for (const file of ['ensure-deps.mjs', 'installed-deps.mjs']) {
    cpSync(resolve('scripts', file), join(dir, 'scripts', file));
  }
  for (const [path, version] of Object.entries(installed)) {
    mkdirSync(join(dir, path), { recursive: true });
    writeFileSync(join(dir, path, 'package.json'), JSON.stringify({ version }));
  }
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', '.package-lock.json'), JSON.stringify(LOCK));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(LOCK));
  // The lock is newer than the install, as after a fresh clone or a checkout.
  utimesSync(join(dir, 'node_modules', '.package-lock.json'), new Date(2020, 0, 1), new Date(2020, 0, 1));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'npm'), `#!/bin/sh\necho "$@" > "${join(dir, 'npm-called')}"\n`);
  chmodSync(join(bin, 'npm'), 0o755);
  return dir;
}

function ensureDeps(dir: string): { status: number | null; npm: boolean } {
  const run = spawnSync(process.execPath, ['scripts/ensure-deps.mjs'], {
    cwd: dir,
    env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` },
    encoding: 'utf8',
  });
  return { status: run.status, npm: existsSync(join(dir, 'npm-called')) };
}

const COMPLETE = { 'node_modules/left-pad': '1.3.0', 'node_modules/left-pad/node_modules/nested': '2.0.0' };

describe('ensure-deps', () => {
  it('leaves a complete install alone, however old it is next to the lock', () => {
    expect(ensureDeps(project(COMPLETE))).toEqual({ status: 0, npm: false });
  });

  it.each([
    ['a package is missing', { 'node_modules/left-pad': '1.3.0' }],
    ['a package is at another version', { ...COMPLETE, 'node_modules/left-pad': '1.1.0' }],
    ['node_modules is empty (an interrupted npm ci)', {}],
  ])('installs when %s', (_label, installed) => {
    expect(ensureDeps(project(installed))).toEqual({ status: 0, npm: true });
  });
});
