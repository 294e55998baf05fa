/** @internal `ensureMasterToken`: the one master token of a user in a tenant (SPEC §2). */
import { toInfo } from '../core/records.js';
import { guarded, type ServiceContext } from './context.js';
import { liveUserTarget } from './lookup.js';
import { encodeToken, newEvent, newRecord } from './material.js';
import type { EnsureMasterResult, TenantUser } from './types.js';

/**
 * Every master token is called this. It is reserved in each user's
 * namespace, so a user's own token can never share its name with the
 * master that `ensureMasterToken` may create later (names are unique per owner).
 */
export const MASTER_NAME = 'master';

/** See `TokenService.ensureMasterToken`. */
export async function ensureMasterToken(context: ServiceContext, target: TenantUser): Promise<EnsureMasterResult> {
  const { tenant, user } = await liveUserTarget(context, target);
  const createdAt = context.now();
  const { record, secret } = newRecord(
    context,
    {
      tenant,
      type: 'master',
      owner: user,
      name: MASTER_NAME,
      comment: user,
      grants: null,
      // Master tokens live as long as the membership: they end when the user is removed.
      expiresAt: null,
      createdBy: 'system',
      // The credential every other token of the user comes from is never metered.
      meter: null,
    },
    createdAt,
  );
  const token = await encodeToken(context, record, secret);
  const event = newEvent(context, record, 'issued', 'system', { type: 'master' });
  const result = await guarded(context.repository.insertMaster(record, event));
  if (!result.created) return { created: false, info: toInfo(result.record, createdAt) };
  return { created: true, token, info: toInfo(result.record, createdAt) };
}
