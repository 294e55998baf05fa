import type * as nodeTest from 'node:test';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { afterEach, beforeEach, describe, expectTypeOf, it } from 'vitest';
import type { TokenRepository, TokenUse } from '../../src/core/repository.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import {
  SQLITE_SCHEMA_VERSION,
  type SqliteRepositoryOptions,
  type SqliteTokenRepository,
  sqliteRepository,
} from '../../src/stores/sqlite/index.js';
import {
  type DriverFaults,
  describeRepositoryContract,
  type RepositoryContractOptions,
  type TestRunner,
  withPgFaults,
  withSqliteFaults,
} from '../../src/testing/index.js';

describe('storage API types', () => {
  it('memoryRepository is a plain TokenRepository', () => {
    expectTypeOf(memoryRepository).parameters.toEqualTypeOf<[]>();
    expectTypeOf(memoryRepository()).toEqualTypeOf<TokenRepository>();
  });

  it('sqliteRepository takes a path or a connection and exposes the connection', () => {
    expectTypeOf(sqliteRepository).parameter(0).toEqualTypeOf<SqliteRepositoryOptions>();
    expectTypeOf(sqliteRepository).returns.toEqualTypeOf<SqliteTokenRepository>();
    expectTypeOf<SqliteTokenRepository>().toMatchTypeOf<TokenRepository>();
    expectTypeOf<SqliteTokenRepository['database']>().toEqualTypeOf<Database.Database>();
    expectTypeOf<SqliteTokenRepository['close']>().returns.resolves.toBeVoid();
    expectTypeOf<{ path: string }>().toMatchTypeOf<SqliteRepositoryOptions>();
    expectTypeOf<{ database: Database.Database; busyTimeoutMs: number }>().toMatchTypeOf<SqliteRepositoryOptions>();
    expectTypeOf<{ busyTimeoutMs: number }>().not.toMatchTypeOf<SqliteRepositoryOptions>();
    expectTypeOf(SQLITE_SCHEMA_VERSION).toBeNumber();
  });

  it('the runner of vitest and of node:test fit the suite', () => {
    expectTypeOf({ describe, it, beforeEach, afterEach }).toMatchTypeOf<TestRunner>();
    expectTypeOf<{
      describe: typeof nodeTest.describe;
      it: typeof nodeTest.it;
      beforeEach: typeof nodeTest.beforeEach;
      afterEach: typeof nodeTest.afterEach;
    }>().toMatchTypeOf<TestRunner>();
  });

  it('describeRepositoryContract accepts sync and async factories', () => {
    expectTypeOf(describeRepositoryContract).returns.toBeVoid();
    expectTypeOf(describeRepositoryContract)
      .parameter(1)
      .toEqualTypeOf<() => TokenRepository | Promise<TokenRepository>>();
    expectTypeOf(describeRepositoryContract).parameter(2).toEqualTypeOf<RepositoryContractOptions>();
    expectTypeOf<RepositoryContractOptions['runner']>().toEqualTypeOf<TestRunner>();
    expectTypeOf<RepositoryContractOptions['teardown']>().toEqualTypeOf<
      ((repository: TokenRepository) => Promise<void>) | undefined
    >();
    expectTypeOf<RepositoryContractOptions['faults']>().toEqualTypeOf<
      ((faults: DriverFaults) => TokenRepository | Promise<TokenRepository>) | undefined
    >();
  });

  it('the fault wrappers hand back the driver type they were given', () => {
    expectTypeOf(withSqliteFaults<Database.Database>).returns.toEqualTypeOf<Database.Database>();
    expectTypeOf(withPgFaults<pg.Pool>).returns.toEqualTypeOf<pg.Pool>();
    expectTypeOf<DriverFaults['statement']>().toEqualTypeOf<<T>(run: () => T) => T>();
  });

  it('touchMany is optional and takes uses', () => {
    expectTypeOf<TokenRepository['touchMany']>().toEqualTypeOf<
      ((uses: readonly TokenUse[]) => Promise<void>) | undefined
    >();
    expectTypeOf<SqliteTokenRepository['touchMany']>().toEqualTypeOf<
      ((uses: readonly TokenUse[]) => Promise<void>) | undefined
    >();
  });
});
