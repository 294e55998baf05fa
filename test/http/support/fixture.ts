import { type StaticDirectoryData, staticDirectory } from '../../../src/core/directory.js';
import type { TokenRepository } from '../../../src/core/repository.js';
import { createTokenService } from '../../../src/service/index.js';
import type { TokenService } from '../../../src/service/token-service.js';
import type { TokenServiceOptions } from '../../../src/service/types.js';
import { memoryRepository } from '../../../src/stores/memory/index.js';

export const PEPPER = 'http-test-pepper-0123456789abcdefghijklmnopqrstuvwxyz';
export const VERIFICATION_SECRET = 'engine-verification-secret-0123456789';
export const REALM = 'tokens-test';

/** Users of the HTTP tests. */
export const USERS: StaticDirectoryData = {
  acme: {
    alice: { admin: true },
    bob: { grants: [{ bucket: 'in.c-csv-import', access: 'read' }] },
    carol: {
      grants: [
        { bucket: 'in.c-csv-import', access: 'write' },
        { component: 'keboola.ex-db-mysql', actions: ['run'] },
        { scope: 'checkup_report_create' },
      ],
    },
  },
  globex: { gina: { admin: true } },
};

export const ALICE = { tenant: 'acme', user: 'alice' } as const;
export const BOB = { tenant: 'acme', user: 'bob' } as const;
export const CAROL = { tenant: 'acme', user: 'carol' } as const;
export const GINA = { tenant: 'globex', user: 'gina' } as const;

/** A repository whose every method throws while `down` is true: a database outage. */
export interface Outage {
  down: boolean;
}

function withOutage(repository: TokenRepository, outage: Outage): TokenRepository {
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (outage.down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

export interface Fixture {
  readonly service: TokenService;
  readonly outage: Outage;
  /** Moves the service's clock forward. */
  advance(ms: number): void;
}

/** A token service on a memory repository that can be taken down, with a clock the test moves. */
export function makeFixture(overrides: Partial<TokenServiceOptions> = {}): Fixture {
  const outage: Outage = { down: false };
  let offset = 0;
  const service = createTokenService({
    repository: withOutage(memoryRepository(), outage),
    pepper: PEPPER,
    prefix: 'acme',
    directory: staticDirectory(USERS),
    verificationTokens: [VERIFICATION_SECRET],
    now: () => Date.now() + offset,
    // Every verification writes lastUsedAt, so tests see no throttling effects.
    touchInterval: 1,
    ...overrides,
  });
  return {
    service,
    outage,
    advance(ms: number): void {
      offset += ms;
    },
  };
}

/** Issues a token and returns the secret string and id. */
export async function issue(
  service: TokenService,
  actor: { tenant: string; user: string },
  input: Parameters<TokenService['issue']>[0] = {},
): Promise<{ token: string; id: string }> {
  const issued = await service.issue(input, actor);
  return { token: issued.token, id: issued.info.id };
}
