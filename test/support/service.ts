import { type StaticDirectoryData, staticDirectory } from '../../src/core/directory.js';
import type { TokenRepository } from '../../src/core/repository.js';
import { createTokenService } from '../../src/service/index.js';
import type { TokenService } from '../../src/service/token-service.js';
import type { TokenServiceOptions } from '../../src/service/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';

/** A pepper long enough for the service (tests only). */
export const TEST_PEPPER = 'test-pepper-0123456789abcdefghijklmnopqrstuvwxyz';

/** A clock the test moves by hand. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function testClock(start = Date.UTC(2026, 0, 1)): TestClock {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
}

/** The users most tests share: an admin, an analyst with a role, a bucket user, a viewer. */
export const USERS: StaticDirectoryData = {
  acme: {
    alice: { admin: true },
    analyst: {
      roles: ['service_accounts'],
      grants: [{ scope: 'reports' }, { bucket: 'in.c-csv-import', access: 'write' }],
    },
    bob: { grants: [{ bucket: 'in.c-csv-import', access: 'read' }] },
    gone: { active: false, grants: 'all' },
  },
  globex: {
    gina: { admin: true },
  },
};

export interface Harness {
  service: TokenService;
  repository: TokenRepository;
  clock: TestClock;
  /** The directory data; tests may change users to see live effects. */
  users: Record<string, Record<string, Record<string, unknown>>>;
}

/** A service on a fresh memory repository, a test clock and a mutable copy of `USERS`. */
export function makeHarness(overrides: Partial<TokenServiceOptions> = {}): Harness {
  const clock = testClock();
  const users = structuredClone(USERS) as Harness['users'];
  const repository = overrides.repository ?? memoryRepository();
  const service = createTokenService({
    repository,
    pepper: TEST_PEPPER,
    prefix: 'acme',
    directory: staticDirectory(users as StaticDirectoryData),
    now: clock.now,
    ...overrides,
  });
  return { service, repository, clock, users };
}

export const ALICE = { tenant: 'acme', user: 'alice' } as const;
export const ANALYST = { tenant: 'acme', user: 'analyst' } as const;
export const BOB = { tenant: 'acme', user: 'bob' } as const;
