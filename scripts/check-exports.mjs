// Fails when package.json's exports map and entries.json (what tsup builds) disagree,
// or when a built file an export points at is missing. Entries in entries.json's
// esmOnly list are exported as ES modules only (types and default, no CommonJS
// build); every other entry has both builds. Data files (`./openapi.json`) are
// exported as themselves and must exist.
import { existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const listed = JSON.parse(readFileSync('entries.json', 'utf8'));
const esmOnly = new Set(listed.esmOnly ?? []);
const entries = Object.fromEntries(Object.entries(listed).filter(([key]) => key.startsWith('.')));
const problems = [];
const isData = (key) => key.endsWith('.json');
for (const key of Object.keys(pkg.exports).filter(isData)) {
  if (pkg.exports[key] !== `./${key.slice(2)}`) problems.push(`exports[${key}] must be the file itself`);
  if (!existsSync(key)) problems.push(`${key} is missing`);
}
const exported = Object.keys(pkg.exports).filter((key) => !isData(key));
for (const subpath of Object.keys(entries)) {
  if (!exported.includes(subpath)) problems.push(`entries.json has ${subpath} but package.json does not export it`);
}
for (const subpath of exported) {
  if (!(subpath in entries)) {
    problems.push(`package.json exports ${subpath} but entries.json does not build it`);
    continue;
  }
  const name = subpath === '.' ? 'index' : subpath.slice(2);
  const expected = esmOnly.has(subpath)
    ? { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` }
    : {
        import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
        require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
      };
  const actual = pkg.exports[subpath];
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    problems.push(`exports[${subpath}] is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
  const files = esmOnly.has(subpath)
    ? Object.values(expected)
    : Object.values(expected).flatMap((condition) => Object.values(condition));
  for (const file of files) if (!existsSync(file)) problems.push(`${file} is missing: run the build first`);
  if (esmOnly.has(subpath) && existsSync(`./dist/${name}.cjs`)) {
    problems.push(`dist/${name}.cjs exists, but ${subpath} is ES modules only`);
  }
}
if (problems.length > 0) {
  console.error(`check-exports: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`check-exports: ${exported.length} subpath exports match entries.json and the build`);
