// Runs before `npm test`, `npm run demo` and `npm run bench` (as their pre-scripts) so that
// on a fresh clone those commands do all the set-up themselves: it installs the locked
// dependencies when node_modules is missing or older than package-lock.json, and, with
// --postgres, installs PostgreSQL's server binaries from Debian's packages when they are
// missing and we are root (the tests start their own server; without one they skip loudly).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';

const installed = 'node_modules/.package-lock.json';
if (!existsSync(installed) || statSync('package-lock.json').mtimeMs > statSync(installed).mtimeMs) {
  console.log('ensure-deps: installing the locked dependencies (npm ci)…');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
}

function hasPostgres() {
  try {
    return readdirSync('/usr/lib/postgresql').some((version) =>
      existsSync(`/usr/lib/postgresql/${version}/bin/postgres`),
    );
  } catch {
    return false;
  }
}

if (process.argv.includes('--postgres') && !process.env.TOKENWARD_TEST_PG_URL && !hasPostgres()) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && existsSync('/usr/bin/apt-get')) {
    console.log('ensure-deps: installing PostgreSQL server binaries for the tests (apt-get install postgresql)…');
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
      execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql'], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch {
      console.warn('ensure-deps: could not install PostgreSQL; its tests will be skipped (loudly).');
    }
  } else {
    console.warn('ensure-deps: no PostgreSQL server binaries found; its tests will be skipped (loudly).');
  }
}
