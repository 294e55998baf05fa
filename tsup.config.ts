import { cpSync, readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// Entries come from entries.json so the build and the exports map cannot drift.
const subpaths = JSON.parse(readFileSync(new URL('./entries.json', import.meta.url), 'utf8')) as Record<string, string>;
const entry = Object.fromEntries(
  Object.entries(subpaths)
    .filter(([key]) => key !== '//')
    .map(([subpath, file]) => [subpath === '.' ? 'index' : subpath.slice(2), file]),
);

export default defineConfig({
  entry,
  format: ['esm', 'cjs'],
  dts: true,
  // No source maps in the package: dist/ is unminified, so stack traces read
  // well without them, and maps were most of the install (issue 14). Maps
  // without their sources would point at files the package does not ship.
  sourcemap: false,
  clean: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
  // Keep `node:crypto` as written: some runtimes with Node compatibility
  // (Cloudflare Workers' nodejs_compat) know built-ins only by `node:` names.
  removeNodeProtocol: false,
  // The tokens page's HTML, CSS and script modules, read at run time from `assets` next to
  // the built module (tokenward/web), as they are next to src/web/ in the sources.
  async onSuccess() {
    cpSync('src/web/assets', 'dist/assets', { recursive: true });
  },
});
