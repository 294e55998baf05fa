import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every .ts file under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('dependencies', () => {
  // A package's underscore members and modules (noble's `_cloneInto`,
  // `@noble/hashes/_md.js`) are internals: they may change in any release
  // that our `^` ranges accept.
  it('are used through their public API only: no underscore members or modules', () => {
    const offenders: string[] = [];
    for (const file of sources('src')) {
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      if (/\.\s*_[A-Za-z]\w*/.test(code) || /from\s+['"][^.'"][^'"]*\/_[^'"]*['"]/.test(code)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});
