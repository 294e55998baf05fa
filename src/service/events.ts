/** @internal `events` and `record`: a token's history (Keboola's token events). */

import { invalid } from '../core/errors.js';
import { expectKeys } from '../core/input.js';
import type { Principal } from '../core/principal-types.js';
import { toEventInfo } from '../core/records.js';
import { jsonObject, labelText } from '../core/text.js';
import type { TokenEventInfo } from '../core/types.js';
import { guarded, madeHere, type ServiceContext } from './context.js';
import { managed, pageRequest } from './lookup.js';
import { newEvent } from './material.js';
import type { Actor, EventsOptions, Page, TokenRef } from './types.js';

/** The largest `detail` of `record`, in UTF-8 bytes of its JSON. */
const MAX_DETAIL_BYTES = 4096;
/** The longest `operation` of `record`, in characters. */
const MAX_OPERATION_LENGTH = 200;

/** See `TokenService.events`. */
export async function events(
  context: ServiceContext,
  ref: TokenRef,
  actor: Actor,
  options?: EventsOptions,
): Promise<Page<TokenEventInfo>> {
  const fields = expectKeys(options, 'options', ['limit', 'cursor']);
  const { limit, cursor } = pageRequest(fields, 'options');
  const { record } = await managed(context, ref, actor, 'read');
  const page = await guarded(context.repository.listEvents({ tokenId: record.id, limit, cursor }));
  return { items: page.items.map(toEventInfo), nextCursor: page.nextCursor };
}

/** See `TokenService.record`. */
export async function record(
  context: ServiceContext,
  principal: Principal,
  operation: string,
  detail?: Readonly<Record<string, unknown>>,
): Promise<void> {
  // madeHere answers false for anything but a principal of this service, null and primitives included.
  if (!madeHere(context, principal)) {
    throw invalid('principal', 'must be a principal verified by this service');
  }
  const operationName = labelText(operation, 'operation', MAX_OPERATION_LENGTH);
  const safeDetail = detail === undefined ? null : jsonObject(detail, 'detail', MAX_DETAIL_BYTES);
  // Verification tokens are configuration, not stored tokens: they have no history to append to.
  if (principal.type === 'verification') return;
  const token = { id: principal.tokenId, tenant: principal.tenant };
  const event = newEvent(context, token, 'used', `token:${principal.tokenId}`, safeDetail, operationName);
  await guarded(context.repository.appendEvent(event));
}
