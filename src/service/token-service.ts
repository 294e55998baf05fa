import type { MaxTtlExplanation } from '../core/policy.js';
import type { Principal } from '../core/principal-types.js';
import type { Duration, TokenEventInfo, TokenInfo } from '../core/types.js';
import type { DirectoryService } from './directory-types.js';
import type {
  Actor,
  EnsureMasterResult,
  EventsOptions,
  ExchangeOptions,
  ExpiringFilter,
  ImportRecord,
  ImportResult,
  IssuedToken,
  IssueInput,
  ListFilter,
  MaintenanceHandle,
  MaintenanceOptions,
  MaintenanceReport,
  MaxTtlTarget,
  Page,
  RotatedToken,
  RotateOptions,
  SessionToken,
  ShareOptions,
  ShareResult,
  TenantUser,
  TokenPatch,
  TokenRef,
  UserTarget,
  VerifyOptions,
} from './types.js';

/**
 * The token service: every management and verification call, made by
 * `createTokenService`.
 *
 * Conventions of every call:
 * - Times are `Date`s (ISO 8601 strings over HTTP); durations are
 *   `Duration`s: `'90s'`, `'15m'`, `'24h'`, `'30d'`, `'2w'`, `'1mo'` (30
 *   days), `'1y'` (365 days) or a number of milliseconds.
 * - Input is checked before anything is stored: bad input is
 *   `TokenError('invalid_request')` whose `details.field` names it
 *   (`input.ttl`, `filter.limit`, `ref.name`, an unknown `options.<key>`…),
 *   and a failed call leaves nothing half-written.
 * - Management calls take an `Actor`. Resolving it can itself fail:
 *   `invalid_request` (a malformed actor; a user actor without a
 *   `directory`), `forbidden` (a principal this service did not verify, a
 *   user the directory does not know or keeps inactive, another tenant),
 *   and for a token actor read again now `token_invalid`, `token_revoked`,
 *   `token_expired` or `token_disabled` (issue 8: its authority at this
 *   moment decides).
 * - A token the actor may not see answers `not_found`, never `forbidden`,
 *   so its existence does not leak.
 * - A storage or directory failure is `unavailable`: the service fails
 *   closed and never answers as if the call had worked.
 *
 * The error codes and their HTTP statuses are in docs/errors.md; who may
 * call what on which token is the actor × call table of docs/concepts.md.
 *
 * @example
 * ```ts
 * import { createTokenService, staticDirectory } from 'tokenward';
 * import { memoryRepository } from 'tokenward/memory';
 *
 * const tokens = createTokenService({
 *   repository: memoryRepository(),
 *   pepper: process.env.TOKEN_PEPPER!,
 *   directory: staticDirectory({ acme: { alice: { admin: true } } }),
 * });
 * ```
 */
export interface TokenService {
  /**
   * Issues a token and shows its secret string this once. `input.type` is
   * `personal` (the default for users), `limited` (no access unless
   * granted; the default through a master token, Keboola's seed 004) or
   * `administrative` (admins only, no owner); `meta` is the app's own JSON
   * object, returned on the principal; `enabled: false` issues it disabled; `owner` other than the actor
   * is FOR USER (admins only); `name` is unique among the owner's live
   * tokens (generated when omitted; `master` is reserved); `ttl` is a
   * `Duration` or `null` for no expiry, at most the effective maximum
   * (SPEC §4: never shortened, refused); `grants` never exceed what the
   * actor and the owner may do now. Only master tokens create tokens
   * through a token actor. `ratelimit`, `remaining` and `refill` meter the
   * token (docs/limits.md); they need a repository with `spend`.
   *
   * @param input What to issue (see `IssueInput`); `tenant` defaults to the actor's.
   * @param actor Who issues it.
   * @returns The token string (shown once, never stored) and the token's info.
   * @throws {TokenError} `invalid_request` (a field of `input`; `ttl: null`
   *   with a JWT format; a meter on a repository without `spend`), `forbidden` (not allowed to create this token, or
   *   only admins create tokens), `not_found` (owner unknown or inactive),
   *   `insufficient_scope` (grants beyond the actor's or owner's),
   *   `duration_exceeds_policy` (`ttl` above the maximum, or no expiry where
   *   not allowed; `details.limit` in ms and `details.source`), `conflict`
   *   (a live token of the owner has the name), `limit_exceeded` (the
   *   owner's `maxTokensPerUser`), `token_invalid`, `token_revoked`,
   *   `token_expired` (a token actor), `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const { token, info } = await tokens.issue(
   *   { name: 'ci', ttl: '30d', grants: [{ bucket: 'in.c-main', access: 'read' }] },
   *   { tenant: 'acme', user: 'alice' },
   * );
   * ```
   */
  issue(input: IssueInput, actor: Actor): Promise<IssuedToken>;

  /**
   * Verifies a token string (opaque, JWT, session or static verification
   * token) and answers who it speaks for, with its owner's privileges as
   * the directory answers now. The hot path: one repository lookup; the
   * last-used time is written later, off this path. A token with rate
   * limits or usage credits then spends `options.cost` (default 1) from
   * them in one more atomic step (docs/limits.md), once everything else
   * has passed: a credit is spent at verification, whatever the caller
   * does with the principal afterwards. Sessions verify as their token,
   * and spend from its meter.
   *
   * @param token The string as presented, at most 4096 characters.
   * @param options `tenant`: refuse a token of any other tenant
   *   (`token_invalid`); `cost`: 0 to 1 000 000 (0 spends and checks
   *   nothing); `ratelimit`: the names of the limits to spend (default all).
   *   Read once, own keys only (an inherited key is no option); any other
   *   key is refused.
   * @returns The principal, with `can(need)` and `assert(need)`; `remaining`
   *   credits and `ratelimits` for a metered token.
   * @throws {TokenError} `token_invalid` (anything that is not a live token
   *   of this service: garbage, a wrong checksum or signature, an unknown
   *   or rotated-out secret, an owner gone or inactive, another tenant),
   *   `token_expired`, `token_revoked` (also a session whose parent was
   *   rotated, or that was signed out), `token_disabled` (disabled with
   *   `update`; its sessions too), `usage_exceeded` (no credits left) and
   *   `rate_limited` (over a limit), both 429 with `details.retryAfter` in
   *   ms, `invalid_request` (`tenant` not a string, `cost`, `ratelimit` or
   *   `ratelimit[i]` (a hole too), `options.<key>` for an unknown key),
   *   `unavailable` (storage, directory or format failed: never "valid").
   *   A string with one of `legacyPrefixes` that is not a tokenward token is
   *   looked up as an imported key (by its hash), and re-hashed at its first
   *   successful verification.
   *
   * @example
   * ```ts
   * import { createTokenService, isTokenError } from 'tokenward';
   * const principal = await tokens.verify(bearer, { tenant: 'acme' });
   * principal.assert({ bucket: 'in.c-main', access: 'read' });
   * ```
   */
  verify(token: string, options?: VerifyOptions): Promise<Principal>;

  /**
   * Gives a live token a new secret (same id, name, grants and expiry) and
   * shows it once. The old secret stops working now, or after
   * `options.gracePeriod` (never past the token's expiry), as Stripe's key
   * roll; while in it the old secret verifies (its principal expiring with
   * the grace) but acts on no management call. One of concurrent rotations
   * wins; the others are `conflict`.
   *
   * @param ref The token: its id, or `{ tenant?, owner, name }`.
   * @param actor Who rotates it.
   * @param options `gracePeriod`: how long the old secret keeps working (a `Duration`).
   * @returns The new token string (shown once), the token's info, and
   *   `graceEndsAt`: when the old secret stops working (null without grace).
   * @throws {TokenError} `invalid_request` (`ref`, `gracePeriod`, an unknown
   *   option; a format that refuses the token), `not_found`, `forbidden`,
   *   `conflict` (revoked, expired, or changed concurrently),
   *   `token_invalid`, `token_revoked`, `token_expired` (a token actor),
   *   `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const { token } = await tokens.rotate(id, { tenant: 'acme', user: 'alice' }, { gracePeriod: '1h' });
   * ```
   */
  rotate(ref: TokenRef, actor: Actor, options?: RotateOptions): Promise<RotatedToken>;

  /**
   * Revokes a token now. Idempotent: revoking a revoked token answers it as
   * it stands. Master tokens are not revoked this way: remove the user.
   *
   * Sign-out: a session actor (`{ principal }` of a session from
   * `exchange`) revoking its own `principal.session.id` ends that session
   * alone, on every instance sharing the storage; the answer is the token
   * it was exchanged from, unchanged. A session revokes nothing else.
   *
   * @param ref The token: its id, or `{ tenant?, owner, name }`.
   * @param actor Who revokes it.
   * @returns The token's info, `status: 'revoked'` (for a sign-out, the session's token as it stands).
   * @throws {TokenError} `invalid_request` (`ref`), `not_found`, `forbidden`
   *   (a master token, or not the actor's to revoke), `token_invalid`,
   *   `token_revoked`, `token_expired` (a token actor), `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * await tokens.revoke({ owner: 'alice', name: 'ci' }, { tenant: 'acme', user: 'alice' });
   * ```
   */
  revoke(ref: TokenRef, actor: Actor): Promise<TokenInfo>;

  /**
   * Revokes every unrevoked token of a user but their master token
   * (Tengri's `DROP ALL API TOKENS`). A user may revoke their own; others'
   * need an admin.
   *
   * @param target `{ tenant?, user }`; `tenant` defaults to the actor's.
   * @param actor Who revokes them.
   * @returns How many tokens were revoked.
   * @throws {TokenError} `invalid_request` (`target`, `target.user`,
   *   `tenant`), `forbidden` (another user's tokens without admin rights,
   *   another tenant, a token actor whose row refuses it), `token_invalid`,
   *   `token_revoked`, `token_expired` (a token actor), `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const count = await tokens.revokeAll({ user: 'analyst' }, { tenant: 'acme', user: 'alice' });
   * ```
   */
  revokeAll(target: UserTarget, actor: Actor): Promise<number>;

  /**
   * Revokes every token of a user, the master token included: the user
   * leaves the tenant (Keboola). Admins only.
   *
   * @param target `{ tenant?, user }`; `tenant` defaults to the actor's.
   * @param actor An admin of the tenant, or the system.
   * @returns How many tokens were revoked.
   * @throws {TokenError} `invalid_request` (`target`, `target.user`,
   *   `tenant`), `forbidden` (not an admin, another tenant, a token actor),
   *   `token_invalid`, `token_revoked`, `token_expired` (a token actor),
   *   `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * await tokens.removeUser({ tenant: 'acme', user: 'bob' }, 'system');
   * ```
   */
  removeUser(target: UserTarget, actor: Actor): Promise<number>;

  /**
   * Lists tokens newest first, a page at a time: the actor's own by
   * default, a user's (`owner`) or every token of the tenant (`all`) for
   * admins; `owner: null` lists administrative tokens. Expired and revoked
   * tokens are hidden unless `hideExpired`/`hideRevoked` is false. A token
   * actor sees only what it may read.
   *
   * @param filter See `ListFilter`: `limit` 1-1000 (default 100), `cursor`
   *   from the previous page's `nextCursor`.
   * @param actor Who lists.
   * @returns A page of token infos and the cursor of the next page (null on the last).
   * @throws {TokenError} `invalid_request` (a field of `filter`, a cursor
   *   this store did not make), `forbidden` (other users' tokens without
   *   admin rights or out of a token actor's reach, another tenant),
   *   `token_invalid`, `token_revoked`, `token_expired` (a token actor),
   *   `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const { items, nextCursor } = await tokens.list({ hideExpired: false, limit: 50 }, { tenant: 'acme', user: 'alice' });
   * ```
   */
  list(filter: ListFilter, actor: Actor): Promise<Page<TokenInfo>>;

  /**
   * One token's info, by id or by `{ tenant?, owner, name }` (the live one
   * of that name, else the most recent).
   *
   * @param ref The token.
   * @param actor Who asks.
   * @returns The token's info (never its secret or hash).
   * @throws {TokenError} `invalid_request` (`ref`), `not_found` (missing,
   *   or not the actor's to see), `forbidden` (another tenant),
   *   `token_invalid`, `token_revoked`, `token_expired` (a token actor),
   *   `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const info = await tokens.get({ owner: 'alice', name: 'ci' }, { tenant: 'acme', user: 'alice' });
   * ```
   */
  get(ref: TokenRef, actor: Actor): Promise<TokenInfo>;

  /**
   * Replaces a token's comment, and nothing else (Tengri's `ALTER API TOKEN
   * … SET COMMENT`). A concurrent change to another field is retried.
   *
   * @param ref The token.
   * @param comment Up to 1000 characters, stored in NFC; tab and newline allowed.
   * @param actor Who changes it.
   * @returns The token's info.
   * @throws {TokenError} `invalid_request` (`ref`, `comment`), `not_found`,
   *   `forbidden` (a master token, or not the actor's to change),
   *   `conflict` (revoked, or changed concurrently five times),
   *   `token_invalid`, `token_revoked`, `token_expired` (a token actor),
   *   `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * await tokens.updateComment(id, 'nightly export', { tenant: 'acme', user: 'alice' });
   * ```
   */
  updateComment(ref: TokenRef, comment: string, actor: Actor): Promise<TokenInfo>;

  /**
   * Sets (or with `null` removes) the maximum lifetime of a user's or a
   * role's tokens; admins only (Tengri's `ALTER USER|ROLE … SET API TOKEN
   * MAX DURATION`). Setting a user's needs a user the directory knows and
   * keeps active; roles cannot be checked through the directory, so any
   * role name is accepted. Where several policies apply, the longest wins,
   * never above the system maximum (SPEC §4).
   *
   * @param target `{ tenant?, user }` or `{ tenant?, role }`.
   * @param ttl The maximum (a `Duration`), or `null` to remove the policy.
   * @param actor An admin of the tenant, or the system.
   * @throws {TokenError} `invalid_request` (`target`, `ttl`), `forbidden`
   *   (not an admin, another tenant), `not_found` (unknown or inactive
   *   user), `token_invalid`, `token_revoked`, `token_expired` (a token
   *   actor), `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * await tokens.setMaxTtl({ role: 'service_accounts' }, '30d', { tenant: 'acme', user: 'alice' });
   * ```
   */
  setMaxTtl(target: MaxTtlTarget, ttl: Duration | null, actor: Actor): Promise<void>;

  /**
   * The effective maximum lifetime of a user's new tokens and the policy
   * that sets it. It takes no actor: decide who may see it before calling.
   *
   * @param target `{ tenant, user }`: a user the directory knows and keeps active.
   * @returns `maxTtl` in milliseconds, its `source` (a user or role policy,
   *   or the system), whether it was `capped` by the system maximum, and
   *   every `applicable` policy.
   * @throws {TokenError} `invalid_request` (`target`), `not_found` (unknown
   *   or inactive user), `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const { maxTtl, source } = await tokens.explainMaxTtl({ tenant: 'acme', user: 'analyst' });
   * ```
   */
  explainMaxTtl(target: TenantUser): Promise<MaxTtlExplanation>;

  /**
   * Makes sure the user has their one master token in the tenant, creating
   * it if needed: exactly one per (tenant, user), even under concurrent
   * calls. The secret is returned only by the call that created it.
   *
   * @param target `{ tenant, user }`: a user the directory knows and keeps active.
   * @returns `{ created: true, token, info }` for a new master token, `{ created: false, info }` otherwise.
   * @throws {TokenError} `invalid_request` (`target`), `not_found` (unknown
   *   or inactive user), `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const master = await tokens.ensureMasterToken({ tenant: 'acme', user: 'alice' });
   * if (master.created) showOnce(master.token);
   * ```
   */
  ensureMasterToken(target: TenantUser): Promise<EnsureMasterResult>;

  /**
   * Shares a live token without revealing it: answers a single-use claim
   * code (Keboola's "send token"); claiming it rotates the token and shows
   * the new secret to whoever claims. Master tokens are not shared.
   *
   * @param ref The token.
   * @param actor Who shares it.
   * @param options `ttl`: how long the code is valid (a `Duration`; default
   *   and maximum the policy's `claimTtl`, never past the token's expiry).
   * @returns The claim code (shown once), the token id and when the code expires.
   * @throws {TokenError} `invalid_request` (`ref`, `ttl`),
   *   `duration_exceeds_policy` (`ttl` above `claimTtl`), `not_found`,
   *   `forbidden` (a master token, or not the actor's to share), `conflict`
   *   (not live), `token_invalid`, `token_revoked`, `token_expired` (a token
   *   actor), `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const { code, expiresAt } = await tokens.share(id, { tenant: 'acme', user: 'alice' }, { ttl: '1d' });
   * ```
   */
  share(ref: TokenRef, actor: Actor, options?: ShareOptions): Promise<ShareResult>;

  /**
   * Redeems a claim code from `share`, once: rotates the shared token and
   * shows its new secret. Whoever holds the code may claim it, while the
   * sharer may still share the token: the sharer's authority is read again
   * now (SPEC §2; docs/concepts.md). A refused code is used up.
   *
   * @param code The claim code, `<prefix>_claim_<40 base62 characters>`.
   * @returns The new token string (shown once) and the token's info.
   * @throws {TokenError} `invalid_request` (`code` is not a claim code),
   *   `not_found` (unknown, used or expired code, or the token is gone),
   *   `token_revoked`, `token_expired` (the shared token), `forbidden` (the
   *   sharer is no longer live, or the token no longer within it), `conflict`
   *   (changed concurrently), `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const { token } = await tokens.claim(codeFromLink);
   * ```
   */
  claim(code: string): Promise<IssuedToken>;

  /**
   * Turns a verified long-lived token into a short-lived session token
   * bound to it (requires the `sessions` option). `verify` accepts the
   * session while its parent stays live and unrotated. Sessions never make
   * or change secrets.
   *
   * @param token A long-lived token string (not a session, not a verification token).
   * @param options `ttl`: the session's lifetime (a `Duration`; default
   *   `sessions.defaultTtl`, at most `sessions.maxTtl`, never past the parent's expiry).
   * @returns The session token string, its id, the parent's id and its expiry.
   * @throws {TokenError} `invalid_request` (sessions not configured, `ttl`,
   *   a session given as `token`), `duration_exceeds_policy` (`ttl` above
   *   `sessions.maxTtl`), `token_invalid`, `token_expired`, `token_revoked`,
   *   `forbidden` (a verification token, or a previous secret in its
   *   rotation grace period), `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const session = await tokens.exchange(bearer, { ttl: '15m' });
   * ```
   */
  exchange(token: string, options?: ExchangeOptions): Promise<SessionToken>;

  /**
   * A token's history, newest first, a page at a time: issued, rotated,
   * comment_updated, shared, claimed, revoked (written by the service) and
   * used (written by `record`). Kept for `eventRetention` (six months by
   * default).
   *
   * @param ref The token.
   * @param actor Who asks (as for `get`).
   * @param options `limit` 1-1000 (default 100), `cursor` from the previous page.
   * @returns A page of events (`at` as a `Date`) and the next cursor.
   * @throws {TokenError} `invalid_request` (`ref`, `options.limit`,
   *   `options.cursor`), `not_found`, `forbidden` (another tenant),
   *   `token_invalid`, `token_revoked`, `token_expired` (a token actor),
   *   `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const { items } = await tokens.events(id, { tenant: 'acme', user: 'alice' }, { limit: 20 });
   * ```
   */
  events(ref: TokenRef, actor: Actor, options?: EventsOptions): Promise<Page<TokenEventInfo>>;

  /**
   * Appends a `used` event to the token's history: an operation made with
   * the token (the HTTP helpers' `record` option does it per request).
   * Verification tokens have no history: for them it does nothing.
   *
   * @param principal A principal this service verified.
   * @param operation One line of 1-200 characters (`GET /buckets`), stored in NFC.
   * @param detail A JSON object of at most 4096 UTF-8 bytes, non-secret, stored in NFC.
   * @throws {TokenError} `invalid_request` naming `principal`, `operation`
   *   or `detail.<key>`; `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * await tokens.record(principal, 'storage.tables.export', { table: 'in.c-main.orders' });
   * ```
   */
  record(principal: Principal, operation: string, detail?: Readonly<Record<string, unknown>>): Promise<void>;

  /**
   * Deletes events older than the `eventRetention` policy (default six
   * months). Run it from a scheduled job.
   *
   * @returns How many events were deleted.
   * @throws {TokenError} `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const pruned = await tokens.pruneEvents(); // or let startMaintenance run it
   * ```
   */
  pruneEvents(): Promise<number>;

  /**
   * Deletes tokens that expired longer ago than the `purgeAfter` policy
   * (default 30 days), with their pending claims and expiry-warning
   * markers (Keboola deletes expired tokens). `startMaintenance` runs it.
   *
   * @returns How many tokens were deleted.
   * @throws {TokenError} `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const purged = await tokens.purgeExpired();
   * ```
   */
  purgeExpired(): Promise<number>;

  /**
   * Writes every refill of usage credits that has come due (docs/limits.md),
   * so that stored numbers are current for tokens nobody used. Verification
   * and token info count due refills themselves, so this is bookkeeping:
   * each maintenance pass runs it (`runMaintenance`, `startMaintenance`).
   * Does nothing on a repository without `refillCredits`.
   *
   * @returns How many tokens were refilled.
   * @throws {TokenError} `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const refilled = await tokens.refillCredits();
   * ```
   */
  refillCredits(): Promise<number>;

  /**
   * Deletes the sign-out records of sessions that expired more than an
   * hour ago (the margin covers instances whose clocks differ): those
   * sessions are refused as expired anyway. Each maintenance pass runs it
   * (`runMaintenance`, `startMaintenance`). Does nothing on a repository
   * without `pruneRevokedSessions`.
   *
   * @returns How many records were deleted.
   * @throws {TokenError} `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const pruned = await tokens.pruneRevokedSessions();
   * ```
   */
  pruneRevokedSessions(): Promise<number>;

  /**
   * Changes a token in place (Keboola: "token details can be updated
   * anytime"; Unkey's and better-auth's update): its name, comment, meta,
   * enabled flag, grants and lifetime, each only if given. Decided like a
   * comment change (the actor × call table's comment column), and like a
   * rotation too when it widens the grants (`null` removes the narrowing)
   * or the lifetime. New grants never exceed what the actor and the owner
   * may do now; a new `ttl` is counted from now and is at most the
   * effective maximum (refused, never shortened); a token actor never
   * leaves a token beyond its own authority. A disabled token fails
   * verification with `token_disabled` until enabled again. Master tokens
   * cannot be changed. Writes one `updated` event naming the changed fields
   * (`comment_updated` when only the comment changes, as `updateComment`).
   * With the JWT format a string keeps the `exp` it was signed with: a
   * longer lifetime applies to strings issued after (rotate), a shorter one
   * at once.
   *
   * @param ref The token: its id, or `{ tenant?, owner, name }`.
   * @param patch What to change (see `TokenPatch`); at least one field.
   * @param actor Who changes it.
   * @returns The token's info as changed (unchanged when the patch changes nothing).
   * @throws {TokenError} `invalid_request` (`ref`, `patch`, `patch.<field>`),
   *   `not_found` (the token, or its owner gone), `forbidden` (a master
   *   token, not the actor's to change, or beyond a token actor's
   *   authority), `insufficient_scope` (grants beyond the actor's or
   *   owner's), `duration_exceeds_policy` (`ttl` above the maximum;
   *   `details.limit`, `details.source`), `conflict` (revoked; a new
   *   lifetime for an expired token; another unrevoked token of the owner
   *   has the name; changed concurrently), `token_invalid`,
   *   `token_revoked`, `token_expired`, `token_disabled` (a token actor),
   *   `unavailable`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * await tokens.update(id, { enabled: false, meta: { plan: 'pro' } }, { tenant: 'acme', user: 'alice' });
   * ```
   */
  update(ref: TokenRef, patch: TokenPatch, actor: Actor): Promise<TokenInfo>;

  /**
   * Imports keys issued by another system (Unkey's key migration), from
   * the SHA-256 it stored of each whole key. Admins only (through a token:
   * the master token of an admin). Every record is checked first, as
   * `issue` checks its input (owner, grants within the actor's and the
   * owner's, expiry within the effective maximum): one bad record refuses
   * the whole call and nothing is stored. Then each key is stored on its
   * own; a key the store refuses is reported in `failed` and the others go
   * on. The keys keep their strings: `verify` recognizes them by
   * `legacyPrefixes` and finds them by their hash, and re-hashes each to
   * the keyed HMAC at its first successful verification. Rerunning an
   * import is safe: keys already imported come back as `conflict`.
   *
   * @param records 1 to 1000 keys (see `ImportRecord`).
   * @param actor An admin, or the system.
   * @returns Each key by its index: imported (with its new id) or failed (code and message).
   * @throws {TokenError} `invalid_request` (`legacyPrefixes` not
   *   configured; `records`, `records[i].<field>`, a hash given twice),
   *   `forbidden` (not an admin or not allowed to create tokens),
   *   `not_found` (an owner unknown or inactive), `insufficient_scope`,
   *   `duration_exceeds_policy`, `token_invalid`, `token_revoked`,
   *   `token_expired`, `token_disabled` (a token actor), `unavailable` (the
   *   keys before it are stored; rerun).
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const { imported, failed } = await tokens.importTokens(
   *   [{ hash: { value: sha256Hex, variant: 'sha256_hex' }, owner: 'alice', name: 'old-ci', expiresAt: '2026-01-01T00:00:00Z' }],
   *   'system',
   * );
   * ```
   */
  importTokens(records: readonly ImportRecord[], actor: Actor): Promise<ImportResult>;

  /**
   * Live tokens that expire within `filter.within` from now, soonest first:
   * the actor's own, or (admins) a user's or the whole tenant's, with
   * `list`'s `owner`, `all`, `types`, `limit` and `cursor`. Disabled tokens
   * are listed too (their info says `enabled: false`).
   *
   * @param filter `within` (a `Duration`, required) and `list`'s filter but `hideExpired`/`hideRevoked`.
   * @param actor Who asks (as for `list`).
   * @returns A page of token infos and the next cursor.
   * @throws {TokenError} as `list`, and `invalid_request` naming `filter.within`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const { items } = await tokens.listExpiring({ within: '7d' }, { tenant: 'acme', user: 'alice' });
   * ```
   */
  listExpiring(filter: ExpiringFilter, actor: Actor): Promise<Page<TokenInfo>>;

  /**
   * Runs one maintenance pass now: `purgeExpired`, `pruneEvents`, the
   * expiry warnings (`onExpiring`), `refillCredits` and
   * `pruneRevokedSessions`, in order, each on its own (a task that
   * fails is logged and reported; the others still run). On PostgreSQL one
   * instance of a cluster runs a pass at a time (an advisory lock): another
   * instance's call answers `skipped: true`. A call while this service runs
   * a pass answers that pass.
   *
   * @returns What each task did (`count`) or its failure code (`error`).
   * @throws {TokenError} `unavailable` (the store could not take the lock).
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const report = await tokens.runMaintenance(); // from your own scheduler
   * ```
   */
  runMaintenance(): Promise<MaintenanceReport>;

  /**
   * Runs maintenance by itself: a pass (see `runMaintenance`) at once and
   * then every `interval` (default `'1h'`), never two at a time. The timer
   * does not keep the process alive. Failures are logged, never thrown.
   *
   * @param options `interval` (a `Duration`, at least `'1s'`), `runAtStart` (default true), `onPass`.
   * @returns A handle whose `stop()` ends it (and waits for a pass in progress).
   * @throws {TokenError} `invalid_request` naming `options.<key>`.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * const maintenance = tokens.startMaintenance({ interval: '15m' });
   * process.on('SIGTERM', () => void maintenance.stop());
   * ```
   */
  startMaintenance(options?: MaintenanceOptions): MaintenanceHandle;

  /**
   * Management of the store-backed directory given as `directoryStore`:
   * users, roles and the tenant's audit log of their changes (see
   * `DirectoryService`; docs/concepts.md). Without a `directoryStore` every
   * call throws `invalid_request` naming it.
   *
   * @example
   * ```ts
   * import { createTokenService } from 'tokenward';
   * import { memoryDirectoryStore, memoryRepository } from 'tokenward/memory';
   * const tokens = createTokenService({ repository: memoryRepository(), directoryStore: memoryDirectoryStore(), pepper });
   * await tokens.directory.addUser({ tenant: 'acme', name: 'alice', admin: true }, 'system');
   * ```
   */
  readonly directory: DirectoryService;
}
