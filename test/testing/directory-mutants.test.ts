/**
 * The directory conformance suite catches broken stores: each mutant
 * below breaks one rule of the `DirectoryStore` contract, and the suite,
 * run by a small runner of its own here, must fail at least the test that
 * names the rule (and pass every test on the unbroken store).
 */
import { describe, expect, it } from 'vitest';
import { compareCodePoints } from '../../src/core/directory-records.js';
import type { DirectoryStore, UserRecord } from '../../src/core/directory-store.js';
import { isTokenError } from '../../src/core/errors.js';
import { memoryDirectoryStore } from '../../src/stores/memory/index.js';
import { describeDirectoryContract } from '../../src/testing/index.js';

interface Outcome {
  readonly passed: string[];
  readonly failed: string[];
}

/** Declares the suite with a runner that records the tests, then runs them one by one. */
async function runSuite(makeStore: () => DirectoryStore): Promise<Outcome> {
  const tests: { name: string; body: () => Promise<void> }[] = [];
  const before: (() => Promise<void>)[] = [];
  const after: (() => Promise<void>)[] = [];
  const path: string[] = [];
  describeDirectoryContract('mutant', makeStore, {
    runner: {
      describe: (name, body) => {
        path.push(name);
        body();
        path.pop();
      },
      it: (name, body) => {
        tests.push({ name: [...path, name].join(' > '), body });
      },
      beforeEach: (hook) => {
        before.push(hook);
      },
      afterEach: (hook) => {
        after.push(hook);
      },
    },
    concurrency: 6,
  });
  const outcome: Outcome = { passed: [], failed: [] };
  for (const test of tests) {
    for (const hook of before) await hook();
    try {
      await test.body();
      outcome.passed.push(test.name);
    } catch {
      outcome.failed.push(test.name);
    } finally {
      for (const hook of after) await hook();
    }
  }
  return outcome;
}

type Mutant = (store: DirectoryStore) => Partial<DirectoryStore>;

const MUTANTS: Readonly<Record<string, [Mutant, RegExp]>> = {
  'a second user of one name overwrites the first': [
    (store) => ({
      async insertUser(user, entry) {
        const found = await store.findUser(user.tenant, user.name);
        if (found === null) return store.insertUser(user, entry);
        await store.updateUser({ ...user, version: found.version + 1 }, found.version, entry);
      },
    }),
    /refuses a second user of one name/,
  ],
  'a role that does not exist is dropped silently': [
    (store) => ({
      async insertUser(user, entry) {
        const known = (await store.findRoles(user.tenant, user.roles)).map((role) => role.name);
        return store.insertUser({ ...user, roles: user.roles.filter((role) => known.includes(role)) }, entry);
      },
    }),
    /refuses a user holding a role that is not stored/,
  ],
  'a held role is taken from its holders and removed': [
    (store) => ({
      async deleteRole(tenant, name, version, entry) {
        const holders = await store.listUsers({ tenant, role: name, limit: 1000 });
        for (const user of holders.items) {
          const roles = user.roles.filter((role) => role !== name);
          await store.updateUser({ ...user, roles, version: user.version + 1 }, user.version, entry);
        }
        return store.deleteRole(tenant, name, version, entry);
      },
    }),
    /refuses to remove a role while a user holds it/,
  ],
  'changes ignore the version they read': [
    (store) => ({
      async updateUser(user, _expected, entry) {
        const found = await store.findUser(user.tenant, user.name);
        return found !== null && store.updateUser(user, found.version, entry);
      },
    }),
    /compare-and-set on its version|exactly one wins/,
  ],
  'the audit log loses entries': [
    (store) => ({
      async listAudit(query) {
        const page = await store.listAudit(query);
        return { ...page, items: page.items.slice(1) };
      },
    }),
    /audit log/,
  ],
  'users are listed in UTF-16 order': [
    (store) => ({
      async listUsers(query) {
        const all = await store.listUsers({ ...query, cursor: null, limit: 1000 });
        const sorted = [...all.items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        return { items: sorted.slice(0, query.limit), nextCursor: null };
      },
    }),
    /lists users by name in code-point order/,
  ],
  'a refused user is half-written': [
    (store) => ({
      async insertUser(user, entry) {
        try {
          await store.insertUser(user, entry);
        } catch (error) {
          if (isTokenError(error, 'not_found')) await store.insertUser({ ...user, roles: [] }, entry);
          throw error;
        }
      },
    }),
    /refuses a user holding a role that is not stored/,
  ],
  'records are live views of storage': [
    (store) => {
      const live = new Map<string, UserRecord>();
      return {
        async findUser(tenant, name) {
          const found = await store.findUser(tenant, name);
          if (found === null) return null;
          const key = `${tenant}/${name}`;
          const copy = live.get(key) ?? { ...found, roles: [...found.roles] };
          live.set(key, copy);
          return copy;
        },
      };
    },
    /not live views/,
  ],
};

describe('the directory conformance suite', () => {
  it('passes every test on the memory store', async () => {
    const outcome = await runSuite(() => memoryDirectoryStore());
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed.length).toBeGreaterThan(15);
  });

  for (const [name, [mutant, rule]] of Object.entries(MUTANTS)) {
    it(`fails on a store where ${name}`, async () => {
      const outcome = await runSuite(() => {
        const store = memoryDirectoryStore();
        return { ...store, ...mutant(store) };
      });
      expect(
        outcome.failed.some((test) => rule.test(test)),
        outcome.failed.join('\n'),
      ).toBe(true);
    });
  }

  it('orders names by code point, not UTF-16 code unit', () => {
    expect(['ｚ', '𝐀', 'a'].sort(compareCodePoints)).toEqual(['a', 'ｚ', '𝐀']);
    expect(['ｚ', '𝐀'].sort()).toEqual(['𝐀', 'ｚ']);
  });
});
