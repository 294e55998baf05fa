/**
 * `npm run bench`: runs every bench/*.bench.ts module (or those named on the
 * command line) and prints each figure as a ratio against its baseline.
 */
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { type BenchModule, type BenchRow, formatRows } from './harness.js';

const dir = new URL('.', import.meta.url);
// `--scale` adds the large scales of the memory benchmarks (bench/memory.bench.ts).
const flags = process.argv.slice(2).filter((arg) => arg.startsWith('--'));
if (flags.includes('--scale')) process.env.BENCH_SCALE = '1';
const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => wanted.length === 0 || wanted.includes(basename(file, '.bench.ts')))
  .sort();

const rows: BenchRow[] = [];
for (const file of files) {
  const module = (await import(new URL(file, dir).href)) as { default: BenchModule };
  console.log(`running ${file} …`);
  const own: BenchRow[] = [];
  await module.default((row) => {
    own.push(row);
    rows.push(row);
  });
  console.log(formatRows(own));
}
console.log(`\nall figures (${rows.length}):\n${formatRows(rows)}`);
