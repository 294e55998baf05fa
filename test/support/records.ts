import type { TokenRecord } from '../../src/core/types.js';

/** A fixed instant for stored-record tests. */
export const T0 = 1_750_000_000_000;

/** A stored personal token of alice in tenant acme, created at `T0`, with `overrides` applied. */
export function testRecord(id: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id,
    tenant: 'acme',
    type: 'personal',
    owner: 'alice',
    name: `token-${id}`,
    comment: '',
    grants: null,
    secretHash: `hash-${id}`,
    pepperVersion: 1,
    previousSecretHash: null,
    previousPepperVersion: null,
    previousExpiresAt: null,
    createdAt: T0,
    expiresAt: null,
    revokedAt: null,
    rotatedAt: null,
    lastUsedAt: null,
    createdBy: 'user:alice',
    version: 1,
    meter: null,
    meta: null,
    enabled: true,
    lookupHash: null,
    ...overrides,
  };
}
