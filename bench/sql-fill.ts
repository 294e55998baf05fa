/**
 * What the SQL storage benchmarks share: the table sizes they run at, and
 * bulk rows identical in shape to what `issue` writes (a token row and its
 * `issued` event), so a table of a million tokens is filled in seconds
 * rather than by a million issues.
 *
 * Sizes: `BENCH_SQL_ROWS` (a comma-separated list, e.g. `10000,1000000`),
 * or `BENCH_SCALE=full` for 10,000 and 1,000,000; the default is 10,000
 * alone, so `npm run bench` stays short.
 */
import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import type { TokenEvent, TokenRecord } from '../src/core/types.js';

/** The table sizes to measure at, smallest first. */
export function sqlScales(): number[] {
  const given = process.env.BENCH_SQL_ROWS ?? (process.env.BENCH_SCALE === 'full' ? '10000,1000000' : '10000');
  const scales = given.split(',').map((part) => Number(part.trim()));
  if (scales.some((n) => !Number.isSafeInteger(n) || n < 2_000)) {
    throw new Error(`BENCH_SQL_ROWS must list whole numbers of at least 2000, got ${given}`);
  }
  return scales.sort((a, b) => a - b);
}

/** Tokens issued through the service in every run (verified, listed); the rest is bulk. */
export const SAMPLE = 1000;

/**
 * Owners of every token: few, so that one owner's listing is a full page
 * drawn from a tenth of the table at every size (1,000 tokens at 10k,
 * 100,000 at 1M).
 */
export const OWNERS = 10;

/** `n` as `10k` / `1M`, for row names. */
export function scaleLabel(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
}

/**
 * `count` tokens copied from `template` (a record `issue` wrote), each with
 * its own ULID, owner, name and secret hash, created one millisecond apart
 * ending before `before`, and the `issued` event `issue` writes with it.
 * Yielded in batches, oldest first.
 */
export function* bulkTokens(
  template: TokenRecord,
  templateEvent: TokenEvent,
  count: number,
  before: number,
  batch = 10_000,
): Generator<{ record: TokenRecord; event: TokenEvent }[]> {
  const start = before - count - 1;
  for (let from = 0; from < count; from += batch) {
    const rows: { record: TokenRecord; event: TokenEvent }[] = [];
    for (let i = from; i < Math.min(count, from + batch); i++) {
      const createdAt = start + i;
      const id = ulid(createdAt);
      const owner = `user${i % OWNERS}`;
      const record: TokenRecord = {
        ...template,
        id,
        owner,
        name: `bulk-${i}`,
        secretHash: randomBytes(32).toString('base64url'),
        createdAt,
        expiresAt: template.expiresAt === null ? null : createdAt + (template.expiresAt - template.createdAt),
      };
      rows.push({ record, event: { ...templateEvent, id: ulid(createdAt), tokenId: id, at: createdAt } });
    }
    yield rows;
  }
}
