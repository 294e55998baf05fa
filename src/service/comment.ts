/** @internal `updateComment`. */
import { TokenError } from '../core/errors.js';
import { comment as checkComment } from '../core/input.js';
import { toInfo } from '../core/records.js';
import type { TokenInfo, TokenRecord } from '../core/types.js';
import { guarded, type ServiceContext } from './context.js';
import { managed } from './lookup.js';
import { newEvent } from './material.js';
import type { Actor, TokenRef } from './types.js';

/** How often a comment change is tried again when another change to the token wins the compare-and-set. */
const ATTEMPTS = 5;

/** See `TokenService.updateComment`. */
export async function updateComment(
  context: ServiceContext,
  ref: TokenRef,
  text: string,
  actor: Actor,
): Promise<TokenInfo> {
  const newComment = checkComment(text);
  const { record, who } = await managed(context, ref, actor, 'comment');
  if (record.type === 'master') throw new TokenError('forbidden', 'master tokens cannot be modified');
  const { repository } = context;
  let current: TokenRecord | null = record;
  // Only the comment changes, so a concurrent change elsewhere is retried rather than reported.
  for (let attempt = 0; attempt < ATTEMPTS && current !== null; attempt++) {
    if (current.revokedAt !== null) throw new TokenError('conflict', 'a revoked token cannot be changed');
    const event = newEvent(context, current, 'comment_updated', who.label);
    const updated = await guarded(repository.update(current.id, current.version, { comment: newComment }, event));
    if (updated !== null) return toInfo(updated, context.now());
    current = await guarded(repository.findById(record.id));
  }
  throw new TokenError('conflict', 'the token was changed concurrently; try again');
}
