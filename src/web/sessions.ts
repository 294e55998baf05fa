import type { Request, Response } from 'express';
import { toBase64Url } from '../core/encoding.js';
import { TokenError } from '../core/errors.js';
import { sha256 } from '../core/sha256.js';

/**
 * A sign-in of the tokens page, held on the server; the browser holds only a
 * random id in an HttpOnly cookie.
 * - `user`: a demo sign-in (or an app that signs its users in through the page);
 * - `token`: a token sign-in. `session` is the short-lived session token that
 *   `service.exchange` made from the user's token; it never leaves the
 *   server, and every request verifies it again, so revoking or rotating the
 *   token ends the sign-in at once.
 */
export type PageSession =
  | { readonly kind: 'user'; readonly tenant: string; readonly user: string; readonly expiresAt: number }
  | { readonly kind: 'token'; readonly tenant: string; readonly session: string; readonly expiresAt: number };

/**
 * Where the page keeps its sign-ins. Keys are SHA-256 digests of the cookie
 * values (never the values themselves), so the store alone signs nobody in;
 * the records of token sign-ins hold session tokens, so keep the store as
 * private as the token store. Each call may answer synchronously or with a
 * promise. The page checks `expiresAt` itself; a store may also forget
 * records once they expire.
 */
export interface PageSessionStore {
  get(key: string): PageSession | undefined | Promise<PageSession | undefined>;
  set(key: string, session: PageSession): void | Promise<void>;
  delete(key: string): void | Promise<void>;
}

/** Options of `memoryPageSessions`. */
export interface MemoryPageSessionsOptions {
  /** Most sign-ins kept; the oldest is dropped beyond it (default 10000). */
  readonly maxEntries?: number;
  /** Clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * The default `PageSessionStore`: a bounded map in this process. Sign-ins
 * end when the process stops, and are not shared between processes: behind
 * several instances, give `tokenPage` a shared store.
 *
 * @throws {TokenError} `invalid_request` naming `maxEntries` when it is not an integer from 1 to 10000000.
 *
 * @example
 * ```ts
 * import { memoryPageSessions, tokenPage } from 'tokenward/web';
 * app.use('/', tokenPage(tokens, { tenant: 'acme', signIn: { token: true }, sessionStore: memoryPageSessions({ maxEntries: 1000 }) }));
 * ```
 */
export function memoryPageSessions(options: MemoryPageSessionsOptions = {}): PageSessionStore {
  const maxEntries = options.maxEntries ?? 10_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > 10_000_000) {
    throw new TokenError('invalid_request', 'maxEntries must be an integer from 1 to 10000000', {
      field: 'maxEntries',
    });
  }
  const now = options.now ?? Date.now;
  const records = new Map<string, PageSession>();
  const sweep = (): void => {
    const at = now();
    for (const [key, record] of records) if (record.expiresAt <= at) records.delete(key);
  };
  return {
    get(key) {
      const record = records.get(key);
      if (record !== undefined && record.expiresAt <= now()) {
        records.delete(key);
        return undefined;
      }
      return record;
    },
    set(key, session) {
      if (records.size >= maxEntries) sweep();
      // Still full: drop the oldest sign-in (maps iterate in insertion order).
      while (records.size >= maxEntries) records.delete(records.keys().next().value as string);
      records.set(key, session);
    },
    delete(key) {
      records.delete(key);
    },
  };
}

/** @internal A fresh cookie value: 256 random bits. */
export function newSessionId(): string {
  // Web Crypto, not node:crypto: the page's sessions run wherever the fetch entry does.
  return toBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}

/** @internal The store key of a cookie value. */
export function sessionKey(id: string): string {
  // The cookie value is ASCII (base64url), so its UTF-8 bytes are its character codes.
  return toBase64Url(sha256(new TextEncoder().encode(id)));
}

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * @internal The page's session id from the `Cookie` header. A cookie named
 * twice is ignored: a sibling site may set a second one with a narrower path
 * (cookie tossing) to sign the browser in as someone else.
 */
export function sessionIdOf(req: Request, cookieName: string): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === cookieName) values.push(part.slice(eq + 1).trim());
  }
  if (values.length !== 1 || !SESSION_ID.test(values[0]!)) return undefined;
  return values[0];
}

/** The cookie's path: where the page is mounted, so it goes nowhere else. */
function cookiePath(req: Request): string {
  return req.baseUrl === '' ? '/' : req.baseUrl;
}

/**
 * @internal Sets the session cookie: HttpOnly (scripts never see it),
 * SameSite=Strict (no cross-site request carries it), Secure behind https.
 */
export function setSessionCookie(
  req: Request,
  res: Response,
  cookie: { readonly name: string; readonly secure: boolean },
  id: string,
  ttlMs: number,
): void {
  const { name } = cookie;
  const secure = cookie.secure ? '; Secure' : '';
  // Rounded up: the cookie may outlive the sign-in by under a second; the server decides in any case.
  const maxAge = Math.max(1, Math.ceil(ttlMs / 1000));
  res.append(
    'set-cookie',
    `${name}=${id}; Path=${cookiePath(req)}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure}`,
  );
}

/** @internal Tells the browser to drop the session cookie. */
export function clearSessionCookie(
  req: Request,
  res: Response,
  cookie: { readonly name: string; readonly secure: boolean },
): void {
  const { name } = cookie;
  const secure = cookie.secure ? '; Secure' : '';
  res.append('set-cookie', `${name}=; Path=${cookiePath(req)}; Max-Age=0; HttpOnly; SameSite=Strict${secure}`);
}
