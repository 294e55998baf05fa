// Runs before `npm test`, `npm run demo` and `npm run bench` (as their pre-scripts) so that
// on a fresh clone those commands do all the set-up themselves: it installs the locked
// dependencies when a package of package-lock.json is missing from node_modules or at
// another version (scripts/installed-deps.mjs; never by timestamps), and, with
// --postgres, installs PostgreSQL's server binaries and PgBouncer from Debian's packages
// when they are missing and we are root (the tests start their own server and poolers;
// without them they skip loudly, or fail with TOKENWARD_REQUIRE_PG=1). With --browser it
// installs Debian's chromium the same way, for the tokens page's end-to-end test (driven
// by playwright-core, which downloads no browser; without it the test skips loudly, or
// fails with TOKENWARD_REQUIRE_BROWSER=1).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { missingPackages } from './installed-deps.mjs';

const missingDeps = missingPackages('.');
if (missingDeps.length > 0) {
  const shown = missingDeps.slice(0, 3).map((path) => path.replace(/^.*node_modules\//, ''));
  const more = missingDeps.length > 3 ? ` and ${missingDeps.length - 3} more` : '';
  console.log(`ensure-deps: ${shown.join(', ')}${more} not installed as locked; installing (npm ci)…`);
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

// The PostgreSQL tests start their own server, and PgBouncer in front of it for the pooler tests.
const missing = [];
if (process.argv.includes('--postgres')) {
  if (!process.env.TOKENWARD_TEST_PG_URL && !hasPostgres()) missing.push('postgresql');
  if (!existsSync('/usr/sbin/pgbouncer')) missing.push('pgbouncer');
}
if (process.argv.includes('--browser') && !existsSync(process.env.TOKENWARD_CHROMIUM ?? '/usr/bin/chromium')) {
  missing.push('chromium');
}
if (missing.length > 0) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && existsSync('/usr/bin/apt-get')) {
    console.log(
      `ensure-deps: installing ${missing.join(' and ')} for the tests (apt-get install ${missing.join(' ')})…`,
    );
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
      execFileSync('apt-get', ['install', '-y', '-qq', ...missing], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch {
      console.warn(`ensure-deps: could not install ${missing.join(' and ')}; those tests will be skipped (loudly).`);
    }
  } else {
    console.warn(`ensure-deps: ${missing.join(' and ')} not installed; those tests will be skipped (loudly).`);
  }
}
