/** @internal `rotate`, and the compare-and-set secret replacement that `claim` shares. */
import { formatDuration, parseDuration } from '../core/duration.js';
import { TokenError } from '../core/errors.js';
import { expectKeys } from '../core/input.js';
import { isLive, nextRotation, toInfo } from '../core/records.js';
import type { Duration, TokenRecord } from '../core/types.js';
import { guarded, type ServiceContext } from './context.js';
import { fireTokenHook } from './hooks.js';
import { managed } from './lookup.js';
import { encodeToken, newEvent, newSecret } from './material.js';
import type { Actor, RotatedToken, RotateOptions, TokenRef } from './types.js';

/**
 * Replaces the secret with compare-and-set, keeping the old one for
 * `gracePeriod` ms (never past the token's expiry) or not at all (null).
 * Returns the new token string and record, or null when another change won.
 */
export async function replaceSecret(
  context: ServiceContext,
  record: TokenRecord,
  actorLabel: string,
  gracePeriod: number | null,
  eventType: 'rotated' | 'claimed',
): Promise<{ token: string; record: TokenRecord } | null> {
  const { peppers } = context;
  const secret = newSecret(context);
  const now = context.now();
  // Strictly after the current secret's stamp, which then names exactly one secret; the grace
  // period is counted on the clock.
  const at = nextRotation(record, now);
  const graceEnds =
    gracePeriod === null ? null : Math.min(now + gracePeriod, record.expiresAt ?? Number.POSITIVE_INFINITY);
  // The new string is built before anything is stored: a format that refuses
  // this token (a JWT for a token without expiry) fails with the old secret intact.
  const token = await encodeToken(context, { ...record, rotatedAt: at }, secret);
  const detail = gracePeriod === null ? null : { gracePeriod: formatDuration(gracePeriod) };
  const updated = await guarded(
    context.repository.update(
      record.id,
      record.version,
      {
        secretHash: peppers.hash(secret, peppers.current)!,
        pepperVersion: peppers.current,
        previousSecretHash: graceEnds === null ? null : record.secretHash,
        previousPepperVersion: graceEnds === null ? null : record.pepperVersion,
        previousExpiresAt: graceEnds,
        rotatedAt: at,
        // An imported key's original string is found by its lookup hash: kept only while it is
        // the previous secret in its grace period (verification checks that), dropped otherwise.
        ...(record.lookupHash !== null && graceEnds === null ? { lookupHash: null } : {}),
      },
      newEvent(context, record, eventType, actorLabel, detail),
    ),
  );
  if (updated === null) return null;
  fireTokenHook(context, eventType === 'rotated' ? 'onRotated' : 'onClaimed', updated, actorLabel);
  return { token, record: updated };
}

/**
 * The grace period asked for, at most the policy's `maxGracePeriod`: an old
 * secret that lives on is a second key to the token (outside review, issue 8).
 *
 * @throws {TokenError} `invalid_request` naming `gracePeriod`; `duration_exceeds_policy` (`details.field` `gracePeriod`).
 */
function graceOf(context: ServiceContext, requested: unknown): number | null {
  if (requested === undefined) return null;
  const grace = parseDuration(requested as Duration, 'gracePeriod');
  const { maxGracePeriod } = context.settings;
  if (grace > maxGracePeriod) {
    throw new TokenError(
      'duration_exceeds_policy',
      `grace period exceeds the maximum of ${formatDuration(maxGracePeriod)}`,
      { field: 'gracePeriod', limit: maxGracePeriod },
    );
  }
  return grace;
}

/** See `TokenService.rotate`. */
export async function rotate(
  context: ServiceContext,
  ref: TokenRef,
  actor: Actor,
  options?: RotateOptions,
): Promise<RotatedToken> {
  const fields = expectKeys(options, 'options', ['gracePeriod']);
  const gracePeriod = graceOf(context, fields.gracePeriod);
  const { record, who } = await managed(context, ref, actor, 'rotate');
  const at = context.now();
  if (record.revokedAt !== null) throw new TokenError('conflict', 'a revoked token cannot be rotated');
  if (!isLive(record, at)) throw new TokenError('conflict', 'an expired token cannot be rotated');
  const rotated = await replaceSecret(context, record, who.label, gracePeriod, 'rotated');
  if (rotated === null) throw new TokenError('conflict', 'the token was changed concurrently; try again');
  const { previousExpiresAt } = rotated.record;
  return {
    token: rotated.token,
    info: toInfo(rotated.record, context.now()),
    graceEndsAt: previousExpiresAt === null ? null : new Date(previousExpiresAt),
  };
}
