import type { Request, Response } from 'express';
import { isTokenError } from '../core/errors.js';
import type { MaxTtlExplanation } from '../core/policy.js';
import type { Principal } from '../core/principal-types.js';
import type { Actor } from '../service/types.js';
import type { PageSettings } from './options.js';
import { allowedRequestOrigin } from './origin.js';
import { clearSessionCookie, type PageSession, sessionIdOf, sessionKey } from './sessions.js';

/**
 * @internal Who is signed in to the page, and what the page tells the
 * browser about it (`GET /session`).
 */

/** Who acts for a request, resolved. */
export type Signed =
  | { readonly kind: 'user'; readonly actor: Actor; readonly user: string; readonly fromCookie: boolean }
  | { readonly kind: 'system'; readonly actor: Actor }
  | { readonly kind: 'token'; readonly actor: Actor; readonly principal: Principal };

/** The cookie settings of these settings. */
export function cookieOf(settings: PageSettings, req: Request): { name: string; secure: boolean } {
  const httpsOnly = settings.origins.length > 0 && settings.origins.every((origin) => origin.startsWith('https:'));
  return { name: settings.cookieName, secure: req.secure || httpsOnly };
}

/** A record as the page writes them; anything else from a store is treated as no sign-in. */
function isPageSession(value: unknown): value is PageSession {
  const record = value as Partial<Record<string, unknown>>;
  if (typeof record !== 'object' || typeof record.tenant !== 'string' || typeof record.expiresAt !== 'number') {
    return false;
  }
  if (record.kind === 'user') return typeof record.user === 'string';
  return record.kind === 'token' && typeof record.session === 'string';
}

/** The stored sign-in the request's cookie points at, if it is live. */
export async function storedSession(
  settings: PageSettings,
  req: Request,
): Promise<{ key: string; session: PageSession } | undefined> {
  const id = sessionIdOf(req, settings.cookieName);
  if (id === undefined) return undefined;
  const key = sessionKey(id);
  const session = await settings.sessions.get(key);
  if (session === undefined || session === null) return undefined;
  if (!isPageSession(session) || session.expiresAt <= settings.now() || session.tenant !== settings.tenant) {
    await settings.sessions.delete(key);
    return undefined;
  }
  return { key, session };
}

async function fromActAs(settings: PageSettings, req: Request): Promise<Signed | null> {
  const given = typeof settings.actAs === 'function' ? await settings.actAs(req) : settings.actAs;
  if (given === undefined || given === null) return null;
  if (given === 'system') return { kind: 'system', actor: 'system' };
  return { kind: 'user', actor: { tenant: settings.tenant, user: given.user }, user: given.user, fromCookie: false };
}

/**
 * Who acts for this request, or null when nobody is signed in. A token
 * sign-in is verified again on every request: once its token is revoked,
 * rotated or expired, the stored sign-in is deleted, the cookie dropped, and
 * the verification's `TokenError` is thrown (the answer is then a 401 that
 * says so).
 */
export async function signedIn(settings: PageSettings, req: Request, res: Response): Promise<Signed | null> {
  if (settings.actAs !== undefined) return fromActAs(settings, req);
  const found = await storedSession(settings, req);
  if (found === undefined) return null;
  const { session } = found;
  if (session.kind === 'user') {
    const actor = { tenant: session.tenant, user: session.user };
    return { kind: 'user', actor, user: session.user, fromCookie: true };
  }
  try {
    const principal = await settings.service.verify(session.session, { tenant: settings.tenant });
    return { kind: 'token', actor: { principal }, principal };
  } catch (error) {
    if (isTokenError(error) && error.status === 401) {
      await settings.sessions.delete(found.key);
      clearSessionCookie(req, res, cookieOf(settings, req));
    }
    throw error;
  }
}

/** Whether the actor administers the tenant: the service decides, by letting it list every token or not. */
async function administers(settings: PageSettings, signed: Signed): Promise<boolean> {
  if (signed.kind === 'system') return true;
  if (signed.kind === 'token') return signed.principal.ownerIsAdmin;
  try {
    await settings.service.list({ tenant: settings.tenant, all: true, limit: 1 }, signed.actor);
    return true;
  } catch (error) {
    if (isTokenError(error, 'forbidden')) return false;
    throw error;
  }
}

/** What `GET /session` and the sign-in routes answer. */
export interface PageStatus {
  readonly tenant: string;
  readonly title: string;
  readonly signedIn: boolean;
  /** Why the last sign-in ended, when it just did (a revoked or rotated token). */
  readonly ended?: string;
  readonly who?:
    | { readonly kind: 'user'; readonly user: string }
    | { readonly kind: 'system' }
    | {
        readonly kind: 'token';
        readonly name: string;
        readonly type: string;
        readonly owner: string | null;
        readonly expiresAt: Date | null;
      };
  readonly admin?: boolean;
  /** False for token sign-ins: they view, and never create, rotate, share or revoke. */
  readonly canManage?: boolean;
  /** The signed-in user's longest allowed lifetime, and which policy sets it. */
  readonly policy?: MaxTtlExplanation | null;
  readonly allowNoExpiry: boolean;
  /** Where share links point; the code goes after `#claim=`. */
  readonly shareUrl: string;
  readonly signIn: { readonly demoUsers: readonly string[]; readonly token: boolean };
  /** Whether the page can sign this browser out (not when `actAs` decides who acts). */
  readonly signOut: boolean;
}

/** The share links' base: the option, else the page's own address. */
function shareBase(settings: PageSettings, req: Request): string {
  if (settings.shareUrl !== undefined) return settings.shareUrl;
  const origin = allowedRequestOrigin(req, settings.origins) ?? '';
  // These routes run below the page's /page prefix; links point at the page itself.
  return `${origin}${req.baseUrl.replace(/\/page$/, '')}/`;
}

/** The status the page renders for this request. */
export async function pageStatus(
  settings: PageSettings,
  req: Request,
  signed: Signed | null,
  ended?: string,
): Promise<PageStatus> {
  const base = {
    tenant: settings.tenant,
    title: settings.title,
    allowNoExpiry: settings.allowNoExpiry,
    shareUrl: shareBase(settings, req),
    signIn: { demoUsers: settings.demoUsers, token: settings.tokenSignIn },
  };
  if (signed === null) return { ...base, signedIn: false, signOut: false, ...(ended === undefined ? {} : { ended }) };
  const admin = await administers(settings, signed);
  const signOut = settings.actAs === undefined;
  if (signed.kind === 'token') {
    const { principal } = signed;
    const who = {
      kind: 'token' as const,
      name: principal.name,
      type: principal.type,
      owner: principal.owner,
      expiresAt: principal.session?.expiresAt ?? null,
    };
    return { ...base, signedIn: true, who, admin, canManage: false, policy: null, signOut };
  }
  if (signed.kind === 'system') {
    return { ...base, signedIn: true, who: { kind: 'system' }, admin, canManage: true, policy: null, signOut };
  }
  const policy = await settings.service.explainMaxTtl({ tenant: settings.tenant, user: signed.user });
  return { ...base, signedIn: true, who: { kind: 'user', user: signed.user }, admin, canManage: true, policy, signOut };
}
