/** @internal `exchange`: a short-lived session token bound to a long-lived one. */
import { formatDuration, parseDuration } from '../core/duration.js';
import { invalid, TokenError } from '../core/errors.js';
import { expectKeys } from '../core/input.js';
import { stampOf } from '../core/principal.js';
import { gracedSecret } from './authority.js';
import { guarded, type ServiceContext, tokenInvalid } from './context.js';
import type { ExchangeOptions, SessionToken } from './types.js';
import { verify } from './verify.js';

/** See `TokenService.exchange`. */
export async function exchange(
  context: ServiceContext,
  token: string,
  options?: ExchangeOptions,
): Promise<SessionToken> {
  const { sessions } = context.settings;
  if (sessions === undefined) throw invalid('sessions', 'are not configured for this service');
  const fields = expectKeys(options, 'options', ['ttl']);
  const ttl = fields.ttl === undefined ? sessions.defaultTtl : parseDuration(fields.ttl, 'ttl');
  if (ttl > sessions.maxTtl) {
    throw new TokenError(
      'duration_exceeds_policy',
      `session ttl exceeds the maximum of ${formatDuration(sessions.maxTtl)}`,
      {
        field: 'ttl',
        limit: sessions.maxTtl,
      },
    );
  }
  if (sessions.codec.looksLike(token)) throw invalid('token', 'must be a long-lived token, not a session');
  const principal = await verify(context, token);
  if (principal.type === 'verification') throw new TokenError('forbidden', 'verification tokens cannot start sessions');
  // A secret being retired starts nothing that would outlive its grace period (SPEC §2).
  const stamp = stampOf(principal)!;
  if (stamp.graced) throw gracedSecret();
  const parent = await guarded(context.repository.findById(principal.tokenId));
  // Rotated between the verification and now: the session would outlive the secret that asked for it.
  if (parent === null || parent.rotatedAt !== stamp.rotatedAt) throw tokenInvalid();
  const at = context.now();
  // Never past the parent's end, nor the verified string's own (a JWT's exp).
  const expiresAt = Math.min(
    at + ttl,
    parent.expiresAt ?? Number.POSITIVE_INFINITY,
    principal.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
  );
  const sessionId = context.nextId();
  const signed = await sessions.codec.sign({
    sessionId,
    parentId: parent.id,
    tenant: parent.tenant,
    parentRotatedAt: parent.rotatedAt,
    issuedAt: at,
    expiresAt,
  });
  return { token: signed, sessionId, parentId: parent.id, expiresAt: new Date(expiresAt) };
}
