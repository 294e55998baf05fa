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
  readonly tokenId: string;
  readonly type: TokenType;
  readonly tenant: string;
  readonly owner: string | null;
  readonly name: string;
  readonly grants: GrantSet;
  readonly ownerIsAdmin: boolean;
  readonly expiresAt: Date | null;
  readonly session?: { readonly id: string; readonly expiresAt: Date };

  constructor(fields: PrincipalFields) {
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

  assert(need: Need): void {
    const checked = parseNeed(need);
    if (!grantsAllow(this.grants, checked)) {
      throw new TokenError('insufficient_scope', `token lacks the grant ${needToString(checked)}`, { need: checked });
    }
  }
}

/** @internal Builds a principal; only the service and verifiers call this. */
export function createPrincipal(fields: PrincipalFields): Principal {
  return Object.freeze(new VerifiedPrincipal(fields));
}
