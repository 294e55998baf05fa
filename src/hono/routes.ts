import { type Context, Hono } from 'hono';
import { introspectionHandler } from '../fetch/introspection.js';
import { serveRoute, tokenActor } from '../fetch/routes.js';
import type { TokenVerifier } from '../http/authenticate.js';
import type { IntrospectionOptions } from '../http/introspection.js';
import { type Actor, MANAGEMENT_ROUTES, type TokenService } from '../http/management.js';
import { managementSettings } from '../http/options.js';

/** Options of `managementRoutes`. */
export interface HonoManagementOptions {
  /**
   * Who performs a call: the app's own session user (`{ tenant, user }`), a
   * verified token (`{ principal }`), or null when nobody is signed in (401).
   * Default: the principal `tokenAuth` set (`c.get('tokenPrincipal')`).
   */
  readonly actor?: (c: Context) => Actor | null | undefined | Promise<Actor | null | undefined>;
  /** Realm of 401 challenges (default `api`). */
  readonly realm?: string;
  /** Largest accepted request body: bytes, or a size such as `'64kb'` (default `'64kb'`, at most `'1gb'`). */
  readonly bodyLimit?: string | number;
  /** Headers the proxies in front of the app add to every request (see `managementRouter`). */
  readonly ambientHeaders?: readonly string[];
}

/**
 * The management API of a "Personal access tokens" page as a Hono app to
 * mount with `app.route(path, …)`. Routes, bodies and answers are those of
 * `managementRouter` in `tokenward/express`; put `tokenAuth(tokens, {
 * optional: true })` in front to act as a verified token.
 *
 * @throws TokenError `invalid_request` when it is built, naming the option:
 *   anything but a `TokenService`, an `actor` that is not a function, a bad
 *   `realm`, `bodyLimit` or `ambientHeaders` entry, or an unknown option.
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { managementRoutes, tokenAuth } from 'tokenward/hono';
 *
 * const app = new Hono();
 * app.use('/api/tokens/*', tokenAuth(tokens, { optional: true }));
 * app.route('/api/tokens', managementRoutes(tokens));
 * ```
 */
export function managementRoutes(service: TokenService, options: HonoManagementOptions = {}): Hono {
  const settings = managementSettings<NonNullable<HonoManagementOptions['actor']>>(service, options);
  const resolveActor = settings.actor ?? ((c: Context) => tokenActor(c.get('tokenPrincipal')));
  const app = new Hono();
  for (const route of MANAGEMENT_ROUTES) {
    app.on(route.method, route.path, (c) =>
      serveRoute(settings, route, c.req.raw, c.req.param(), () => resolveActor(c)),
    );
  }
  return app;
}

/**
 * An RFC 7662 token introspection endpoint as a Hono app (`POST` at its
 * root) to mount with `app.route(path, …)`. Callers, answers and errors are
 * those of `introspectionRouter` in `tokenward/express`.
 *
 * @throws TokenError `invalid_request` when it is built, naming the option.
 * @example
 * ```ts
 * import { introspectionRoute } from 'tokenward/hono';
 * app.route('/oauth/introspect', introspectionRoute(tokens, { issuer: 'https://auth.example.com/tenants/{tenant}' }));
 * ```
 */
export function introspectionRoute(verifier: TokenVerifier, options: IntrospectionOptions = {}): Hono {
  const handler = introspectionHandler(verifier, options);
  const app = new Hono();
  app.post('/', (c) => handler(c.req.raw));
  return app;
}
