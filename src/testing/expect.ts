/**
 * @internal The assertions of the conformance suite, on `node:assert`
 * (which Node, Bun and Deno all have), in the `expect(…)` form the suites
 * are written in. A failed assertion throws `AssertionError`, which every
 * runner reports as a failed test.
 *
 * `toEqual` and `toMatchObject` compare data, as vitest does: own
 * enumerable members whose value is not `undefined`, whatever the objects'
 * prototypes (a store may return class instances or null-prototype rows).
 */
import assert from 'node:assert/strict';

/** `value` as plain data: arrays and objects rebuilt member by member, `undefined` members left out. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (member !== undefined) out[key] = plain(member);
  return out;
}

/** The members of `actual` that `expected` names, recursively (as `toMatchObject` compares). */
function picked(actual: unknown, expected: unknown): unknown {
  if (typeof expected !== 'object' || expected === null || Array.isArray(expected)) return actual;
  if (typeof actual !== 'object' || actual === null) return actual;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(expected)) {
    out[key] = picked((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key]);
  }
  return out;
}

interface Assertions {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatchObject(expected: object): void;
  toBeNull(): void;
  toBeUndefined(): void;
  toHaveLength(length: number): void;
  toContain(item: unknown): void;
  toBeGreaterThan(bound: number): void;
  readonly not: { toBeNull(): void; toContain(item: unknown): void };
  readonly resolves: { toBeUndefined(): Promise<void> };
  readonly rejects: { toBe(expected: unknown): Promise<void> };
}

/** Assertions about `actual`; `message` says what failed, in the runner's report. */
export function expect(actual: unknown, message?: string): Assertions {
  const contains = (item: unknown): boolean =>
    typeof actual === 'string' ? actual.includes(item as string) : (actual as unknown[]).includes(item);
  return {
    toBe: (expected) => assert.equal(actual, expected, message),
    toEqual: (expected) => assert.deepEqual(plain(actual), plain(expected), message),
    toMatchObject: (expected) => assert.deepEqual(picked(plain(actual), plain(expected)), plain(expected), message),
    toBeNull: () => assert.equal(actual, null, message),
    toBeUndefined: () => assert.equal(actual, undefined, message),
    toHaveLength: (length) => assert.equal((actual as { length: unknown }).length, length, message),
    toContain: (item) => assert.ok(contains(item), message ?? `expected ${String(actual)} to contain ${String(item)}`),
    toBeGreaterThan: (bound) => assert.ok((actual as number) > bound, message ?? `expected ${actual} > ${bound}`),
    not: {
      toBeNull: () => assert.notEqual(actual, null, message),
      toContain: (item) => assert.ok(!contains(item), message ?? `expected ${String(actual)} not to contain it`),
    },
    resolves: {
      toBeUndefined: async () => assert.equal(await actual, undefined, message),
    },
    rejects: {
      toBe: async (expected) => {
        await assert.rejects(actual as Promise<unknown>, (error: unknown) => error === expected, message);
      },
    },
  };
}
