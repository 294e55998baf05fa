/**
 * @internal What capabilities write: new secrets, the records and events
 * that carry them into storage, and the token strings shown once.
 */
import { randomBase62 } from '../core/encoding.js';
import { SECRET_LENGTH } from '../core/token-shape.js';
import type { TokenEvent, TokenEventType, TokenRecord } from '../core/types.js';
import type { ServiceContext } from './context.js';

/** A fresh random secret: 30 base62 characters (178 bits). */
export function newSecret(context: ServiceContext): string {
  return randomBase62(SECRET_LENGTH, context.random);
}

/** The fields a capability decides for a new token; the rest start empty (no meta, enabled). */
export type NewTokenFields = Pick<
  TokenRecord,
  'tenant' | 'type' | 'owner' | 'name' | 'comment' | 'grants' | 'expiresAt' | 'createdBy' | 'meter'
> &
  Partial<Pick<TokenRecord, 'meta' | 'enabled'>>;

/** A new token's record around a stored hash (`secretHash`, its pepper version, `lookupHash`). */
export function recordWith(
  context: ServiceContext,
  fields: NewTokenFields,
  hashes: Pick<TokenRecord, 'secretHash' | 'pepperVersion' | 'lookupHash'>,
  createdAt: number,
): TokenRecord {
  return {
    id: context.nextId(),
    meta: null,
    enabled: true,
    ...fields,
    ...hashes,
    previousSecretHash: null,
    previousPepperVersion: null,
    previousExpiresAt: null,
    createdAt,
    revokedAt: null,
    rotatedAt: null,
    lastUsedAt: null,
    version: 1,
  };
}

/** A new token's record with a fresh secret; only the secret's keyed hash goes into it. */
export function newRecord(
  context: ServiceContext,
  fields: NewTokenFields,
  createdAt: number,
): { record: TokenRecord; secret: string } {
  const { peppers } = context;
  const secret = newSecret(context);
  const hashes = {
    secretHash: peppers.hash(secret, peppers.current)!,
    pepperVersion: peppers.current,
    lookupHash: null,
  };
  return { record: recordWith(context, fields, hashes, createdAt), secret };
}

/** An event of `record`'s history at the service's now; `operation` defaults to the type. */
export function newEvent(
  context: ServiceContext,
  record: Pick<TokenRecord, 'id' | 'tenant'>,
  type: TokenEventType,
  actor: string,
  detail: Readonly<Record<string, unknown>> | null = null,
  operation: string = type,
): TokenEvent {
  return {
    id: context.nextId(),
    tokenId: record.id,
    tenant: record.tenant,
    type,
    actor,
    operation,
    detail,
    at: context.now(),
  };
}

/** The token string of `record` with `secret`, in the service's format. */
export async function encodeToken(context: ServiceContext, record: TokenRecord, secret: string): Promise<string> {
  return context.format.encode({
    id: record.id,
    secret,
    type: record.type,
    tenant: record.tenant,
    owner: record.owner,
    issuedAt: record.rotatedAt ?? record.createdAt,
    expiresAt: record.expiresAt,
  });
}
