// Adds lock entries for optional platform packages (e.g. @biomejs/cli-darwin-arm64,
// @rollup/rollup-win32-x64-msvc) that npm left out of package-lock.json because the
// registry this project is built against does not serve them. Without these entries
// `npm ci` refuses the lock as out of sync. Each added entry is optional and carries
// the os/cpu/libc its name states, so npm skips it on other platforms without fetching.
// Run after any change to package-lock.json: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const OS = ['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'openharmony', 'win32', 'sunos', 'aix'];
const CPU = {
  arm64: 'arm64',
  x64: 'x64',
  arm: 'arm',
  ia32: 'ia32',
  loong64: 'loong64',
  ppc64: 'ppc64',
  riscv64: 'riscv64',
  s390x: 's390x',
};

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((part) => OS.includes(part));
  const cpuPart = parts.find((part) => part in CPU || part === 'arm64' || part.startsWith('arm'));
  if (os === undefined || cpuPart === undefined) return null;
  const cpu = CPU[cpuPart] ?? (cpuPart.startsWith('arm') ? 'arm' : undefined);
  if (cpu === undefined) return null;
  const libc = parts.some((part) => part.startsWith('musl'))
    ? 'musl'
    : parts.includes('gnu') || parts.some((part) => part.startsWith('gnueabi'))
      ? 'glibc'
      : undefined;
  return { os: [os], cpu: [cpu], ...(libc === undefined || os !== 'linux' ? {} : { libc: [libc] }) };
}

let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    if (`node_modules/${name}` in lock.packages || `${path}/node_modules/${name}` in lock.packages) continue;
    const platform = platformOf(name);
    if (platform === null || !/^\d+\.\d+\.\d+/.test(spec)) continue;
    lock.packages[`node_modules/${name}`] = { version: spec, dev: entry.dev, optional: true, ...platform };
    added++;
  }
}
// Keep keys sorted the way npm writes them, so later npm runs produce small diffs.
const [root, ...rest] = Object.entries(lock.packages);
lock.packages = Object.fromEntries([root, ...rest.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
for (const entry of Object.values(lock.packages)) if (entry.dev === undefined) delete entry.dev;
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional platform entries`);
