import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The core (src/*.ts, src/memory, src/jwt, src/scanning, src/secretlint) must run on any runtime with Web Crypto.
const CORE_DIRS = ['src', 'src/memory', 'src/jwt', 'src/scanning', 'src/secretlint'];

describe('runtime-agnostic core', () => {
  it('imports nothing from node: and uses no Node globals', () => {
    const offenders: string[] = [];
    for (const dir of CORE_DIRS) {
      let files: string[] = [];
      try {
        files = readdirSync(dir).filter((file) => file.endsWith('.ts'));
      } catch {
        continue;
      }
      for (const file of files) {
        // Examples in TSDoc may mention process.env; only code counts.
        const source = readFileSync(join(dir, file), 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/^\s*\/\/.*$/gm, '');
        if (/from\s+['"]node:|require\(['"]node:|\bBuffer\.|\bprocess\./.test(source)) offenders.push(join(dir, file));
      }
    }
    expect(offenders).toEqual([]);
  });
});
