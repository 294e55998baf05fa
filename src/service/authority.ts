import { decide, reachOf, type TargetedCall, TOKEN_ACTOR_TABLE } from '../core/access.js';
import { type ActingToken, lookupUser, mayManage, type ResolvedActor, tokenActor } from '../core/actors.js';
import { type Authority, authorityOf } from '../core/authority.js';
import { TokenError } from '../core/errors.js';
import type { Principal } from '../core/principal-types.js';
import type { TokenRepository } from '../core/repository.js';
import type { Directory, DirectoryUser, TokenRecord } from '../core/types.js';

/**
 * @internal The service's side of "authority only narrows" (issue 8):
 * reading a token actor as it is now, and the verdict on each call it
 * makes. The rules themselves are in `access.ts` and `authority.ts`.
 */

/** What the authorizer needs from the service. */
export interface AuthorizerDeps {
  readonly repository: TokenRepository;
  readonly directory: Directory | undefined;
  readonly now: () => number;
  /** The owner of a stored token as the directory answers now; throws `token_invalid` when gone or inactive. */
  readonly currentOwner: (record: TokenRecord) => DirectoryUser | null | Promise<DirectoryUser | null>;
  /** Wraps a storage or directory call so that its failures become `unavailable`. */
  readonly guarded: <T>(work: Promise<T>) => Promise<T>;
}

/** Calls that aim at no single token but are still decided by the table. */
export type UntargetedCall = 'revokeAll' | 'removeUser' | 'setMaxTtl';

export interface Authorizer {
  /** The acting token of a principal, read now: refused if revoked, expired or no longer its owner's. */
  loadToken(principal: Principal): Promise<ResolvedActor>;
  /** Throws `not_found` when the actor may not see `record`, `forbidden` when it may see it but not do `call`. */
  authorize(actor: ResolvedActor, record: TokenRecord, call: TargetedCall): Promise<void>;
  /** For `list`: refuses owners outside the actor's reach and returns a test for each listed token. */
  listing(actor: ResolvedActor, owner: string | null | undefined): (record: TokenRecord) => Promise<boolean>;
  /** Refuses token actors whose row refuses `call` (for `revokeAll`, only on their own user). */
  untargeted(actor: ResolvedActor, call: UntargetedCall, user?: string): void;
}

function forbidden(what: string): TokenError {
  return new TokenError('forbidden', `this token may not ${what}`);
}

export function createAuthorizer(deps: AuthorizerDeps): Authorizer {
  const { repository, directory, now, currentOwner, guarded } = deps;

  const loadToken = async (principal: Principal): Promise<ResolvedActor> => {
    const at = now();
    const record = await guarded(repository.findById(principal.tokenId));
    if (record === null || record.tenant !== principal.tenant || record.type !== principal.type) {
      throw new TokenError('token_invalid', 'the token is invalid');
    }
    if (record.revokedAt !== null) throw new TokenError('token_revoked', 'the token has been revoked');
    // The principal's own end (a JWT's exp, a session's) counts as much as the record's.
    const ends = [record.expiresAt, principal.expiresAt?.getTime(), principal.session?.expiresAt.getTime()];
    if (ends.some((end) => end !== undefined && end !== null && end <= at)) {
      throw new TokenError('token_expired', 'the token has expired');
    }
    const ownerUser = await guarded(Promise.resolve().then(() => currentOwner(record)));
    return tokenActor(record, ownerUser, principal.session !== undefined);
  };

  /** A target's authority now, asking the directory about its owner at most once per call. */
  const targetAuthority = (acting: ActingToken) => {
    const owners = new Map<string, Promise<DirectoryUser | null>>();
    if (acting.authority.owner !== null) owners.set(acting.authority.owner, Promise.resolve(acting.ownerUser));
    return async (record: TokenRecord): Promise<Authority> => {
      if (record.owner === null) return authorityOf(record, null);
      let owner = owners.get(record.owner);
      if (owner === undefined) {
        owner = lookupUser(directory, record.tenant, record.owner);
        owners.set(record.owner, owner);
      }
      return authorityOf(record, await owner);
    };
  };

  const authorize = async (actor: ResolvedActor, record: TokenRecord, call: TargetedCall): Promise<void> => {
    const acting = actor.token;
    if (acting === null) {
      // Roots: admins (and the system) manage their tenant, users their own tokens.
      if (!mayManage(actor, record)) throw new TokenError('not_found', 'token not found');
      return;
    }
    const verdict = decide(acting, record, await targetAuthority(acting)(record), call);
    // A token the actor may not see is reported as missing: its existence is not the actor's to learn.
    if (verdict === 'hidden') throw new TokenError('not_found', 'token not found');
    if (verdict === 'forbidden') throw forbidden(`${call} this token`);
  };

  const listing = (actor: ResolvedActor, owner: string | null | undefined) => {
    const acting = actor.token;
    if (acting === null) return async () => true;
    const reach = reachOf(acting, 'read');
    if (reach !== 'tenant' && owner !== acting.authority.owner) throw forbidden("list other owners' tokens");
    const authorityNow = targetAuthority(acting);
    return async (record: TokenRecord) => decide(acting, record, await authorityNow(record), 'read') === 'allowed';
  };

  const untargeted = (actor: ResolvedActor, call: UntargetedCall, user?: string): void => {
    const acting = actor.token;
    if (acting === null) return;
    const row = TOKEN_ACTOR_TABLE[acting.kind];
    if (call === 'revokeAll' && row.revokeAll && user === acting.authority.owner) return;
    // Policies also need admin rights, which the service checks next for every actor.
    if (call === 'setMaxTtl' && row.setMaxTtl) return;
    throw forbidden(
      call === 'removeUser' ? 'remove users' : call === 'revokeAll' ? 'revoke these tokens' : 'set policies',
    );
  };

  return { loadToken, authorize, listing, untargeted };
}

/** How many repository pages one filtered page may read before it is returned short. */
const MAX_PAGE_READS = 8;

/**
 * One page of a listing that leaves out tokens `keep` refuses (a token
 * actor's listing shows only what it may read). Refilled from the
 * repository, so a page holds fewer than `limit` items only at the end or
 * after `MAX_PAGE_READS` reads; `nextCursor` is the repository's own, so
 * paging on never skips or repeats a token.
 */
export async function filteredPage<T>(
  read: (limit: number, cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>,
  keep: (item: T) => Promise<boolean>,
  limit: number,
  cursor: string | null,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const items: T[] = [];
  let next = cursor;
  for (let reads = 0; reads < MAX_PAGE_READS; reads++) {
    const page = await read(limit - items.length, next);
    for (const item of page.items) if (await keep(item)) items.push(item);
    next = page.nextCursor;
    if (next === null || items.length === limit) break;
  }
  return { items, nextCursor: next };
}
