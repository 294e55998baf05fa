// Which of package-lock.json's packages are not installed as locked: read by
// scripts/ensure-deps.mjs to decide whether `npm ci` must run. It compares what is
// there, not timestamps: a fresh clone or a checkout that touches the lock leaves
// a complete node_modules alone, and a half-finished install (interrupted `npm ci`)
// is seen as incomplete.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Packages npm may leave out: optional ones, and those for another os or CPU. */
function mayBeAbsent(entry) {
  return entry.optional === true || entry.devOptional === true || entry.os !== undefined || entry.cpu !== undefined;
}

/**
 * The lock's package paths (`node_modules/…`) in `root` that are missing or at
 * another version than locked; an empty list when everything needed is there.
 * A missing or unreadable lock answers ['package-lock.json'].
 */
export function missingPackages(root = '.') {
  let lock;
  try {
    lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  } catch {
    return ['package-lock.json'];
  }
  const missing = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (path === '' || !path.startsWith('node_modules/')) continue;
    const manifest = join(root, path, 'package.json');
    if (!existsSync(manifest)) {
      if (!mayBeAbsent(entry)) missing.push(path);
      continue;
    }
    if (entry.link === true || entry.version === undefined) continue;
    let version;
    try {
      version = JSON.parse(readFileSync(manifest, 'utf8')).version;
    } catch {
      version = undefined;
    }
    if (version !== entry.version) missing.push(path);
  }
  return missing;
}
