import type { TokenService } from '../../src/service/token-service.js';
import type { TokenServiceOptions } from '../../src/service/types.js';

/** The token string of `user`'s master token, which must be new. */
export async function newMasterToken(service: TokenService, user: { tenant: string; user: string }): Promise<string> {
  const made = await service.ensureMasterToken(user);
  if (!made.created) throw new Error('expected a new master token');
  return made.token;
}

/** `makeHarness` overrides that take its default directory away (the option is then absent). */
export function withoutDirectory(overrides: Partial<TokenServiceOptions>): Partial<TokenServiceOptions> {
  return { ...overrides, directory: undefined } as unknown as Partial<TokenServiceOptions>;
}
