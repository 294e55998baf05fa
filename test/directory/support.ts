/** A service on a store-backed directory, with acme's admin alice, analyst (a role) and bob, for the directory tests. */
import { createKeySet, generateSigningKey, jwtSessionCodec } from '../../src/jwt/index.js';
import { createTokenService } from '../../src/service/index.js';
import type { TokenService } from '../../src/service/token-service.js';
import type { TokenServiceOptions } from '../../src/service/types.js';
import { memoryDirectoryStore, memoryRepository } from '../../src/stores/memory/index.js';
import { TEST_PEPPER, type TestClock, testClock } from '../support/service.js';

export const ALICE = { tenant: 'acme', user: 'alice' } as const;
export const ANALYST = { tenant: 'acme', user: 'analyst' } as const;
export const BOB = { tenant: 'acme', user: 'bob' } as const;
export const READ_MAIN = { bucket: 'in.c-main', access: 'read' } as const;

export interface DirectoryHarness {
  readonly service: TokenService;
  readonly clock: TestClock;
}

/**
 * A service whose directory is a memory directory store, set up by the
 * operator (`'system'`): alice is acme's admin, analyst holds the role
 * `service_accounts` (which reads in.c-main) and has a scope of their own,
 * bob has no grants; gina is globex's admin.
 */
export async function directoryHarness(overrides: Partial<TokenServiceOptions> = {}): Promise<DirectoryHarness> {
  const clock = testClock();
  const keys = await createKeySet({ signing: await generateSigningKey('HS256', { kid: 'directory' }) });
  const service = createTokenService({
    repository: memoryRepository(),
    directoryStore: memoryDirectoryStore(),
    pepper: TEST_PEPPER,
    prefix: 'acme',
    now: clock.now,
    sessions: { codec: jwtSessionCodec({ keys, issuer: 'tokenward-test', audience: 'tokenward-test' }) },
    ...overrides,
  });
  const { directory } = service;
  await directory.addUser({ tenant: 'acme', name: 'alice', admin: true }, 'system');
  await directory.addRole({ tenant: 'acme', name: 'service_accounts', grants: [READ_MAIN] }, 'system');
  await directory.addUser(
    { tenant: 'acme', name: 'analyst', roles: ['service_accounts'], grants: [{ scope: 'reports' }] },
    'system',
  );
  await directory.addUser({ tenant: 'acme', name: 'bob' }, 'system');
  await directory.addUser({ tenant: 'globex', name: 'gina', admin: true }, 'system');
  return { service, clock };
}

/** The master token of a user, as a principal actor. */
export async function masterActor(service: TokenService, user: { tenant: string; user: string }) {
  const made = await service.ensureMasterToken(user);
  if (!made.created) throw new Error('expected a new master token');
  return { principal: await service.verify(made.token) };
}
