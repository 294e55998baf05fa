/**
 * @internal `importTokens`: keys issued by another system, brought in by
 * the SHA-256 it stored of each whole key (Unkey's key migration; issue
 * 13). The keys keep their original strings: they are recognized by a
 * configured legacy prefix and found by that hash (`verify`), and re-hashed
 * to the keyed HMAC at their first successful verification.
 */
import type { ResolvedActor } from '../core/actors.js';
import { userRoles } from '../core/directory.js';
import { invalid, isTokenError, TokenError } from '../core/errors.js';
import { importedHash, lookupCandidates } from '../core/imported-keys.js';
import { comment as checkComment, expectKeys, flag, tokenMeta } from '../core/input.js';
import { resolveLifetime } from '../core/policy.js';
import { toInfo } from '../core/records.js';
import type { TokenEvent, TokenRecord } from '../core/types.js';
import { callTenant, keepsWithin, requireAdmin, resolveActor } from './authority.js';
import { guarded, type ServiceContext } from './context.js';
import { fireTokenHook } from './hooks.js';
import { generatedName, insertLimits, issuedGrants, issuedOwner, issuedType, mayCreate, ownedName } from './issue.js';
import { newEvent, recordWith } from './material.js';
import { explain } from './policies.js';
import type { Actor, ImportRecord, ImportResult } from './types.js';

const RECORD_KEYS = [
  'hash',
  'prefix',
  'type',
  'tenant',
  'owner',
  'name',
  'comment',
  'grants',
  'meta',
  'enabled',
  'expiresAt',
];

/** The most keys one call imports. */
export const MAX_IMPORT_BATCH = 1000;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An absolute expiry: a valid `Date`, an ISO 8601 string with a zone, or epoch milliseconds. */
function instant(value: unknown, field: string): number {
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'string' && ISO_8601.test(value)
        ? Date.parse(value)
        : typeof value === 'number' && Number.isSafeInteger(value)
          ? value
          : Number.NaN;
  if (!Number.isFinite(ms)) throw invalid(field, 'must be a Date, an ISO 8601 time with a zone, or epoch milliseconds');
  return ms;
}

/** The expiry of an imported key: in the future, within the owner's effective maximum. */
async function importedExpiry(
  context: ServiceContext,
  tenant: string,
  owner: string | null,
  roles: readonly string[],
  value: unknown,
  now: number,
  at: string,
): Promise<number | null> {
  const limit = await explain(context, tenant, owner, roles);
  if (value === undefined) {
    const lifetime = resolveLifetime(undefined, limit, context.settings);
    return lifetime === null ? null : now + lifetime;
  }
  if (value === null) {
    // Refused with `duration_exceeds_policy` where no expiry is not allowed.
    resolveLifetime(null, limit, context.settings, `${at}expiresAt`);
    return null;
  }
  const expiresAt = instant(value, `${at}expiresAt`);
  if (expiresAt <= now) throw invalid(`${at}expiresAt`, 'must be in the future: an expired key is not imported');
  resolveLifetime(expiresAt - now, limit, context.settings, `${at}expiresAt`);
  return expiresAt;
}

/** Checks one record and builds the token it becomes; nothing is stored yet. */
async function prepared(context: ServiceContext, who: ResolvedActor, input: unknown, at: string): Promise<TokenRecord> {
  const fields = expectKeys(input, at.slice(0, -1), RECORD_KEYS);
  const hash = expectKeys(fields.hash, `${at}hash`, ['value', 'variant']);
  const lookupHash = importedHash(hash.value, hash.variant, `${at}hash`);
  if (fields.prefix !== undefined && !context.settings.legacyPrefixes.includes(fields.prefix as string)) {
    throw invalid(`${at}prefix`, "must be one of the service's legacyPrefixes");
  }
  const tenant = callTenant(who, fields.tenant, `${at}tenant`);
  const type = issuedType(fields.type, who, at);
  const { owner, ownerUser } = await issuedOwner(context, who, tenant, type, fields.owner, at);
  const grants = issuedGrants(who, type, ownerUser, fields.grants, at);
  const now = context.now();
  const expiresAt = await importedExpiry(context, tenant, owner, userRoles(ownerUser), fields.expiresAt, now, at);
  const record = recordWith(
    context,
    {
      tenant,
      type,
      owner,
      name: fields.name === undefined ? generatedName(context) : ownedName(fields.name, owner, `${at}name`),
      comment: fields.comment === undefined ? '' : checkComment(fields.comment, `${at}comment`),
      grants,
      expiresAt,
      createdBy: who.label,
      // Rate limits and credits are not imported: a key comes in unmetered.
      meter: null,
      meta: fields.meta === undefined ? null : tokenMeta(fields.meta, `${at}meta`),
      enabled: flag(fields.enabled, `${at}enabled`, true),
    },
    // Until its first verification the key's only hash is the other system's SHA-256.
    { secretHash: lookupHash, pepperVersion: context.peppers.current, lookupHash },
    now,
  );
  if (!(await keepsWithin(context, who, record))) {
    throw new TokenError('forbidden', 'this token may not import a key beyond its own authority');
  }
  return record;
}

/** Checks every record before anything is stored: one bad record refuses the whole call. */
async function preparedAll(context: ServiceContext, who: ResolvedActor, records: unknown): Promise<TokenRecord[]> {
  if (!Array.isArray(records) || records.length === 0 || records.length > MAX_IMPORT_BATCH) {
    throw invalid('records', `must be a list of 1 to ${MAX_IMPORT_BATCH} keys`);
  }
  const out: TokenRecord[] = [];
  const seen = new Map<string, number>();
  for (let index = 0; index < records.length; index++) {
    const record = await prepared(context, who, records[index], `records[${index}].`);
    const earlier = seen.get(record.lookupHash!);
    if (earlier !== undefined) throw invalid(`records[${index}].hash`, `repeats records[${earlier}].hash`);
    seen.set(record.lookupHash!, index);
    out.push(record);
  }
  return out;
}

/**
 * Stores one imported key, unless it is there already: as its SHA-256, or
 * (used since) as the keyed HMAC that replaced it. The store's unique
 * lookup hash catches two imports racing.
 */
async function storeImported(context: ServiceContext, record: TokenRecord, event: TokenEvent): Promise<void> {
  const { repository } = context;
  const existing = await guarded(repository.findByLookupHash(lookupCandidates(record.lookupHash!, context.peppers)));
  if (existing !== null) throw new TokenError('conflict', 'this key was imported already');
  await guarded(repository.insert(record, insertLimits(context, record.owner, record.createdAt), event));
}

/** See `TokenService.importTokens`. */
export async function importTokens(
  context: ServiceContext,
  records: readonly ImportRecord[],
  actor: Actor,
): Promise<ImportResult> {
  if (context.settings.legacyPrefixes.length === 0) {
    throw invalid('legacyPrefixes', 'must be configured to import keys: imported keys are recognized by them');
  }
  const who = await resolveActor(context, actor);
  requireAdmin(who, 'import keys');
  mayCreate(context, who);
  const tokens = await preparedAll(context, who, records);
  const imported: { index: number; info: ReturnType<typeof toInfo> }[] = [];
  const failed: { index: number; code: TokenError['code']; message: string }[] = [];
  // Each key is its own atomic insert: a key the store refuses (imported already, a name
  // taken, the owner's cap) is reported and the others go on; an outage stops the call.
  for (const [index, record] of tokens.entries()) {
    const event = newEvent(context, record, 'imported', who.label, { type: record.type });
    try {
      await storeImported(context, record, event);
    } catch (error) {
      if (!isTokenError(error) || (error.code !== 'conflict' && error.code !== 'limit_exceeded')) throw error;
      failed.push({ index, code: error.code, message: error.message });
      continue;
    }
    imported.push({ index, info: toInfo(record, context.now()) });
    fireTokenHook(context, 'onImported', record, who.label);
  }
  return { imported, failed };
}
