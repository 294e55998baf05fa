import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The runtime-agnostic part of src/ (docs/architecture.md) must run on any runtime with Web Crypto.
const CORE = [
  'src/index.ts',
  'src/core',
  'src/service',
  'src/stores/memory',
  'src/stores/shared',
  'src/http',
  'src/fetch',
  'src/hono',
  'src/jwt',
  'src/sql',
  'src/secretlint',
];

/** Every .ts file at `path`, or under it. */
function sources(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => {
    const inner = join(path, name);
    return statSync(inner).isDirectory() ? sources(inner) : name.endsWith('.ts') ? [inner] : [];
  });
}

describe('runtime-agnostic core', () => {
  it('imports nothing from node: and uses no Node globals', () => {
    const offenders: string[] = [];
    for (const file of CORE.flatMap(sources)) {
      // Examples in TSDoc may mention process.env; only code counts.
      const source = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      if (/from\s+['"]node:|require\(['"]node:|\bBuffer\.|\bprocess\./.test(source)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});
