import { TokenError } from './errors.js';
import { grantsAllow, needToString, parseNeed } from './grants.js';
import type { Principal } from './principal-types.js';
import type { GrantSet, Need, TokenType } from './types.js';

/** The fields a principal is made of. */
export interface PrincipalFields {
  readonly tokenId: string;
  readonly type: TokenType;
  readonly tenant: string;
  readonly owner: string | null;
  readonly name: string;
  readonly grants: GrantSet;
  readonly ownerIsAdmin: boolean;
  readonly expiresAt: Date | null;
  readonly session?: { readonly id: string; readonly expiresAt: Date };
}

class VerifiedPrincipal implements Principal {
  // Private: a copy made with spread or Object.create does not carry it, so it cannot be forged.
  readonly #brand: object;
  readonly tokenId: string;
  readonly type: TokenType;
  readonly tenant: string;
  readonly owner: string | null;
  readonly name: string;
  readonly grants: GrantSet;
  readonly ownerIsAdmin: boolean;
  readonly expiresAt: Date | null;
  readonly session?: { readonly id: string; readonly expiresAt: Date };

  constructor(fields: PrincipalFields, brand: object) {
    this.#brand = brand;
    this.tokenId = fields.tokenId;
    this.type = fields.type;
    this.tenant = fields.tenant;
    this.owner = fields.owner;
    this.name = fields.name;
    this.grants = fields.grants;
    this.ownerIsAdmin = fields.ownerIsAdmin;
    this.expiresAt = fields.expiresAt;
    if (fields.session !== undefined) this.session = fields.session;
  }

  can(need: Need): boolean {
    return grantsAllow(this.grants, parseNeed(need));
  }

  static brandOf(value: unknown): object | undefined {
    return value instanceof VerifiedPrincipal && #brand in value ? value.#brand : undefined;
  }

  assert(need: Need): void {
    const checked = parseNeed(need);
    if (!grantsAllow(this.grants, checked)) {
      throw new TokenError('insufficient_scope', `token lacks the grant ${needToString(checked)}`, { need: checked });
    }
  }
}

/** Brand of principals made outside a token service (remote verifiers): never accepted as actors. */
const UNBRANDED: object = Object.freeze({});

/**
 * @internal Builds a principal marked with `brand`, the identity of the
 * service that made it.
 */
export function createPrincipal(fields: PrincipalFields, brand: object = UNBRANDED): Principal {
  return Object.freeze(new VerifiedPrincipal(fields, brand));
}

/** @internal The brand a principal was made with, or undefined for anything else. */
export function brandOf(value: unknown): object | undefined {
  return VerifiedPrincipal.brandOf(value);
}
