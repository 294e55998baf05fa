import type { Request } from 'express';
import { parseDuration } from '../core/duration.js';
import { TokenError } from '../core/errors.js';
import type { Duration } from '../core/types.js';
import type { TokenService } from '../service/token-service.js';
import { memoryPageSessions, type PageSessionStore } from './sessions.js';

/**
 * Who acts for a request when the page does not sign people in itself: a
 * user of the page's tenant (the app's own session, or `tokenward serve
 * --as`), or the system (the operator, with every right).
 */
export type PageActor = { readonly user: string } | 'system';

/** Options of `tokenPage`. */
export interface TokenPageOptions {
  /** The tenant whose tokens the page manages. Token sign-ins of other tenants are refused. */
  readonly tenant: string;
  /**
   * Sign-in offered by the page itself. Leave out when `actAs` decides who acts.
   * - `demoUsers`: **demo only**: anyone may sign in as one of these users
   *   without a password. The page labels it as such; never offer it outside a demo.
   * - `token`: token sign-in (CloudBeaver's token login): a master or personal
   *   token is exchanged (`service.exchange`, so the service needs `sessions`)
   *   for a read-only cookie session that ends when the token is revoked or rotated.
   */
  readonly signIn?: { readonly demoUsers?: readonly string[]; readonly token?: boolean };
  /**
   * Who acts instead of a page sign-in: a fixed user or `'system'`
   * (`tokenward serve --as`), or a function of the request for an app's own
   * session (`null`: nobody is signed in). Cannot be combined with `signIn`.
   */
  readonly actAs?: PageActor | ((req: Request) => PageActor | null | Promise<PageActor | null>);
  /**
   * The origins the page is served at (`https://tokens.example.com`). Every
   * request must name one of their hosts in `Host`, and every state-changing
   * request must carry one of them in `Origin`. Default: loopback only
   * (`http://127.0.0.1:<any port>`, `localhost`, `[::1]`), matching `Host`.
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * Where share links point: the page's public URL. The claim code goes into
   * the fragment (`#claim=…`), which browsers never send to a server.
   * Default: the page's own address as the request reached it.
   */
  readonly shareUrl?: string;
  /**
   * Offer "No expiry" where no user or role policy applies. Set it exactly as
   * the service's `policy.allowNoExpiry`: the service decides in any case,
   * this only decides what the page offers.
   */
  readonly allowNoExpiry?: boolean;
  /** Lifetime of a demo sign-in's session (default `'8h'`). */
  readonly sessionTtl?: Duration;
  /** Lifetime asked of `exchange` for a token sign-in (default: the service's session default). */
  readonly tokenSessionTtl?: Duration;
  /** Where sign-ins are kept (default: `memoryPageSessions()`, per process). */
  readonly sessionStore?: PageSessionStore;
  /** Name of the session cookie (default `tw_page`). */
  readonly cookieName?: string;
  /** Heading and title of the page (default `API tokens`). */
  readonly title?: string;
  /** Clock in epoch milliseconds (default `Date.now`); pass the service's, so sign-ins end on its time. */
  readonly now?: () => number;
}

/** @internal Options checked once, at setup. */
export interface PageSettings {
  readonly service: TokenService;
  readonly tenant: string;
  readonly demoUsers: readonly string[];
  readonly tokenSignIn: boolean;
  readonly actAs: TokenPageOptions['actAs'];
  /** Lower-case `scheme://host[:port]`; empty for the loopback default. */
  readonly origins: readonly string[];
  readonly shareUrl: string | undefined;
  readonly allowNoExpiry: boolean;
  readonly sessionTtl: number;
  readonly tokenSessionTtl: Duration | undefined;
  readonly sessions: PageSessionStore;
  readonly cookieName: string;
  readonly title: string;
  readonly now: () => number;
}

const KNOWN = [
  'tenant',
  'signIn',
  'actAs',
  'allowedOrigins',
  'shareUrl',
  'allowNoExpiry',
  'sessionTtl',
  'tokenSessionTtl',
  'sessionStore',
  'cookieName',
  'title',
  'now',
] as const;

// Tenant and user names as the service accepts them (its identifiers).
const IDENTIFIER = /^[\p{L}\p{N}._@+:-]{1,200}$/u;
// A heading: one line of visible text.
const TITLE = /^[^\s\p{Cc}](?:[^\p{Cc}]{0,98}[^\s\p{Cc}])?$/u;
// RFC 6265 cookie-name (an RFC 9110 token).
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

function invalid(field: string, message: string): TokenError {
  return new TokenError('invalid_request', `${field} ${message}`, { field });
}

function name(value: unknown, field: string): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value))
    throw invalid(field, 'must be 1-200 letters, digits or ._@+:-');
  return value;
}

function object(value: unknown, field: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'must be an object');
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) throw invalid(`${field}.${key}`, 'is not a known option');
  }
  return value as Record<string, unknown>;
}

function boolean(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalid(field, 'must be true or false');
  return value;
}

/** `scheme://host[:port]` of an http(s) URL with nothing else in it. */
function origin(value: unknown, field: string): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  const bare = url !== undefined && url.username === '' && url.password === '' && url.search === '' && url.hash === '';
  if (url === undefined || !/^https?:$/.test(url.protocol) || !bare || (url.pathname !== '/' && url.pathname !== '')) {
    throw invalid(field, 'must be an origin such as https://tokens.example.com');
  }
  return url.origin;
}

function shareUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || !/^https?:$/.test(url.protocol) || url.hash !== '' || url.username !== '') {
    throw invalid('shareUrl', 'must be an http(s) URL without a fragment or credentials');
  }
  return url.href;
}

function signIn(value: unknown): { demoUsers: readonly string[]; token: boolean } {
  if (value === undefined) return { demoUsers: [], token: false };
  const given = object(value, 'signIn', ['demoUsers', 'token']);
  let demoUsers: string[] = [];
  if (given.demoUsers !== undefined) {
    if (!Array.isArray(given.demoUsers)) throw invalid('signIn.demoUsers', 'must be a list of user names');
    demoUsers = given.demoUsers.map((user, index) => name(user, `signIn.demoUsers[${index}]`));
  }
  return { demoUsers, token: boolean(given.token, 'signIn.token') };
}

function actAs(value: unknown): TokenPageOptions['actAs'] {
  if (value === undefined || value === 'system' || typeof value === 'function')
    return value as TokenPageOptions['actAs'];
  const given = object(value, 'actAs', ['user']);
  return { user: name(given.user, 'actAs.user') };
}

function duration(value: unknown, field: string, fallback?: Duration): number | undefined {
  if (value === undefined) return fallback === undefined ? undefined : parseDuration(fallback, field);
  return parseDuration(value, field);
}

/**
 * The store with its failures as `TokenError('unavailable')`: a store that is
 * down signs nobody in (503), and never lets a request through or crashes.
 */
function failingClosed(store: PageSessionStore): PageSessionStore {
  const unavailable = (cause: unknown): TokenError =>
    new TokenError('unavailable', 'the sign-in store is unavailable', { cause });
  const guard = async <T>(call: () => T | Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw unavailable(error);
    }
  };
  return {
    get: (key) => guard(() => store.get(key)),
    set: (key, session) => guard(() => store.set(key, session)),
    delete: (key) => guard(() => store.delete(key)),
  };
}

function sessionStore(value: unknown, now: () => number): PageSessionStore {
  if (value === undefined) return memoryPageSessions({ now });
  const store = value as Partial<PageSessionStore> | null;
  if (
    typeof store !== 'object' ||
    store === null ||
    typeof store.get !== 'function' ||
    typeof store.set !== 'function' ||
    typeof store.delete !== 'function'
  ) {
    throw invalid('sessionStore', 'must have get, set and delete functions');
  }
  return failingClosed(store as PageSessionStore);
}

function clock(value: unknown): () => number {
  if (value === undefined) return Date.now;
  if (typeof value !== 'function') throw invalid('now', 'must be a function returning epoch milliseconds');
  return value as () => number;
}

function service(value: unknown): TokenService {
  const candidate = value as Partial<TokenService> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.issue !== 'function') {
    throw invalid('service', 'must be a token service from createTokenService');
  }
  return candidate as TokenService;
}

/**
 * @internal Checks every option of `tokenPage` at setup; a bad one throws
 * `TokenError('invalid_request')` naming it.
 */
export function pageSettings(given: unknown, options: unknown): PageSettings {
  const checked = service(given);
  const fields = object(options, 'options', KNOWN);
  const login = signIn(fields.signIn);
  const acting = actAs(fields.actAs);
  if (acting !== undefined && fields.signIn !== undefined) {
    throw invalid('actAs', 'cannot be combined with signIn: either the page signs people in or actAs says who acts');
  }
  if (acting === undefined && login.demoUsers.length === 0 && !login.token) {
    throw invalid('signIn', 'must offer demo users or token sign-in when actAs is not given');
  }
  if (fields.allowedOrigins !== undefined && !Array.isArray(fields.allowedOrigins)) {
    throw invalid('allowedOrigins', 'must be a list of origins');
  }
  const origins = ((fields.allowedOrigins ?? []) as unknown[]).map((value, index) =>
    origin(value, `allowedOrigins[${index}]`),
  );
  if (fields.allowedOrigins !== undefined && origins.length === 0) {
    throw invalid('allowedOrigins', 'must name at least one origin (leave it out for loopback only)');
  }
  const title = fields.title ?? 'API tokens';
  if (typeof title !== 'string' || !TITLE.test(title)) throw invalid('title', 'must be one line of 1-100 characters');
  const cookieName = fields.cookieName ?? 'tw_page';
  if (typeof cookieName !== 'string' || !COOKIE_NAME.test(cookieName)) {
    throw invalid('cookieName', "must be a cookie name (letters, digits and !#$%&'*+.^_`|~-)");
  }
  const now = clock(fields.now);
  const tokenSessionTtl = fields.tokenSessionTtl as Duration | undefined;
  duration(tokenSessionTtl, 'tokenSessionTtl');
  return {
    service: checked,
    tenant: name(fields.tenant, 'tenant'),
    demoUsers: login.demoUsers,
    tokenSignIn: login.token,
    actAs: acting,
    origins,
    shareUrl: shareUrl(fields.shareUrl),
    allowNoExpiry: boolean(fields.allowNoExpiry, 'allowNoExpiry'),
    sessionTtl: duration(fields.sessionTtl, 'sessionTtl', '8h')!,
    tokenSessionTtl,
    sessions: sessionStore(fields.sessionStore, now),
    cookieName,
    title,
    now,
  };
}
