/**
 * @internal Finding what a call names: a token by reference (checked
 * against the actor's authority), a live user of the directory, and the
 * page a listing asks for. Every refusal is a `TokenError` naming the field.
 */
import type { TargetedCall } from '../core/access.js';
import type { ResolvedActor } from '../core/actors.js';
import { lookupUser } from '../core/directory.js';
import { invalid, TokenError } from '../core/errors.js';
import { expectKeys, identifier, isPlainObject, tokenName } from '../core/input.js';
import type { DirectoryUser, TokenRecord } from '../core/types.js';
import { authorize, callTenant, resolveActor } from './authority.js';
import { guarded, type ServiceContext } from './context.js';
import type { Actor, TokenRef } from './types.js';

/**
 * A reference in canonical form. A name reference carries the NFC name and,
 * when it was given in another form, that form too (`spelled`), so a token
 * named before names were normalized can still be found by its old spelling.
 */
export type CanonicalRef =
  | { readonly id: string }
  | { readonly tenant?: string; readonly owner: string | null; readonly name: string; readonly spelled?: string };

const ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Checks a `TokenRef`. @throws {TokenError} `invalid_request` naming `field` or one of its members. */
export function tokenRef(ref: TokenRef, field = 'ref'): CanonicalRef {
  if (typeof ref === 'string') {
    if (!ID.test(ref)) throw invalid(field, 'must be a token id');
    return { id: ref };
  }
  if (isPlainObject(ref) && 'id' in ref) {
    if (typeof ref.id !== 'string' || !ID.test(ref.id) || Object.keys(ref).length !== 1) {
      throw invalid(field, 'must be a token id');
    }
    return { id: ref.id };
  }
  const value = expectKeys(ref, field, ['tenant', 'owner', 'name']);
  const owner = value.owner === null ? null : identifier(value.owner, `${field}.owner`);
  const name = tokenName(value.name, `${field}.name`);
  const spelled = value.name === name ? {} : { spelled: value.name as string };
  return value.tenant === undefined
    ? { owner, name, ...spelled }
    : { tenant: identifier(value.tenant, `${field}.tenant`), owner, name, ...spelled };
}

/**
 * The token `ref` names, if `actor` may make `call` on it.
 *
 * @throws {TokenError} `not_found` (missing, or hidden from the actor), `forbidden`, `unavailable`.
 */
async function findRecord(
  context: ServiceContext,
  ref: CanonicalRef,
  actor: ResolvedActor,
  call: TargetedCall,
): Promise<TokenRecord> {
  const { repository } = context;
  let record: TokenRecord | null;
  if ('id' in ref) {
    record = await guarded(repository.findById(ref.id));
  } else {
    const tenant = callTenant(actor, ref.tenant, 'ref.tenant');
    record = await guarded(repository.findByName(tenant, ref.owner, ref.name));
    // A name stored before names were normalized is still found by the spelling it was stored in.
    if (record === null && ref.spelled !== undefined) {
      record = await guarded(repository.findByName(tenant, ref.owner, ref.spelled));
    }
  }
  if (record === null) throw new TokenError('not_found', 'token not found');
  await authorize(context, actor, record, call);
  return record;
}

/** A token a management call aims at, with the actor resolved: the common start of targeted calls. */
export async function managed(
  context: ServiceContext,
  ref: TokenRef,
  actor: Actor,
  call: TargetedCall,
): Promise<{ record: TokenRecord; who: ResolvedActor }> {
  const canonical = tokenRef(ref);
  const who = await resolveActor(context, actor);
  return { record: await findRecord(context, canonical, who, call), who };
}

/**
 * A `{ tenant, user }` target naming a live user of the directory.
 *
 * @throws {TokenError} `invalid_request` naming `target`, `target.tenant` or
 *   `target.user`; `not_found` for an unknown or inactive user; `unavailable`.
 */
export async function liveUserTarget(
  context: ServiceContext,
  target: unknown,
): Promise<{ tenant: string; user: string; found: DirectoryUser }> {
  const fields = expectKeys(target, 'target', ['tenant', 'user']);
  const tenant = identifier(fields.tenant, 'target.tenant');
  const user = identifier(fields.user, 'target.user');
  const found = await lookupUser(context.directory, tenant, user);
  if (found === null) throw new TokenError('not_found', 'the user is unknown or inactive');
  return { tenant, user, found };
}

/**
 * The page a listing asks for: `limit` 1-1000 (default 100) and an opaque
 * `cursor` (or null for the first page).
 *
 * @throws {TokenError} `invalid_request` naming `<field>.limit` or `<field>.cursor`.
 */
export function pageRequest(fields: Record<string, unknown>, field: string): { limit: number; cursor: string | null } {
  const limit = fields.limit === undefined ? 100 : fields.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw invalid(`${field}.limit`, 'must be an integer from 1 to 1000');
  }
  const cursor = fields.cursor;
  if (cursor !== undefined && cursor !== null && typeof cursor !== 'string') {
    throw invalid(`${field}.cursor`, 'must be a string');
  }
  return { limit, cursor: (cursor as string | null | undefined) ?? null };
}
