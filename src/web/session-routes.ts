import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { isTokenError, TokenError } from '../core/errors.js';
import { bodyErrors, bodyReaders, requestBody, unreadBody } from '../express/body.js';
import { sendError, sendFailure, sendJson } from './answers.js';
import type { PageSettings } from './options.js';
import { clearSessionCookie, newSessionId, type PageSession, sessionKey, setSessionCookie } from './sessions.js';
import { cookieOf, pageStatus, type Signed, signedIn, storedSession } from './signin.js';

/**
 * @internal The page's sign-in routes, relative to where the page is mounted:
 *
 * | method | path | does |
 * | --- | --- | --- |
 * | GET | /session | who is signed in, what they may do, the policy of their lifetimes |
 * | POST | /session/demo | `{ user }`: demo sign-in as one of `signIn.demoUsers` |
 * | POST | /session/token | `{ token }`: token sign-in (a master or personal token) |
 * | DELETE | /session | sign out: the stored sign-in is deleted, the cookie dropped |
 */

// Only master and personal tokens stand for a person (CloudBeaver's token login, SPEC §8).
const SIGN_IN_TYPES: readonly string[] = ['master', 'personal'];
const MAX_TOKEN_LENGTH = 4096;

/** Only JSON bodies: a cross-site form cannot send `application/json`, so anything else is refused unread (415). */
function requireJson(req: Request, res: Response, next: NextFunction): void {
  if (req.is('application/json') === 'application/json') {
    next();
    return;
  }
  res.set('accept', 'application/json');
  sendError(res, 415, 'invalid_request', 'the body must be application/json', 'content-type');
}

/**
 * The management API's reader (`src/http/json.ts`), not a parser of its own:
 * one JSON object, no member named twice, no compression, UTF-8 only, at
 * most 8 KiB, so a proxy in front and the page read the same sign-in.
 */
const jsonBody = [requireJson, ...bodyReaders('json', 8 * 1024)];

function bodyField(req: Request, field: string): string {
  if (unreadBody(req)) throw new TokenError('invalid_request', 'the request body could not be read', { field: 'body' });
  const body: unknown = requestBody(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TokenError('invalid_request', 'the body must be a JSON object', { field: 'body' });
  }
  const keys = Object.keys(body);
  const unknown = keys.find((key) => key !== field);
  if (unknown !== undefined) throw new TokenError('invalid_request', `${unknown} is not known`, { field: unknown });
  const value = (body as Record<string, unknown>)[field];
  if (typeof value !== 'string' || value === '' || value.length > MAX_TOKEN_LENGTH) {
    throw new TokenError('invalid_request', `${field} is required`, { field });
  }
  return value;
}

/** Replaces any earlier sign-in of this browser by a new one under a fresh id (no session fixation). */
async function startSession(settings: PageSettings, req: Request, res: Response, session: PageSession): Promise<void> {
  const earlier = await storedSession(settings, req);
  if (earlier !== undefined) await settings.sessions.delete(earlier.key);
  const id = newSessionId();
  await settings.sessions.set(sessionKey(id), session);
  setSessionCookie(req, res, cookieOf(settings, req), id, session.expiresAt - settings.now());
}

async function demoSignIn(settings: PageSettings, req: Request, res: Response): Promise<void> {
  const user = bodyField(req, 'user');
  if (!settings.demoUsers.includes(user)) throw new TokenError('forbidden', 'that is not a demo user');
  // The directory must know the user and keep them active (not_found otherwise).
  await settings.service.explainMaxTtl({ tenant: settings.tenant, user });
  const session: PageSession = {
    kind: 'user',
    tenant: settings.tenant,
    user,
    expiresAt: settings.now() + settings.sessionTtl,
  };
  await startSession(settings, req, res, session);
  const signed: Signed = { kind: 'user', actor: { tenant: settings.tenant, user }, user, fromCookie: true };
  sendJson(res, 200, await pageStatus(settings, req, signed));
}

async function tokenSignIn(settings: PageSettings, req: Request, res: Response): Promise<void> {
  const token = bodyField(req, 'token');
  const { service, tenant } = settings;
  // Cost 0: only the exchange below counts as a use of a metered token.
  const principal = await service.verify(token, { tenant, cost: 0 });
  if (principal.session !== undefined || !SIGN_IN_TYPES.includes(principal.type)) {
    throw new TokenError('forbidden', 'only master and personal tokens sign in');
  }
  const ttl = settings.tokenSessionTtl;
  const exchanged = await service.exchange(token, ttl === undefined ? {} : { ttl });
  const session: PageSession = {
    kind: 'token',
    tenant,
    session: exchanged.token,
    expiresAt: exchanged.expiresAt.getTime(),
  };
  await startSession(settings, req, res, session);
  const sessionPrincipal = await service.verify(exchanged.token, { tenant, cost: 0 });
  const signed: Signed = { kind: 'token', actor: { principal: sessionPrincipal }, principal: sessionPrincipal };
  sendJson(res, 200, await pageStatus(settings, req, signed));
}

async function status(settings: PageSettings, req: Request, res: Response): Promise<void> {
  let signed: Signed | null;
  let ended: string | undefined;
  try {
    signed = await signedIn(settings, req, res);
  } catch (error) {
    // A token sign-in whose token was revoked, rotated or expired: signed out, and told why.
    if (!isTokenError(error) || error.status !== 401) throw error;
    signed = null;
    ended = error.code;
  }
  sendJson(res, 200, await pageStatus(settings, req, signed, ended));
}

/**
 * Sign-out deletes the stored sign-in, so the cookie opens nothing even if
 * it was copied, and a token sign-in's session is signed out at the
 * service too (it revokes itself), so the session token is dead everywhere
 * even if it had been copied off the server.
 */
async function signOut(settings: PageSettings, req: Request, res: Response): Promise<void> {
  if (settings.actAs !== undefined) throw new TokenError('forbidden', 'this page signs nobody in or out');
  const found = await storedSession(settings, req);
  if (found?.session.kind === 'token') await endTokenSession(settings, found.session.session);
  if (found !== undefined) await settings.sessions.delete(found.key);
  clearSessionCookie(req, res, cookieOf(settings, req));
  sendJson(res, 200, await pageStatus(settings, req, null));
}

/** Signs a token sign-in's session out at the service; one that no longer verifies is over already. */
async function endTokenSession(settings: PageSettings, session: string): Promise<void> {
  const { service, tenant } = settings;
  try {
    const principal = await service.verify(session, { tenant, cost: 0 });
    await service.revoke(principal.session!.id, { principal });
  } catch (error) {
    if (!isTokenError(error) || error.status !== 401) throw error;
  }
}

type Handler = (settings: PageSettings, req: Request, res: Response) => Promise<void>;

function route(settings: PageSettings, handler: Handler) {
  return (req: Request, res: Response): void => {
    handler(settings, req, res).catch((error: unknown) => sendFailure(res, error));
  };
}

/** The sign-in routes as an Express router. */
export function sessionRoutes(settings: PageSettings): Router {
  const router = express.Router();
  router.get('/session', route(settings, status));
  router.delete('/session', route(settings, signOut));
  if (settings.demoUsers.length > 0) router.post('/session/demo', jsonBody, route(settings, demoSignIn));
  if (settings.tokenSignIn) router.post('/session/token', jsonBody, route(settings, tokenSignIn));
  router.use(bodyErrors);
  return router;
}
