/** The public types of the store-backed directory. */
import { describe, expectTypeOf, it } from 'vitest';
import {
  type Directory,
  type DirectoryAuditInfo,
  type DirectoryService,
  type DirectoryStore,
  type DirectoryUserInfo,
  memoryDirectoryStore,
  type Page,
  storeDirectory,
  type TokenService,
  type TokenServiceOptions,
} from '../../src/index.js';
import { postgresDirectoryStore } from '../../src/stores/postgres/index.js';
import { type SqliteDirectoryStore, sqliteDirectoryStore } from '../../src/stores/sqlite/index.js';
import { describeDirectoryContract } from '../../src/testing/index.js';

describe('the store-backed directory’s types', () => {
  it('stores are DirectoryStores, and a store is a Directory through storeDirectory', () => {
    expectTypeOf(memoryDirectoryStore()).toEqualTypeOf<DirectoryStore>();
    expectTypeOf(sqliteDirectoryStore).returns.toEqualTypeOf<SqliteDirectoryStore>();
    expectTypeOf(postgresDirectoryStore).returns.toEqualTypeOf<DirectoryStore>();
    expectTypeOf(storeDirectory).parameter(0).toEqualTypeOf<DirectoryStore>();
    expectTypeOf(storeDirectory).returns.toEqualTypeOf<Directory>();
    expectTypeOf<TokenServiceOptions['directoryStore']>().toEqualTypeOf<DirectoryStore | undefined>();
  });

  it('the service manages it through service.directory', () => {
    expectTypeOf<TokenService['directory']>().toEqualTypeOf<DirectoryService>();
    expectTypeOf<DirectoryService['addUser']>().returns.resolves.toEqualTypeOf<DirectoryUserInfo>();
    expectTypeOf<DirectoryService['auditLog']>().returns.resolves.toEqualTypeOf<Page<DirectoryAuditInfo>>();
    expectTypeOf<DirectoryUserInfo['createdAt']>().toEqualTypeOf<Date>();
    expectTypeOf<DirectoryAuditInfo['at']>().toEqualTypeOf<Date>();
    // @ts-expect-error: a user's name is required
    void ({} as DirectoryService).addUser({ admin: true }, 'system');
  });

  it('describeDirectoryContract takes a factory and the runner', () => {
    expectTypeOf(describeDirectoryContract)
      .parameter(1)
      .returns.toEqualTypeOf<DirectoryStore | Promise<DirectoryStore>>();
    expectTypeOf(describeDirectoryContract).returns.toBeVoid();
  });
});
