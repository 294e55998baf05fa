/**
 * The world the memory benchmarks measure: a tenant filled through the
 * public API the way users fill it (`issue`, one call per token, each user
 * issuing for themself), and the issue's baseline built next to it — the
 * raw chain's `Map` of bare records (issue 12):
 *
 *   a `Map` from a 26-character id to `{ id, hash (43-char base64url
 *   HMAC-SHA-256), owner, type, expiresAt }`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyedHasherFactory } from '../src/core/hashing.js';
import type { DirectoryUser, Grant, StoredTokenType } from '../src/core/types.js';
import { createTokenService, staticDirectory, type TokenService } from '../src/index.js';
import { memoryRepository } from '../src/stores/memory/index.js';

export const PEPPER = 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz';
export const PREFIX = 'acme';
export const TENANT = 'acme';
/** A second tenant of `SMALL_TENANT_TOKENS` tokens in the same store: the baseline of the listing figures. */
export const SMALL_TENANT = 'small';
export const SMALL_TENANT_TOKENS = 100;
/** The user who owns a tenth of the big tenant's tokens: the per-owner listing. */
export const HEAVY_USER = 'heavy';
export const ADMIN = 'root';

/** Where the id and the secret sit in a token string `acme_p_<id><secret><checksum>`. */
const ID_AT = PREFIX.length + 3;
const SECRET_AT = ID_AT + 26;

/** One bare record: exactly the issue's baseline. */
export interface BareRecord {
  readonly id: string;
  readonly hash: string;
  readonly owner: string;
  readonly type: string;
  readonly expiresAt: number | null;
}

/** The users of the big tenant: one per ten tokens, each with one grant, plus the heavy user and an admin. */
export function userNames(tokens: number): string[] {
  return Array.from({ length: Math.max(1, Math.floor(tokens / 10)) }, (_, i) => `user${i}`);
}

const GRANT: Grant = { bucket: 'main', access: 'read' };

/** A service on a memory repository (a new one unless given), with the users of a tenant of `tokens` tokens. */
export function createWorld(tokens: number, hasher?: KeyedHasherFactory, repository = memoryRepository()) {
  const names = userNames(tokens);
  const member: DirectoryUser = { grants: [GRANT, { scope: 'reports' }] };
  const users: Record<string, DirectoryUser> = Object.fromEntries(names.map((name) => [name, member]));
  users[HEAVY_USER] = member;
  users[ADMIN] = { admin: true };
  const directory = staticDirectory({
    [TENANT]: users,
    [SMALL_TENANT]: { [HEAVY_USER]: member, [ADMIN]: { admin: true } },
  });
  const options = { repository, pepper: PEPPER, prefix: PREFIX, directory };
  const service = createTokenService(hasher === undefined ? options : { ...options, hasher });
  return { service, repository, names };
}

/**
 * Token `i` of the big tenant, issued by its owner: nine in ten belong to
 * the users in turn, one in ten to the heavy user; three in four are
 * personal, one in four limited to one of the owner's grants.
 */
export async function issueOne(service: TokenService, names: readonly string[], i: number): Promise<string> {
  const user = i % 10 === 9 ? HEAVY_USER : names[i % names.length]!;
  const limited = i % 4 === 3;
  const input = limited ? { type: 'limited' as const, grants: [GRANT] } : {};
  return (await service.issue(input, { tenant: TENANT, user })).token;
}

/** Fills the small tenant, the listing baseline. */
export async function fillSmallTenant(service: TokenService): Promise<void> {
  for (let i = 0; i < SMALL_TENANT_TOKENS; i++) {
    await service.issue({}, { tenant: SMALL_TENANT, user: HEAVY_USER });
  }
}

/** A flat copy of a string (a driver or JSON parser hands out flat strings). */
function flat(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1');
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function randomUlid(): string {
  const bytes = randomBytes(26);
  const codes = Buffer.alloc(26);
  codes[0] = CROCKFORD.charCodeAt(bytes[0]! & 7);
  for (let i = 1; i < 26; i++) codes[i] = CROCKFORD.charCodeAt(bytes[i]! & 31);
  return codes.toString('latin1');
}

/**
 * The raw chain's store: `count` bare records, the `sample` tokens' real
 * ones and random others, owners and types spread as `issueOne` spreads
 * them (owner strings shared, as a store's own user table would share them).
 */
export function bareMap(
  count: number,
  sample: readonly string[],
  names: readonly string[],
  expiresAt: number,
): Map<string, BareRecord> {
  const key = Buffer.from(PEPPER);
  const map = new Map<string, BareRecord>();
  const ownerOf = (i: number): string => (i % 10 === 9 ? HEAVY_USER : names[i % names.length]!);
  for (const token of sample) {
    const id = flat(token.slice(ID_AT, SECRET_AT));
    const hash = createHmac('sha256', key)
      .update(token.slice(SECRET_AT, SECRET_AT + 30))
      .digest('base64url');
    const type: StoredTokenType = token[PREFIX.length + 1] === 'l' ? 'limited' : 'personal';
    map.set(id, { id, hash, owner: ownerOf(map.size), type, expiresAt });
  }
  while (map.size < count) {
    const id = randomUlid();
    const hash = randomBytes(32).toString('base64url');
    const i = map.size;
    map.set(id, { id, hash, owner: ownerOf(i), type: i % 4 === 3 ? 'limited' : 'personal', expiresAt });
  }
  return map;
}

/**
 * The raw chain (issue 12): slice id and secret, `Map.get`, `createHmac`
 * over the secret, `timingSafeEqual` against the decoded stored hash,
 * expiry check.
 */
export function rawChain(map: ReadonlyMap<string, BareRecord>): (token: string) => boolean {
  const key = Buffer.from(PEPPER);
  return (token) => {
    const id = token.slice(ID_AT, SECRET_AT);
    const secret = token.slice(SECRET_AT, SECRET_AT + 30);
    const entry = map.get(id);
    if (entry === undefined) return false;
    const mac = createHmac('sha256', key).update(secret).digest();
    if (!timingSafeEqualBytes(mac, Buffer.from(entry.hash, 'base64url'))) return false;
    return entry.expiresAt === null || entry.expiresAt > Date.now();
  };
}

function timingSafeEqualBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
