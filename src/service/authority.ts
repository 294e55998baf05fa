/**
 * @internal Every authority check the capabilities make, in one place: the
 * service's side of "authority only narrows" (issue 8; SPEC §2). Who acts
 * (`resolveActor`: a user the directory knows, a principal this service
 * verified and read again now, or the system), in which tenant
 * (`callTenant`), with which rights (`requireAdmin`), and the verdict of
 * the actor × call table on each token a call aims at (`authorize`,
 * `listing`, `untargeted`). The rules themselves are in
 * `src/core/access.ts` and `src/core/authority.ts`.
 */
import { decide, reachOf, type TargetedCall, TOKEN_ACTOR_TABLE } from '../core/access.js';
import {
  type ActingToken,
  mayManage,
  type ResolvedActor,
  SYSTEM_ACTOR,
  tokenActor,
  userActor,
  verificationActor,
} from '../core/actors.js';
import { type Authority, authorityOf, within } from '../core/authority.js';
import { isActiveUser, lookupUser, ownAnswer } from '../core/directory.js';
import { invalid, TokenError } from '../core/errors.js';
import { identifier, isPlainObject, ownField, readField } from '../core/input.js';
import { stampOf } from '../core/principal.js';
import type { Principal } from '../core/principal-types.js';
import { isThenable } from '../core/thenable.js';
import type { DirectoryUser, TokenRecord } from '../core/types.js';
import { guarded, madeHere, type ServiceContext, tokenInvalid } from './context.js';
import type { Actor } from './types.js';

/** Calls that aim at no single token but are still decided by the table. */
export type UntargetedCall = 'revokeAll' | 'removeUser' | 'setMaxTtl';

function forbidden(what: string): TokenError {
  return new TokenError('forbidden', `this token may not ${what}`);
}

/** The refusal of a secret in its rotation grace period on every call that could obtain something (SPEC §2). */
export function gracedSecret(): TokenError {
  return new TokenError('forbidden', 'a secret in its rotation grace period cannot act on management calls');
}

/**
 * The owner of a stored token as the directory sees them now, without an
 * extra await when the directory answers synchronously (the common case
 * on the verification path). An owner who is gone or inactive takes their
 * tokens with them (`token_invalid`); a token without owner has none.
 *
 * @throws {TokenError} `token_invalid`; `unavailable` when no directory is configured.
 */
export function currentOwner(
  context: ServiceContext,
  record: TokenRecord,
): DirectoryUser | null | Promise<DirectoryUser | null> {
  if (record.owner === null) return null;
  const { directory } = context;
  if (directory === undefined) throw new TokenError('unavailable', 'no directory is configured');
  const answer = directory.getUser(record.tenant, record.owner);
  // Any thenable is awaited, as `await` would (src/core/thenable.ts); Promise.resolve keeps a native one as it is.
  return isThenable(answer) ? Promise.resolve(answer).then(liveOwner) : liveOwner(answer);
}

/** The directory's answer when it is a live user; `token_invalid` otherwise. A named function: no closure per call. */
function liveOwner(user: DirectoryUser | null | undefined): DirectoryUser {
  if (!isActiveUser(user)) throw tokenInvalid();
  return ownAnswer(user);
}

/**
 * Who is acting. Token principals must be ones this service verified, so a
 * hand-made object cannot pose as a verified token, and are read as they
 * are now (a principal may be older than a revocation): its authority at
 * this moment decides (issue 8).
 *
 * @throws {TokenError} `invalid_request` naming `actor`, `actor.tenant` or
 *   `actor.user`; `forbidden` for a principal from elsewhere or an unknown
 *   or inactive user; `token_invalid`, `token_revoked`, `token_expired` for
 *   a token actor that no longer verifies; `unavailable`.
 */
export async function resolveActor(context: ServiceContext, actor: Actor): Promise<ResolvedActor> {
  if (actor === 'system') return SYSTEM_ACTOR;
  const given: unknown = actor;
  if (!isPlainObject(given)) throw invalid('actor', "must be { tenant, user }, { principal } or 'system'");
  // Own keys only: a key planted on Object.prototype neither completes nor turns an actor (review s22).
  if (Object.hasOwn(given, 'principal')) {
    const principal = readField(given, 'principal', 'actor.principal') as Principal;
    if (!madeHere(context, principal)) {
      throw new TokenError('forbidden', 'the actor principal was not verified by this service');
    }
    return principal.type === 'verification' ? verificationActor(principal) : loadToken(context, principal);
  }
  const tenant = identifier(ownField(given, 'tenant', 'actor.tenant'), 'actor.tenant');
  const user = identifier(ownField(given, 'user', 'actor.user'), 'actor.user');
  const found = await lookupUser(context.directory, tenant, user);
  if (found === null) throw new TokenError('forbidden', 'the acting user is unknown or inactive');
  return userActor(tenant, user, found);
}

/**
 * The acting token of a principal, read now: refused if revoked, expired or
 * no longer its owner's, and a session also if it was signed out. The
 * secret it was verified with must still be the token's current one: a
 * principal of a secret rotated away since is `token_invalid`, and one of
 * a secret in its rotation grace period, which is being retired, acts on
 * no management call (`forbidden`) (SPEC §2).
 */
async function loadToken(context: ServiceContext, principal: Principal): Promise<ResolvedActor> {
  const stamp = stampOf(principal);
  if (stamp === undefined) throw tokenInvalid();
  if (stamp.graced) throw gracedSecret();
  const at = context.now();
  const { repository } = context;
  const session = principal.session;
  const { parent: record, revoked } =
    session === undefined || repository.findSession === undefined
      ? { parent: await guarded(repository.findById(principal.tokenId)), revoked: false }
      : await guarded(repository.findSession(session.id, principal.tokenId));
  if (record === null || record.tenant !== principal.tenant || record.type !== principal.type) {
    throw tokenInvalid();
  }
  if (revoked) throw new TokenError('token_revoked', 'the session has been signed out');
  if (record.revokedAt !== null) throw new TokenError('token_revoked', 'the token has been revoked');
  // Rotated since it was verified: its secret (or a session's parent secret) no longer verifies.
  if (record.rotatedAt !== stamp.rotatedAt) throw tokenInvalid();
  // The principal's own end (a JWT's exp, a session's) counts as much as the record's.
  const ends = [record.expiresAt, principal.expiresAt?.getTime(), principal.session?.expiresAt.getTime()];
  if (ends.some((end) => end !== undefined && end !== null && end <= at)) {
    throw new TokenError('token_expired', 'the token has expired');
  }
  if (!record.enabled) throw new TokenError('token_disabled', 'the token is disabled');
  const ownerUser = await guarded(Promise.resolve().then(() => currentOwner(context, record)));
  return tokenActor(record, ownerUser, principal.session !== undefined, at);
}

/**
 * The tenant a call works in: the input's, defaulting to the actor's; the
 * system must name one; nobody else crosses tenants.
 *
 * @throws {TokenError} `invalid_request` naming `field`; `forbidden` for another tenant.
 */
export function callTenant(actor: ResolvedActor, requested: unknown, field = 'tenant'): string {
  if (requested === undefined) {
    if (actor.tenant === null) throw invalid(field, 'is required when the system acts');
    return actor.tenant;
  }
  const tenant = identifier(requested, field);
  if (actor.tenant !== null && actor.tenant !== tenant) {
    throw new TokenError('forbidden', 'the actor cannot act in another tenant');
  }
  return tenant;
}

/** Refuses actors that are not tenant admins (`forbidden`, naming `what` they may not do). */
export function requireAdmin(actor: ResolvedActor, what: string): void {
  if (!actor.admin) throw new TokenError('forbidden', `only administrators may ${what}`);
}

/** A target's authority now, asking the directory about its owner at most once per call. */
function targetAuthority(context: ServiceContext, acting: ActingToken): (record: TokenRecord) => Promise<Authority> {
  const owners = new Map<string, Promise<DirectoryUser | null>>();
  const at = context.now();
  if (acting.authority.owner !== null) owners.set(acting.authority.owner, Promise.resolve(acting.ownerUser));
  return async (record) => {
    if (record.owner === null) return authorityOf(record, null, at);
    let owner = owners.get(record.owner);
    if (owner === undefined) {
      owner = lookupUser(context.directory, record.tenant, record.owner);
      owners.set(record.owner, owner);
    }
    return authorityOf(record, await owner, at);
  };
}

/**
 * Whether `actor` may make `call` on `record`.
 *
 * @throws {TokenError} `not_found` when the actor may not see the token
 *   (its existence is not the actor's to learn), `forbidden` when it may see
 *   it but not do `call`, `unavailable`.
 */
export async function authorize(
  context: ServiceContext,
  actor: ResolvedActor,
  record: TokenRecord,
  call: TargetedCall,
): Promise<void> {
  const acting = actor.token;
  if (acting === null) {
    // Roots: admins (and the system) manage their tenant, users their own tokens.
    if (!mayManage(actor, record)) throw new TokenError('not_found', 'token not found');
    return;
  }
  const verdict = decide(acting, record, await targetAuthority(context, acting)(record), call);
  if (verdict === 'hidden') throw new TokenError('not_found', 'token not found');
  if (verdict === 'forbidden') throw forbidden(`${call} this token`);
}

/**
 * For a change a token actor makes (`update`): whether `next`, the token as
 * the change would leave it (its grants, its expiry), is still within the
 * actor's authority now. Roots are not limited by it.
 */
export async function keepsWithin(context: ServiceContext, actor: ResolvedActor, next: TokenRecord): Promise<boolean> {
  const acting = actor.token;
  if (acting === null) return true;
  return within(await targetAuthority(context, acting)(next), acting.authority);
}

/**
 * For `list`: refuses owners outside a token actor's reach (`forbidden`)
 * and returns the test each listed token must pass to be shown.
 */
export function listing(
  context: ServiceContext,
  actor: ResolvedActor,
  owner: string | null | undefined,
): (record: TokenRecord) => Promise<boolean> {
  const acting = actor.token;
  // A verification token is shown no master token, as it reaches none (`mayManage`).
  if (acting === null) return async (record) => mayManage(actor, record);
  const reach = reachOf(acting, 'read');
  if (reach !== 'tenant' && owner !== acting.authority.owner) throw forbidden("list other owners' tokens");
  const authorityNow = targetAuthority(context, acting);
  return async (record) => decide(acting, record, await authorityNow(record), 'read') === 'allowed';
}

/** Refuses token actors whose row refuses `call` (`forbidden`; for `revokeAll`, only their own user is allowed). */
export function untargeted(actor: ResolvedActor, call: UntargetedCall, user?: string): void {
  const acting = actor.token;
  if (acting === null) return;
  const row = TOKEN_ACTOR_TABLE[acting.kind];
  if (call === 'revokeAll' && row.revokeAll && user === acting.authority.owner) return;
  // Policies also need admin rights, which the capability checks next for every actor.
  if (call === 'setMaxTtl' && row.setMaxTtl) return;
  throw forbidden(
    call === 'removeUser' ? 'remove users' : call === 'revokeAll' ? 'revoke these tokens' : 'set policies',
  );
}

/**
 * Who may read or change the store-backed directory (issue 11). A change
 * changes authority (an admin flag, roles, grants), so only the system, an
 * admin acting as themself and the master token of an admin make one: no
 * narrowed, personal, administrative or verification token and no session
 * does, whatever its grants. Reading takes admin rights.
 *
 * @throws {TokenError} `forbidden`.
 */
export function requireDirectoryAccess(actor: ResolvedActor, change: boolean): void {
  if (change) {
    const acting = actor.token;
    // A verification token is a root without a user; the system has no tenant.
    if ((acting !== null && acting.kind !== 'master') || actor.verificationToken === true) {
      throw forbidden('change the directory');
    }
  }
  requireAdmin(actor, change ? 'change the directory' : 'read the directory');
}
