/**
 * @internal What every part of the directory conformance suite receives,
 * and the builders of its records: every test has tenants of its own.
 */
import type { DirectoryAuditEntry, DirectoryStore, RoleRecord, UserRecord } from '../../core/directory-store.js';
import { createFixtures, T0 } from '../fixtures.js';
import type { TestRunner } from '../runner.js';

/** Builders scoped to one test. */
export interface DirectoryFixtures {
  /** A tenant used only by this test. */
  readonly tenant: string;
  /** A second tenant used only by this test. */
  readonly otherTenant: string;
  /** A user of `tenant` created at `T0` (version 1, active, no roles or grants), with any field overridden. */
  user(name: string, overrides?: Partial<UserRecord>): UserRecord;
  /** A role of `tenant` created at `T0` (version 1, no grants), with any field overridden. */
  role(name: string, overrides?: Partial<RoleRecord>): RoleRecord;
  /** An audit entry of `tenant` at `T0`; entries made later sort after earlier ones. */
  entry(subject: string, overrides?: Partial<DirectoryAuditEntry>): DirectoryAuditEntry;
}

/** Access to the store and builders of the running test, and the runner to declare tests with. */
export interface DirectoryContext extends Pick<TestRunner, 'describe' | 'it'> {
  readonly store: () => DirectoryStore;
  readonly fx: () => DirectoryFixtures;
  /** How many calls the race tests start at once. */
  readonly concurrency: number;
}

export function createDirectoryFixtures(): DirectoryFixtures {
  const base = createFixtures();
  const tenant = base.tenant;
  return {
    tenant,
    otherTenant: base.otherTenant,
    user: (name, overrides = {}) => ({
      tenant,
      name,
      admin: false,
      active: true,
      roles: [],
      grants: [],
      createdAt: T0,
      updatedAt: T0,
      version: 1,
      ...overrides,
    }),
    role: (name, overrides = {}) => ({
      tenant,
      name,
      grants: [],
      createdAt: T0,
      updatedAt: T0,
      version: 1,
      ...overrides,
    }),
    entry: (subject, overrides = {}) => ({
      id: base.id('A'),
      tenant,
      at: T0,
      actor: 'user:admin',
      action: 'user_added',
      subject,
      changes: {},
      ...overrides,
    }),
  };
}

/** The next version of `record`, with any field changed. */
export function changed<T extends { readonly version: number; readonly updatedAt: number }>(
  record: T,
  overrides: Partial<T> = {},
): T {
  return { ...record, updatedAt: record.updatedAt + 1, version: record.version + 1, ...overrides };
}

/** Every audit entry of `tenant`, newest first. */
export async function auditOf(store: DirectoryStore, tenant: string): Promise<DirectoryAuditEntry[]> {
  return (await store.listAudit({ tenant, limit: 1000 })).items;
}
