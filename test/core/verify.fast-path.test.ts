/**
 * Speed never buys a weaker check (issue 12): `verify`'s fast paths answer
 * every string exactly as the plain paths do. On one store and one clock,
 * for random worlds of tokens — every type, revoked, expired, rotated
 * (old secret within and past its grace period), issued under an old
 * pepper, owners deactivated or with changed grants — and for each token,
 * tampered copies of it and strings of other shapes, these services must
 * accept or refuse identically, with the same principal or the same code.
 * Disabled tokens and metered ones (issue 13: usage credits, a rate
 * limit, credits used up) are in the worlds too. Metered tokens leave the
 * fast path for the store's atomic `spend`; every service spends from the
 * one store, so the credits left are compared apart — each acceptance
 * spent exactly one, each refusal nothing.
 *
 * - fast: the default hasher's string path, the memory store answering
 *   `findByIdSync` in its verification form (the stored hash as digest
 *   words, compared with the HMAC state: `matchesWords`), a directory
 *   answering directly, the opaque format parsed in one pass — no `await`
 *   anywhere;
 * - text: the same, the store asked without the verification form, so the
 *   hash is compared as text (a wrapper that does not pass `purpose` on);
 * - plain: the same store, directory and format answering only through
 *   promises (`findById`, a promised directory answer, a promised parse);
 * - plugged: the reference HMAC behind the plug-in interface (`nodeHasher`,
 *   and the default hasher called through it), which takes the byte path;
 * - pattern: the opaque format parsed the old way, by the token pattern and
 *   then the CRC;
 * - immediate: the fast service's synchronous form of `verify`, which the
 *   Express and Fastify adapters call: the principal itself, a promise when
 *   a step waits (a meter), or the refusal thrown at once.
 *
 * A second property runs random sequences of every kind of store write —
 * comment, rename, meta, disabling and enabling, narrowing, a new lifetime,
 * rotation with and without grace, revocation one by one and by owner,
 * removal of the owner, purging (rows deleted and their index positions
 * shifted), new tokens, recorded uses and spent credits, the clock moving —
 * and after each write holds the fast and the plain answers equal for
 * every token made so far.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { base62Fixed, base62Value, crc32Ascii } from '../../src/core/encoding.js';
import { opaqueFormat } from '../../src/core/format.js';
import type { TokenFormat } from '../../src/core/format-types.js';
import { portableHasher } from '../../src/core/hashing.js';
import { IMMEDIATE_VERIFY, type ImmediateVerify } from '../../src/core/immediate-verify.js';
import type { TokenRepository } from '../../src/core/repository.js';
import { TOKEN_SHAPE, TYPES_BY_CODE } from '../../src/core/token-shape.js';
import type { Directory, DirectoryUser } from '../../src/core/types.js';
import { nodeHasher } from '../../src/node/index.js';
import { createTokenService } from '../../src/service/index.js';
import type { TokenService } from '../../src/service/token-service.js';
import type { TokenServiceOptions, VerifyOptions } from '../../src/service/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';

const PEPPERS = {
  1: 'fast-path-pepper-one-0123456789abcdefghijk',
  2: 'fast-path-pepper-two-0123456789abcdefghijk',
};
const START = Date.UTC(2026, 2, 1);
const USERS = ['ann', 'ben', 'cid'] as const;

/** The same store asked without `purpose`: plain records, the stored hash as text. */
function textOnly(repository: TokenRepository): TokenRepository {
  return { ...repository, findByIdSync: (id) => repository.findByIdSync!(id) };
}

/** The same store without its synchronous answer: every lookup is a promise. */
function promisedOnly(repository: TokenRepository): TokenRepository {
  const { findByIdSync: _sync, ...rest } = repository;
  return rest;
}

const promisedDirectory = (directory: Directory): Directory => ({
  getUser: (tenant, user) => Promise.resolve(directory.getUser(tenant, user)),
});

const promisedFormat = (format: TokenFormat): TokenFormat => ({
  kind: format.kind,
  encode: (material) => format.encode(material),
  parse: (token) => Promise.resolve(format.parse(token)),
  looksLike: (token) => format.looksLike(token),
});

/** The opaque format parsed as before issue 12: the token pattern, then the CRC. */
function patternFormat(prefix: string): TokenFormat {
  const opaque = opaqueFormat(prefix);
  return {
    ...opaque,
    parse(token) {
      const match = TOKEN_SHAPE.exec(token);
      if (match === null || match[1] !== prefix) return null;
      const end = token.length - 6;
      if (base62Value(token, end, 6) !== crc32Ascii(token, end)) return null;
      return { id: match[3]!, secret: match[4]!.slice(0, 30), type: TYPES_BY_CODE[match[2]!]! };
    },
  };
}

/**
 * The service's synchronous form of `verify` (src/core/immediate-verify.ts,
 * what the Express and Fastify adapters call), seen through a `verify`:
 * a refusal it throws at once becomes a rejection. Notes whether it
 * answered directly, so the property knows both of its ways were taken.
 */
function immediate(service: TokenService): TokenService {
  const entry = (service as unknown as Record<symbol, ImmediateVerify<VerifyOptions> | undefined>)[IMMEDIATE_VERIFY];
  if (entry === undefined || entry.verify !== service.verify) throw new Error('the service has no synchronous verify');
  const verify = (token: string, options?: VerifyOptions) => {
    try {
      const answer = entry.now(token, options);
      seen.add(answer instanceof Promise ? 'immediate: waited' : 'immediate: answered directly');
      return Promise.resolve(answer);
    } catch (error) {
      seen.add('immediate: refused directly');
      return Promise.reject(error);
    }
  };
  return { ...service, verify };
}

/** What one token of the world goes through. */
const arbTokenPlan = fc.record({
  kind: fc.constantFrom('personal', 'limited', 'administrative', 'master'),
  owner: fc.constantFrom(...USERS),
  ttl: fc.constantFrom('1h', '30d', null),
  oldPepper: fc.boolean(),
  revoked: fc.boolean(),
  rotation: fc.constantFrom('none', 'no grace', 'grace 1h', 'grace 1m'),
  meter: fc.constantFrom('none', 'none', 'credits', 'spent', 'limit'),
  /** Disabled with `update` (issue 13) after its making, and its rotation. */
  disabled: fc.boolean(),
});

const CREDITS = 1_000_000;

/** The `issue` fields of a plan's meter: plenty of credits, none left, or a limit never reached. */
const METERS = {
  none: {},
  credits: { remaining: CREDITS },
  spent: { remaining: 0 },
  limit: { ratelimit: { limit: 1_000_000, duration: '30d' } },
} as const;

const arbWorld = fc.record({
  tokens: fc.array(arbTokenPlan, { minLength: 1, maxLength: 6 }),
  /** Minutes the clock moves between the tokens' making and their verification. */
  later: fc.constantFrom(0, 2, 90, 60 * 24 * 40),
  deactivated: fc.subarray([...USERS]),
  narrowed: fc.subarray([...USERS]),
  /** Dropping pepper 1 leaves its tokens without a key. */
  dropOldPepper: fc.boolean(),
  tamper: fc.array(fc.record({ at: fc.nat(), char: fc.constantFrom(...'0aZ_-9Az'), recheck: fc.boolean() }), {
    maxLength: 4,
  }),
});

type Outcome = { code: string } | { principal: Record<string, unknown> };

/** Every kind of answer the worlds produced: the property must have seen acceptances and each refusal. */
const seen = new Set<string>();

/** Acceptances of tokens with credits, by token id: what their credits must have gone down by. */
const spent = new Map<string, number>();

async function outcome(service: TokenService, token: string, tenant?: string): Promise<Outcome> {
  try {
    const { remaining, ...principal } = await service.verify(token, tenant === undefined ? undefined : { tenant });
    seen.add(`accepted ${principal.type}`);
    if (remaining !== undefined) {
      seen.add('accepted with credits');
      spent.set(principal.tokenId, (spent.get(principal.tokenId) ?? 0) + 1);
    }
    return { principal: { ...principal, expiresAt: principal.expiresAt?.getTime() ?? null } };
  } catch (error) {
    seen.add((error as { code: string }).code);
    return { code: (error as { code: string }).code };
  }
}

/** A token with one character changed, its checksum made right again or not. */
function tampered(token: string, change: { at: number; char: string; recheck: boolean }): string {
  const at = change.at % token.length;
  const text = token.slice(0, at) + change.char + token.slice(at + 1);
  if (!change.recheck) return text;
  const head = text.slice(0, text.length - 6);
  return head + base62Fixed(crc32Ascii(head), 6);
}

describe('verify: fast paths answer as the plain ones (property)', () => {
  it('for every token of random worlds, tampered copies and other strings', async () => {
    await fc.assert(
      fc.asyncProperty(arbWorld, async (world) => {
        let now = START;
        const users: Record<string, DirectoryUser> = {
          ann: { admin: true },
          ben: { grants: [{ bucket: 'main', access: 'write' }, { scope: 'reports' }] },
          cid: { grants: [{ scope: 'reports' }] },
          root: { admin: true },
        };
        const directory: Directory = { getUser: (tenant, user) => (tenant === 'acme' ? users[user] : undefined) };
        const repository = memoryRepository();
        const base = {
          repository,
          directory,
          prefix: 'acme',
          now: () => now,
          policy: { allowNoExpiry: true },
          verificationTokens: [{ name: 'ops', secret: 'static-verification-token-0123456789', tenant: 'acme' }],
        } satisfies Partial<TokenServiceOptions>;
        const issuing = (current: 1 | 2) =>
          createTokenService({ ...base, pepper: { current, peppers: PEPPERS } } as TokenServiceOptions);
        const tokens: string[] = [];
        const credited: string[] = [];
        spent.clear();
        for (const plan of world.tokens) {
          const service = issuing(plan.oldPepper ? 1 : 2);
          const actor = { tenant: 'acme', user: plan.kind === 'administrative' ? 'root' : plan.owner };
          let issued: { token: string; info: { id: string } } | null;
          if (plan.kind === 'master') {
            const made = await service.ensureMasterToken({ tenant: 'acme', user: plan.owner });
            issued = made.created ? { token: made.token, info: made.info } : null;
          } else {
            const input =
              plan.kind === 'limited'
                ? { type: 'limited' as const, ttl: plan.ttl, grants: [{ scope: 'reports' }], ...METERS[plan.meter] }
                : { type: plan.kind, ttl: plan.ttl, ...METERS[plan.meter] };
            issued = await service.issue(input, actor);
          }
          if (issued === null) continue;
          tokens.push(issued.token);
          if (plan.meter === 'credits' && plan.kind !== 'master') credited.push(issued.info.id);
          if (plan.rotation !== 'none') {
            const gracePeriod = plan.rotation === 'grace 1h' ? '1h' : plan.rotation === 'grace 1m' ? '1m' : undefined;
            const rotated = await issuing(2).rotate(issued.info.id, actor, gracePeriod ? { gracePeriod } : {});
            tokens.push(rotated.token);
          }
          if (plan.disabled && plan.kind !== 'master') await service.update(issued.info.id, { enabled: false }, actor);
          if (plan.revoked && plan.kind !== 'master') await service.revoke(issued.info.id, actor);
          now += 1000;
        }
        now += world.later * 60_000;
        for (const user of world.deactivated) users[user] = { ...users[user], active: false };
        for (const user of world.narrowed)
          users[user] = { ...users[user], admin: false, grants: [{ scope: 'reports' }] };

        const peppers = world.dropOldPepper
          ? { current: 2, peppers: { 2: PEPPERS[2] } }
          : { current: 2, peppers: PEPPERS };
        const service = (options: Partial<TokenServiceOptions>): TokenService =>
          createTokenService({ ...base, pepper: peppers, ...options } as TokenServiceOptions);
        const fast = service({});
        const others = [
          service({ repository: textOnly(repository) }),
          service({
            repository: promisedOnly(repository),
            directory: promisedDirectory(directory),
            format: promisedFormat(opaqueFormat('acme')),
          }),
          service({ hasher: nodeHasher }),
          service({ hasher: (key) => portableHasher(key) }),
          service({ format: patternFormat('acme') }),
          immediate(service({})),
        ];
        const strings = [
          ...tokens,
          ...tokens.flatMap((token) => world.tamper.map((change) => tampered(token, change))),
          'static-verification-token-0123456789',
          'acme_p_not-a-token',
          '',
        ];
        for (const text of strings) {
          for (const tenant of [undefined, 'acme', 'globex']) {
            const expected = await outcome(fast, text, tenant);
            for (const other of others) expect(await outcome(other, text, tenant)).toEqual(expected);
          }
        }
        for (const id of credited) {
          const record = await repository.findById(id);
          expect(record?.meter?.remaining).toBe(CREDITS - (spent.get(id) ?? 0));
        }
      }),
      { numRuns: Number(process.env.TOKENWARD_PROPERTY_RUNS ?? 150) },
    );
    for (const kind of [
      'accepted personal',
      'accepted limited',
      'accepted administrative',
      'accepted master',
      'accepted verification',
      'token_invalid',
      'token_revoked',
      'token_expired',
      'usage_exceeded',
      'token_disabled',
      'accepted with credits',
      'immediate: answered directly',
      'immediate: refused directly',
      'immediate: waited',
    ]) {
      expect(seen, kind).toContain(kind);
    }
  });
});

/** The store writes that may come between a token's making and its verification. */
const WRITES = [
  'comment',
  'rename',
  'meta',
  'disable',
  'enable',
  'narrow',
  'ttl',
  'rotate',
  'rotate with grace',
  'revoke',
  'revokeAll',
  'removeUser',
  'purge',
  'issue',
  'verify',
  'spend',
  'later',
] as const;

/** One write, on the token numbered `pick` of those made so far. */
const arbWrite = fc.record({ pick: fc.nat(), write: fc.constantFrom(...WRITES) });

describe('verify: fast paths answer as the plain ones after every kind of store write (property)', () => {
  it('for tokens changed, replaced, revoked and deleted between their making and their verification', async () => {
    const writes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(arbWrite, { minLength: 1, maxLength: 12 }), async (steps) => {
        let now = START;
        const users: Record<string, DirectoryUser> = {
          ann: { admin: true },
          ben: { grants: [{ bucket: 'main', access: 'write' }, { scope: 'reports' }] },
          cid: { grants: [{ scope: 'reports' }] },
        };
        const directory: Directory = { getUser: (tenant, user) => (tenant === 'acme' ? users[user] : undefined) };
        const repository = memoryRepository();
        const base = {
          repository,
          directory,
          prefix: 'acme',
          now: () => now,
          pepper: { current: 2, peppers: PEPPERS },
          policy: { allowNoExpiry: true, purgeAfter: '1d' },
        } satisfies Partial<TokenServiceOptions>;
        const fast = createTokenService(base as TokenServiceOptions);
        const plain = createTokenService({
          ...base,
          repository: promisedOnly(repository),
          directory: promisedDirectory(directory),
          format: promisedFormat(opaqueFormat('acme')),
        } as TokenServiceOptions);
        const text = createTokenService({ ...base, repository: textOnly(repository) } as TokenServiceOptions);
        const made: { token: string; id: string; owner: string }[] = [];
        const issue = async (i: number): Promise<void> => {
          const owner = USERS[i % USERS.length]!;
          // Credits enough for every verification of a world: the two services spend from the same store.
          const input = i % 3 === 2 ? { remaining: CREDITS } : { ttl: i % 2 === 0 ? '1h' : null };
          const issued = await fast.issue({ ...input, name: `t${i}` }, { tenant: 'acme', user: owner });
          made.push({ token: issued.token, id: issued.info.id, owner });
        };
        for (let i = 0; i < 3; i++) await issue(i);
        for (const { pick, write } of steps) {
          const target = made[pick % made.length]!;
          // A write the service refuses (a revoked token, a deleted one) is a write that did not happen.
          await applyWrite(write, target).then(
            () => writes.add(write),
            () => {},
          );
          for (const { token } of made) {
            const expected = await outcome(fast, token);
            expect(await outcome(plain, token)).toEqual(expected);
            expect(await outcome(text, token)).toEqual(expected);
          }
        }

        async function applyWrite(write: (typeof WRITES)[number], target: (typeof made)[number]): Promise<unknown> {
          const ref = target.id;
          const as = { tenant: 'acme', user: target.owner };
          const admin = { tenant: 'acme', user: 'ann' };
          switch (write) {
            case 'comment':
              return fast.updateComment(ref, 'changed', as);
            case 'rename':
              return fast.update(ref, { name: `renamed-${now}` }, as);
            case 'meta':
              return fast.update(ref, { meta: { plan: 'pro' } }, as);
            case 'disable':
              return fast.update(ref, { enabled: false }, as);
            case 'enable':
              return fast.update(ref, { enabled: true }, as);
            case 'narrow':
              return fast.update(ref, { grants: [{ scope: 'reports' }] }, as);
            case 'ttl':
              return fast.update(ref, { ttl: '2h' }, as);
            case 'rotate':
            case 'rotate with grace': {
              const options = write === 'rotate' ? {} : { gracePeriod: '1h' };
              const rotated = await fast.rotate(ref, as, options);
              made.push({ token: rotated.token, id: rotated.info.id, owner: target.owner });
              return;
            }
            case 'revoke':
              return fast.revoke(ref, as);
            case 'revokeAll':
              return fast.revokeAll(as, admin);
            case 'removeUser':
              return fast.removeUser(as, admin);
            case 'purge':
              now += 2 * 86_400_000;
              return fast.purgeExpired();
            case 'issue':
              return issue(made.length);
            case 'verify':
            case 'spend':
              // A verification notes a use (lastUsedAt) and spends a metered token's credits.
              await fast.verify(target.token).catch(() => {});
              return write === 'verify' ? fast.verify(target.token) : plain.verify(target.token);
            case 'later':
              now += 90 * 60_000;
              return;
          }
        }
      }),
      { numRuns: Number(process.env.TOKENWARD_PROPERTY_RUNS ?? 100) },
    );
    // Every kind of write happened in some world.
    expect([...writes].sort()).toEqual([...WRITES].sort());
  });
});

/** Random bytes from a seed (xorshift32): two services given the same seed issue the same ids and secrets. */
function seededRandom(seed: number): (length: number) => Uint8Array {
  let state = seed >>> 0 || 1;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      state = (state ^ (state << 13)) >>> 0;
      state = (state ^ (state >>> 17)) >>> 0;
      state = (state ^ (state << 5)) >>> 0;
      out[i] = state & 0xff;
    }
    return out;
  };
}

/** What may happen between verifications in the last-used property. */
const USE_STEPS = [
  'verify',
  'verify in another tenant',
  'verify tampered',
  'revoke',
  'disable',
  'spend the last credit',
  'issue',
  'a second later',
  'an interval later',
  'half a minute earlier',
] as const;

/** An answer without its `lastUsedAt`, which only the side writing in place has at once. */
function withoutLastUse(answer: unknown): unknown {
  if (answer === null || typeof answer !== 'object' || !('lastUsedAt' in answer)) return answer;
  const { lastUsedAt: _use, ...rest } = answer as Record<string, unknown>;
  return rest;
}

describe('verify: uses written in place (touchSync) leave every record as the batches do (property)', () => {
  it('after random verifications, refusals, writes and clock moves, lastUsedAt and every field are equal', async () => {
    const written = new Set<string>();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.nat(),
          fc.array(fc.record({ pick: fc.nat(), step: fc.constantFrom(...USE_STEPS) }), { minLength: 1, maxLength: 20 }),
          async (seed, steps) => {
            let now = START;
            const directory: Directory = {
              getUser: (tenant, user) =>
                tenant === 'acme' ? { grants: [{ scope: 'reports' }], admin: user === 'ann' } : undefined,
            };
            const inPlace = memoryRepository();
            const { touchSync: _inPlace, ...batched } = memoryRepository();
            const make = (repository: TokenRepository): TokenService =>
              createTokenService({
                repository,
                directory,
                prefix: 'acme',
                now: () => now,
                random: seededRandom(seed),
                pepper: PEPPERS[1],
                touchInterval: '1m',
              });
            const sides = [
              { service: make(inPlace), repository: inPlace },
              { service: make(batched), repository: batched as TokenRepository },
            ] as const;
            const made: { token: string; id: string }[] = [];
            const as = { tenant: 'acme', user: 'ben' };
            const both = async (act: (service: TokenService) => Promise<unknown>): Promise<unknown> => {
              const answers = [];
              for (const { service } of sides)
                answers.push(
                  await act(service).then(
                    (value) => value,
                    (error: { code?: string }) => ({ refused: error.code }),
                  ),
                );
              return answers;
            };
            const issue = async (): Promise<void> => {
              const answers = (await both((service) =>
                service.issue(
                  { name: `t${made.length}`, ttl: '1h', ...(made.length % 2 === 0 ? { remaining: 5 } : {}) },
                  as,
                ),
              )) as { token: string; info: { id: string } }[];
              expect(answers[1]!.token).toBe(answers[0]!.token);
              made.push({ token: answers[0]!.token, id: answers[0]!.info.id });
            };
            await issue();
            for (const { pick, step } of steps) {
              const target = made[pick % made.length]!;
              let outcomes: unknown;
              switch (step) {
                case 'verify':
                  outcomes = await both((service) => outcome(service, target.token));
                  break;
                case 'verify in another tenant':
                  outcomes = await both((service) => outcome(service, target.token, 'globex'));
                  break;
                case 'verify tampered':
                  outcomes = await both((service) =>
                    outcome(service, tampered(target.token, { at: 40, char: 'Z', recheck: true })),
                  );
                  break;
                case 'revoke':
                  outcomes = await both((service) => service.revoke(target.id, as));
                  break;
                case 'disable':
                  outcomes = await both((service) => service.update(target.id, { enabled: false }, as));
                  break;
                case 'spend the last credit':
                  outcomes = await both((service) =>
                    outcome(service, target.token).then(() => outcome(service, target.token)),
                  );
                  break;
                case 'issue':
                  await issue();
                  break;
                default:
                  now += step === 'a second later' ? 1_000 : step === 'an interval later' ? 60_000 : -30_000;
              }
              // A write's answer shows lastUsedAt, which the batched side has not written yet: compared at the end.
              const [first, second] = ((outcomes ?? [null, null]) as unknown[]).map(withoutLastUse);
              expect(second).toEqual(first);
            }
            // Let the batched side's writes go out, then compare every record whole.
            await vi.runAllTimersAsync();
            for (const { id } of made) {
              const stored = await sides[0].repository.findById(id);
              expect(await sides[1].repository.findById(id)).toEqual(stored);
              if (stored?.lastUsedAt != null) written.add(stored.lastUsedAt === now ? 'now' : 'earlier');
            }
          },
        ),
        { numRuns: Number(process.env.TOKENWARD_PROPERTY_RUNS ?? 100) },
      );
    } finally {
      vi.useRealTimers();
    }
    expect([...written].sort()).toEqual(['earlier', 'now']);
  });
});
