import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { managementRouter } from '../express/index.js';
import type { TokenService } from '../service/token-service.js';
import type { Actor } from '../service/types.js';
import { loadAssets, renderPage } from './assets.js';
import { pageSettings, type TokenPageOptions } from './options.js';
import { originGuard } from './origin.js';
import { sessionRoutes } from './session-routes.js';
import { signedIn } from './signin.js';

/**
 * Everything the page loads comes from its own origin; nothing may frame it,
 * no form may post anywhere, and no inline script or style runs.
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Where the page's files, sign-in and management API live, below its mount point. */
export const PAGE_PREFIX = '/page';

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'content-security-policy': PAGE_CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  });
  next();
}

/**
 * The API-tokens page as an Express router: the page itself at `/`, its
 * files under `/page/assets/`, sign-in under `/page/session`, and the
 * management API (`managementRouter`) under `/page/api`, acting as whoever
 * is signed in. Other paths pass through to the app's own routes.
 *
 * For the signed-in user it creates tokens (name, expiry choices the policy
 * allows, comment; type and FOR USER for admins; grants), shows a new secret
 * once with a Copy button, lists tokens in a table (Hide expired, Hide
 * revoked), edits comments, rotates and revokes after a confirmation,
 * shares by one-time link and claims such links, and shows each token's
 * events; admins see every user's tokens and the duration policies, with
 * which policy sets a user's limit.
 *
 * Who acts:
 * - `signIn.demoUsers`: a demo sign-in (clearly labelled; demos only);
 * - `signIn.token`: token sign-in. The token is exchanged for a session
 *   token (`service.exchange`) that stays on the server; the browser gets a
 *   random id in a cookie (HttpOnly, SameSite=Strict, Secure behind https).
 *   The session acts as `{ principal }`, so the service's actor table applies:
 *   it views, and never creates, rotates, shares or revokes. Revoking or
 *   rotating the token ends it at the next request;
 * - `actAs`: a fixed user or the system (`tokenward serve --as`), or the
 *   app's own session.
 *
 * Cross-site requests are refused three times over: cookies are
 * SameSite=Strict, bodies are JSON only, and state-changing requests must
 * carry an allowed `Origin` (`allowedOrigins`; by default loopback only,
 * where `Host` is checked as well, against DNS rebinding). Every answer
 * carries a strict Content-Security-Policy (`PAGE_CSP`): no inline script,
 * and nothing from another origin.
 *
 * Mount it before any body parser of the app (as `managementRouter`).
 *
 * @throws {TokenError} `invalid_request` when it is built, naming the bad
 *   option (`tenant`, `signIn.demoUsers[0]`, `actAs`, `allowedOrigins[1]`,
 *   `shareUrl`, `sessionTtl`, `tokenSessionTtl`, `sessionStore`,
 *   `cookieName`, `title`, an unknown option), or `service`.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { tokenPage } from 'tokenward/web';
 *
 * const app = express();
 * app.use('/tokens', tokenPage(tokens, {
 *   tenant: 'acme',
 *   signIn: { token: true },                 // needs createTokenService({ sessions })
 *   allowedOrigins: ['https://tokens.acme.example'],
 * }));
 * ```
 */
export function tokenPage(service: TokenService, options: TokenPageOptions): Router {
  const settings = pageSettings(service, options);
  const assets = loadAssets();
  const guard = originGuard(settings.origins);
  const router = express.Router();

  router.get('/', securityHeaders, guard, (req, res) => {
    res.set({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.send(renderPage(assets.template, req.baseUrl, settings.title));
  });

  // Everything else lives under /page, so the page can share a mount point with the app's own routes.
  const inner = express.Router();
  inner.get('/assets/:file', (req, res, next) => {
    const asset = assets.files.get(req.params.file ?? '');
    if (asset === undefined) return next();
    res.set({ 'content-type': asset.type, 'cache-control': 'no-cache', etag: asset.etag });
    if (req.headers['if-none-match'] === asset.etag) res.status(304).end();
    else res.send(asset.body);
  });
  inner.use(sessionRoutes(settings));
  inner.use(
    '/api',
    managementRouter(settings.service, {
      realm: 'tokens-page',
      // `signedIn` throws the verification's error for an ended token sign-in: the API answers 401 with it.
      actor: async (req): Promise<Actor | null> => {
        const signed = await signedIn(settings, req, req.res!);
        return signed === null ? null : signed.actor;
      },
    }),
  );
  router.use(PAGE_PREFIX, securityHeaders, guard, inner);
  return router;
}
