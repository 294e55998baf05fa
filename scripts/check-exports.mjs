// Fails when package.json's exports map and entries.json (what tsup builds) disagree,
// or when a built file an export points at is missing.
import { existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const entries = JSON.parse(readFileSync('entries.json', 'utf8'));
delete entries['//'];
const problems = [];
const exported = Object.keys(pkg.exports).filter((key) => key !== './package.json');
for (const subpath of Object.keys(entries)) {
  if (!exported.includes(subpath)) problems.push(`entries.json has ${subpath} but package.json does not export it`);
}
for (const subpath of exported) {
  if (!(subpath in entries)) {
    problems.push(`package.json exports ${subpath} but entries.json does not build it`);
    continue;
  }
  const name = subpath === '.' ? 'index' : subpath.slice(2);
  const expected = {
    import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
    require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
  };
  for (const condition of ['import', 'require']) {
    for (const kind of ['types', 'default']) {
      const actual = pkg.exports[subpath]?.[condition]?.[kind];
      if (actual !== expected[condition][kind]) {
        problems.push(`exports[${subpath}].${condition}.${kind} is ${actual}, expected ${expected[condition][kind]}`);
      } else if (!existsSync(actual)) {
        problems.push(`${actual} is missing: run the build first`);
      }
    }
  }
}
if (problems.length > 0) {
  console.error(`check-exports: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`check-exports: ${exported.length} subpath exports match entries.json and the build`);
