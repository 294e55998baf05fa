// A Node loader for the CLI tests: `node --import ./hide-modules.mjs` with
// TOKENWARD_TEST_HIDE=better-sqlite3 (or pg, express; comma-separated) makes
// the named packages unresolvable, exactly as if they were not installed:
// the import fails with Node's own ERR_MODULE_NOT_FOUND. The CLI's code path
// is the real one; only the installation differs.
import { register } from 'node:module';

const hidden = (process.env.TOKENWARD_TEST_HIDE ?? '').split(',').filter(Boolean);
register('./hide-modules-hooks.mjs', { parentURL: import.meta.url, data: { hidden } });
