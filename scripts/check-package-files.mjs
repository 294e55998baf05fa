// Checks the built package as it will be published (run after `npm run build`):
// - every import of a Node built-in in dist/ keeps its `node:` prefix, so
//   runtimes with Node compatibility (Deno, Bun, workerd's nodejs_compat) load
//   `tokenward/node`; `tokenward/node` must import at least one `node:` module;
// - the runtime-agnostic entries and every chunk they pull in import no Node
//   built-in at all;
// - the tarball carries no source maps (nor references to them) and ships the
//   secret-scanner rules;
//   tokenward/secretlint exports secretlint's `creator`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const DIST = 'dist';
const RUNTIME_AGNOSTIC = ['index', 'memory', 'jwt', 'secretlint'];
const SCANNER_FILES = ['scanners/gitleaks.toml', 'scanners/trufflehog.yaml'];
// The OpenAPI document of the operator surface (tokenward/openapi.json).
const DATA_FILES = ['openapi.json'];
const problems = [];

const builtins = new Set(builtinModules.filter((name) => !name.startsWith('_')));
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g;

/** Module specifiers a built file imports (static, dynamic and require). */
function specifiersOf(file) {
  const source = readFileSync(join(DIST, file), 'utf8');
  return [...source.matchAll(SPECIFIER)].map((match) => match[2]);
}

function isBareBuiltin(specifier) {
  return builtins.has(specifier) || builtins.has(specifier.split('/')[0]);
}

const code = readdirSync(DIST).filter((file) => /\.(c?js)$/.test(file));
if (code.length === 0) problems.push('dist/ has no built files: run the build first');
for (const file of code) {
  for (const specifier of specifiersOf(file)) {
    if (isBareBuiltin(specifier)) problems.push(`dist/${file} imports '${specifier}' without the node: prefix`);
  }
  if (/\/\/# sourceMappingURL=/.test(readFileSync(join(DIST, file), 'utf8'))) {
    problems.push(`dist/${file} refers to a source map`);
  }
}

for (const file of ['node.js', 'node.cjs']) {
  if (!existsSync(join(DIST, file))) continue;
  if (!specifiersOf(file).some((specifier) => specifier.startsWith('node:'))) {
    problems.push(`dist/${file} imports no node: module (the native hasher needs node:crypto)`);
  }
}

/** Files reachable from an entry through relative imports. */
function reachable(entry) {
  const seen = new Set();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file) || !existsSync(join(DIST, file))) continue;
    seen.add(file);
    for (const specifier of specifiersOf(file)) {
      if (specifier.startsWith('./')) queue.push(specifier.slice(2));
    }
  }
  return seen;
}

for (const name of RUNTIME_AGNOSTIC) {
  for (const entry of [`${name}.js`, `${name}.cjs`]) {
    for (const file of reachable(entry)) {
      for (const specifier of specifiersOf(file)) {
        if (specifier.startsWith('node:') || isBareBuiltin(specifier)) {
          problems.push(`dist/${entry} must run without Node, but dist/${file} imports '${specifier}'`);
        }
      }
    }
  }
}

// secretlint loads a rule by its `creator` export, from either module format.
const esmRule = existsSync('dist/secretlint.js') ? await import(pathToFileURL('dist/secretlint.js').href) : {};
const cjsRule = existsSync('dist/secretlint.cjs') ? createRequire(import.meta.url)('../dist/secretlint.cjs') : {};
for (const [file, rule] of [
  ['dist/secretlint.js', esmRule],
  ['dist/secretlint.cjs', cjsRule],
]) {
  if (rule.creator?.meta?.id !== 'tokenward/secretlint' || typeof rule.creator.create !== 'function') {
    problems.push(`${file} does not export a secretlint rule creator`);
  }
}

const [pack] = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' }),
);
const packed = new Set(pack.files.map((file) => file.path));
for (const path of packed) if (path.endsWith('.map')) problems.push(`the tarball carries the source map ${path}`);
for (const path of [...SCANNER_FILES, ...DATA_FILES]) if (!packed.has(path)) problems.push(`the tarball lacks ${path}`);

if (problems.length > 0) {
  console.error(`check-package-files: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
const kb = (bytes) => `${(bytes / 1024).toFixed(0)} kB`;
console.log(
  `check-package-files: ${code.length} built files keep node: prefixes; ${pack.entryCount} files, ` +
    `${kb(pack.size)} packed, ${kb(pack.unpackedSize)} unpacked, no source maps`,
);
