/** Sending a token: share makes a single-use claim code; claim rotates the token and hands over the new secret. */
import { expect } from 'vitest';
import { actingToken, actingTokens, canAct, describeWho, tokenVerdict, type Who } from './authority.js';
import {
  actorFor,
  type Command,
  codes,
  describeTarget,
  expectInfo,
  expectNoSecrets,
  GHOST_ID,
  hasTarget,
  lookupCodes,
  type Pick,
  type Real,
  rollSecret,
  target,
} from './checks.js';
import {
  type ActorName,
  CLAIM_TTL,
  isExpired,
  logEvent,
  type Model,
  type ModelClaim,
  type ModelToken,
} from './model.js';
import { expectOutcome, settle } from './outcome.js';

export class ShareCommand implements Command {
  constructor(
    readonly actor: Who,
    readonly pick: Pick,
    readonly ttl: '1h' | '2d' | undefined,
  ) {}
  check(m: Readonly<Model>): boolean {
    return hasTarget(m, this.pick) && canAct(m, this.actor);
  }
  async run(m: Model, r: Real): Promise<void> {
    const token = target(m, this.actor, this.pick);
    const expected = lookupCodes(m, this.actor, token, 'share');
    const sharing = actingToken(m, this.actor);
    if (token !== null && expected.size === 0) {
      // Master tokens cannot be shared; only a live token can be.
      if (token.type === 'master') expected.add('forbidden');
      if (token.revokedAt !== null) expected.add('conflict').add('token_revoked');
      if (isExpired(token, m.now)) expected.add('conflict').add('token_expired');
    }
    const shared = expectOutcome(
      await settle(
        r.service.share(
          token?.id ?? GHOST_ID,
          await actorFor(m, r, this.actor),
          this.ttl === undefined ? undefined : { ttl: this.ttl },
        ),
      ),
      expected,
      this.toString(),
    );
    if (shared === null || token === null) return;
    const ttl = this.ttl === '1h' ? 3_600_000 : this.ttl === '2d' ? 2 * 86_400_000 : CLAIM_TTL;
    // A share never outlives the token it hands over.
    const expiresAt = Math.min(m.now + ttl, token.expiresAt ?? Infinity);
    expect({ tokenId: shared.tokenId, expiresAt: shared.expiresAt.getTime() }, this.toString()).toEqual({
      tokenId: token.id,
      expiresAt,
    });
    // It sends a code, never the token.
    expectNoSecrets(m, shared, this.toString());
    const sharer = sharing === null ? { user: this.actor as ActorName } : { token: sharing };
    // A token's share is stamped after the secret that shares (src/service/share.ts).
    const createdAt = sharing?.rotatedAt == null ? m.now : Math.max(m.now, sharing.rotatedAt + 1);
    m.claims.push({ code: shared.code, tokenId: token.id, expiresAt, used: false, sharer, createdAt });
    // The event bears the claim's stamp (src/service/share.ts), ahead of the clock after a rotation in the same millisecond.
    logEvent(m, token, 'shared', 'shared', createdAt);
  }
  toString(): string {
    return `share(${describeTarget(this.pick)}, ${describeWho(this.actor)}${this.ttl === undefined ? '' : `, ttl ${this.ttl}`})`;
  }
}

/**
 * `claim(code)` with a code the model knows (`fresh`: one not used yet, if
 * there is one; otherwise any, used and expired ones included), or with junk.
 */
export class ClaimCommand implements Command {
  constructor(
    readonly pick: { readonly index: number; readonly fresh: boolean } | null,
    readonly garbage: string,
  ) {}
  check(m: Readonly<Model>): boolean {
    return this.pick === null || m.claims.length > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    const unused = m.claims.filter((known) => !known.used);
    const pool = this.pick?.fresh && unused.length > 0 ? unused : m.claims;
    const claim = this.pick === null ? null : pool[this.pick.index % pool.length]!;
    const token = claim === null ? null : m.tokens.find((known) => known.id === claim.tokenId)!;
    const expected = codes();
    if (claim === null || token === null) expected.add('invalid_request').add('not_found');
    else {
      // Single use, until the code expires, and only while the token lives.
      if (claim.used || claim.expiresAt <= m.now || token.purged) expected.add('not_found');
      if (token.revokedAt !== null) expected.add('token_revoked').add('not_found').add('conflict');
      // The sharer's authority as it is now decides, not as it was at share (SPEC §2).
      if (sharerRefuses(m, claim, token)) expected.add('forbidden');
    }
    const claimed = expectOutcome(
      await settle(r.service.claim(claim?.code ?? this.garbage)),
      expected,
      this.toString(),
    );
    if (claim !== null) claim.used = true;
    if (claimed === null || token === null) return;
    // Claiming rotates: the new secret is returned once and the old one dies now.
    expect(claimed.token, 'a claim makes a new secret').not.toBe(token.current);
    rollSecret(m, token, claimed.token, null);
    logEvent(m, token, 'claimed');
    expectInfo(m, claimed.info, token, this.toString());
    // The code was used: the same link does not work twice.
    expectOutcome(await settle(r.service.claim(claim!.code)), codes('not_found'), `${this.toString()} again`);
  }
  toString(): string {
    if (this.pick === null) return `claim(garbage ${JSON.stringify(this.garbage)})`;
    return `claim(${this.pick.fresh ? 'fresh' : 'any'} code #${this.pick.index})`;
  }
}

/**
 * Whether the sharer of `claim` may no longer share `token`: a user who may
 * not now; a token that no longer verifies, was rotated after it shared, or
 * whose authority no longer holds `token` (the table's share cell and `within`).
 */
function sharerRefuses(m: Model, claim: ModelClaim, token: ModelToken): boolean {
  if ('user' in claim.sharer) return lookupCodes(m, claim.sharer.user, token, 'share').size > 0;
  const sharer = claim.sharer.token;
  if (!actingTokens(m).includes(sharer)) return true;
  if (sharer.rotatedAt !== null && sharer.rotatedAt >= claim.createdAt) return true;
  return tokenVerdict(m, sharer, token, 'share') !== 'ok';
}
