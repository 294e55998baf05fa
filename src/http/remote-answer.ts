/**
 * @internal Reading a platform's RFC 7662 introspection answer into a
 * principal, for the remote verifier. Anything unexpected is garbage, and
 * garbage never passes: it is `unavailable`, not a principal.
 */
import { TokenError } from '../core/errors.js';
import { parseGrants } from '../core/grants.js';
import { createPrincipal } from '../core/principal.js';
import type { Principal } from '../core/principal-types.js';
import type { GrantSet, StoredTokenType, TokenMeta } from '../core/types.js';
import { grantsOfScope } from './scope.js';

const STORED_TYPES: readonly string[] = ['administrative', 'personal', 'master', 'limited'];

/** `unavailable`, optionally with its cause. */
export function unavailable(message: string, cause?: unknown): TokenError {
  return new TokenError('unavailable', message, cause === undefined ? {} : { cause });
}

function unreadable(cause?: unknown): TokenError {
  return unavailable('the token platform answered something unreadable', cause);
}

/** The grants of an answer: our `grants` member, else its RFC 6749 `scope`, else none. */
function grantsOf(answer: Record<string, unknown>): GrantSet {
  if (answer.grants === 'all') return 'all';
  if (answer.grants !== undefined) return parseGrants(answer.grants, 'grants');
  if (typeof answer.scope === 'string') return grantsOfScope(answer.scope);
  return [];
}

function text(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200;
}

/** The members every live answer has, checked; false for anything else. */
function wellFormed(fields: Record<string, unknown>): boolean {
  const exp = fields.exp;
  return (
    text(fields.jti) &&
    text(fields.tenant) &&
    typeof fields.type === 'string' &&
    STORED_TYPES.includes(fields.type) &&
    (fields.sub === undefined || text(fields.sub)) &&
    (fields.name === undefined || typeof fields.name === 'string') &&
    (exp === undefined || (typeof exp === 'number' && Number.isFinite(exp))) &&
    (fields.meta === undefined ||
      (typeof fields.meta === 'object' && fields.meta !== null && !Array.isArray(fields.meta)))
  );
}

/**
 * The principal an answer describes, or null for "not active" (and for a
 * token the platform says has already expired at `now`: its word is not
 * taken for it).
 *
 * @throws {TokenError} `unavailable` for anything but a JSON object with
 *   `active: false`, or with `active: true` and well-formed members.
 */
export function readAnswer(raw: string, now: number): Principal | null {
  let answer: unknown;
  try {
    answer = JSON.parse(raw);
  } catch (cause) {
    throw unreadable(cause);
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw unreadable();
  const fields = answer as Record<string, unknown>;
  if (fields.active === false) return null;
  if (fields.active !== true || !wellFormed(fields)) throw unreadable();
  let grants: GrantSet;
  try {
    grants = grantsOf(fields);
  } catch (cause) {
    throw unreadable(cause);
  }
  const expiresAt = typeof fields.exp === 'number' ? fields.exp * 1000 : null;
  if (expiresAt !== null && expiresAt <= now) return null;
  const jti = fields.jti as string;
  return createPrincipal({
    tokenId: jti,
    type: fields.type as StoredTokenType,
    tenant: fields.tenant as string,
    owner: typeof fields.sub === 'string' ? fields.sub : null,
    name: typeof fields.name === 'string' ? fields.name : jti,
    grants,
    ownerIsAdmin: fields.owner_is_admin === true,
    expiresAt: expiresAt === null ? null : new Date(expiresAt),
    meta: fields.meta === undefined ? null : (fields.meta as TokenMeta),
  });
}
