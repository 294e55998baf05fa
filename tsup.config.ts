import { readFileSync, rmSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

// Entries come from entries.json so the build and the exports map cannot drift.
const entries = JSON.parse(readFileSync(new URL('./entries.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const esmOnly = new Set(entries.esmOnly as readonly string[]);
const subpaths = Object.entries(entries).filter((pair): pair is [string, string] => pair[0].startsWith('.'));

/** The entries whose subpath passes `keep`, named as their files in dist/. */
function entry(keep: (subpath: string) => boolean): Record<string, string> {
  return Object.fromEntries(
    subpaths
      .filter(([subpath]) => keep(subpath))
      .map(([subpath, file]) => [subpath === '.' ? 'index' : subpath.slice(2), file]),
  );
}

const common: Options = {
  dts: true,
  // No source maps in the package: dist/ is unminified, so stack traces read
  // well without them, and maps were most of the install (issue 14). Maps
  // without their sources would point at files the package does not ship.
  sourcemap: false,
  // The two builds below run at the same time, so neither may clean: dist/ is emptied once, here.
  clean: false,
  target: 'node20',
  splitting: true,
  treeshake: true,
  // Keep `node:crypto` as written: some runtimes with Node compatibility
  // (Cloudflare Workers' nodejs_compat) know built-ins only by `node:` names.
  removeNodeProtocol: false,
};

rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });

// Every entry as ES modules, sharing one set of chunks; CommonJS for all but
// the ESM-only ones (`tokenward/testing`, a development tool for test files).
// The `tokenward` executable (package.json `bin`): ES modules only, built with the entries so that it shares
// their chunks; its shebang line is kept and the file made executable.
const BIN = { cli: 'src/cli/main.ts' };

export default defineConfig([
  { ...common, entry: { ...entry(() => true), ...BIN }, format: ['esm'] },
  {
    ...common,
    entry: entry((subpath) => !esmOnly.has(subpath)),
    format: ['cjs'],
  },
]);
