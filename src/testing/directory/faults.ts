/**
 * @internal Directory conformance under driver faults: each write's
 * statements fail in turn, before they run and after they ran with the
 * answer lost. Storage must stay as before or be fully written (the change
 * and its audit entry together), and the failure must be one the service
 * answers with `unavailable`.
 */
import type { DirectoryStore } from '../../core/directory-store.js';
import { isTokenError } from '../../core/errors.js';
import { expect } from '../expect.js';
import type { FaultPlan, FaultTiming } from '../faults.js';
import type { TestRunner } from '../runner.js';
import { changed, createDirectoryFixtures, type DirectoryFixtures } from './context.js';

export interface DirectoryFaultContext extends Pick<TestRunner, 'describe' | 'it'> {
  readonly open: (plan: FaultPlan) => Promise<DirectoryStore>;
  readonly close: (store: DirectoryStore) => Promise<void>;
  readonly plan: () => FaultPlan;
}

interface FaultCase {
  readonly name: string;
  /** Builds the starting state (unfaulted) and returns the write to make. */
  setup(store: DirectoryStore, f: DirectoryFixtures): Promise<() => Promise<unknown>>;
}

async function roles(store: DirectoryStore, f: DirectoryFixtures, names: readonly string[]): Promise<void> {
  for (const name of names) await store.insertRole(f.role(name), f.entry(name));
}

const CASES: readonly FaultCase[] = [
  {
    name: 'insertUser (user, roles held, entry)',
    async setup(store, f) {
      await roles(store, f, ['a', 'b']);
      return () => store.insertUser(f.user('alice', { roles: ['a', 'b'] }), f.entry('alice'));
    },
  },
  {
    name: 'updateUser (user, roles held, entry)',
    async setup(store, f) {
      await roles(store, f, ['a', 'b', 'c']);
      const alice = f.user('alice', { roles: ['a', 'b'] });
      await store.insertUser(alice, f.entry('alice'));
      return () => store.updateUser(changed(alice, { admin: true, roles: ['b', 'c'] }), 1, f.entry('alice'));
    },
  },
  {
    name: 'deleteUser (user, roles held, entry)',
    async setup(store, f) {
      await roles(store, f, ['a']);
      await store.insertUser(f.user('alice', { roles: ['a'] }), f.entry('alice'));
      return () => store.deleteUser(f.tenant, 'alice', 1, f.entry('alice'));
    },
  },
  {
    name: 'insertRole (role, entry)',
    async setup(store, f) {
      return () => store.insertRole(f.role('c', { grants: 'all' }), f.entry('c'));
    },
  },
  {
    name: 'updateRole (role, entry)',
    async setup(store, f) {
      await roles(store, f, ['a']);
      return () => store.updateRole(changed(f.role('a'), { grants: [{ scope: 'x' }] }), 1, f.entry('a'));
    },
  },
  {
    name: 'deleteRole (held check, role, entry)',
    async setup(store, f) {
      await roles(store, f, ['a', 'b']);
      await store.insertUser(f.user('alice', { roles: ['a'] }), f.entry('alice'));
      return () => store.deleteRole(f.tenant, 'b', 1, f.entry('b'));
    },
  },
];

/** What a test can see of its tenant, without the names that differ between runs (tenant, entry ids). */
async function observe(store: DirectoryStore, f: DirectoryFixtures): Promise<string> {
  const users = (await store.listUsers({ tenant: f.tenant, limit: 1000 })).items;
  const roleList = (await store.listRoles({ tenant: f.tenant, limit: 1000 })).items;
  const audit = (await store.listAudit({ tenant: f.tenant, limit: 1000 })).items;
  return JSON.stringify({
    users: users.map(({ tenant: _, ...user }) => user),
    roles: roleList.map(({ tenant: _, ...role }) => role),
    audit: audit.map((entry) => [entry.action, entry.subject]),
  });
}

async function runOnce(
  store: DirectoryStore,
  plan: FaultPlan,
  test: FaultCase,
  fault: { nth: number; when: FaultTiming } | 'none' | 'skip',
): Promise<{ error: unknown; ok: boolean; seen: number; fired: boolean; state: string }> {
  const f = createDirectoryFixtures();
  const run = await test.setup(store, f);
  let result = { error: undefined as unknown, ok: true, seen: 0, fired: false };
  if (fault !== 'skip') {
    plan.arm(fault === 'none' ? Number.POSITIVE_INFINITY : fault.nth, fault === 'none' ? 'before' : fault.when);
    const outcome = await run().then(
      () => ({ ok: true, error: undefined }),
      (error: unknown) => ({ ok: false, error }),
    );
    result = { ...outcome, ...plan.disarm() };
  }
  return { ...result, state: await observe(store, f) };
}

async function sweep(store: DirectoryStore, plan: FaultPlan, test: FaultCase): Promise<void> {
  const before = (await runOnce(store, plan, test, 'skip')).state;
  const reference = await runOnce(store, plan, test, 'none');
  if (!reference.ok) throw reference.error;
  expect(reference.seen, 'the fault hook saw no statement').toBeGreaterThan(0);
  for (const when of ['before', 'after'] as const) {
    for (let nth = 1; nth <= reference.seen; nth++) {
      const where = `${test.name}: statement ${nth} of ${reference.seen} failing ${when} it ran`;
      const run = await runOnce(store, plan, test, { nth, when });
      expect(run.fired, `${where}: the store ran fewer statements than without the fault`).toBe(true);
      if (run.ok) expect(run.state, `${where}: reported success, so all of it must be stored`).toBe(reference.state);
      else {
        const outage = !isTokenError(run.error) || run.error.code === 'unavailable';
        expect(outage, `${where}: must fail as an outage, not ${String(run.error)}`).toBe(true);
      }
      expect([before, reference.state], `${where}: storage must be as before or fully done`).toContain(run.state);
    }
  }
}

export function directoryFaultsContract(context: DirectoryFaultContext): void {
  const { describe, it } = context;
  describe('driver faults: nothing half-written, failures reported', () => {
    for (const test of CASES) {
      it(`${test.name}: a failure at any of its statements leaves it undone or done`, async () => {
        const plan = context.plan();
        const store = await context.open(plan);
        try {
          await sweep(store, plan, test);
        } finally {
          plan.disarm();
          await context.close(store);
        }
      });
    }
  });
}
