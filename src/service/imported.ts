/**
 * @internal Imported keys after their import (issue 13): the SHA-256 another
 * system stored is replaced by the keyed HMAC at the key's first successful
 * verification, so that a copy of the database no longer holds a fast,
 * unkeyed hash of a working key.
 */
import { isImportedSha256 } from '../core/imported-keys.js';
import { failureCode, safeLog } from '../core/logger.js';
import type { TokenRecord } from '../core/types.js';
import type { ServiceContext } from './context.js';
import { newEvent } from './material.js';

/**
 * Re-hashes an imported key still stored as its SHA-256 (`digest`, the
 * `keyDigest` of the string that just verified) to the keyed HMAC of it
 * (compare-and-set: of concurrent first verifications one writes, the
 * others find it done). A failure is logged and left for the next
 * verification: the key has just verified, so the answer stands.
 */
export async function rehashIfImported(context: ServiceContext, record: TokenRecord, digest: string): Promise<void> {
  if (record.lookupHash === null || !isImportedSha256(record.lookupHash)) return;
  const { peppers } = context;
  const hmac = peppers.hash(digest, peppers.current)!;
  try {
    await context.repository.update(
      record.id,
      record.version,
      { secretHash: hmac, pepperVersion: peppers.current, lookupHash: hmac },
      newEvent(context, record, 'rehashed', 'system'),
    );
  } catch (error) {
    safeLog(
      context.settings.logger,
      'warn',
      'an imported key could not be re-hashed; its next verification tries again',
      {
        tokenId: record.id,
        code: failureCode(error),
      },
    );
  }
}
