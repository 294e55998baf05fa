import { readFileSync } from 'node:fs';
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
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
});
