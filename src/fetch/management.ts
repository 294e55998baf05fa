import { invalid } from '../core/errors.js';
import type { Principal } from '../core/principal-types.js';
import { errorAnswer, managementFailure } from '../http/answers.js';
import { type Actor, MANAGEMENT_ROUTES, type ManagementRoute, type TokenService } from '../http/management.js';
import { type ManagementSettings, managementSettings } from '../http/options.js';
import { type FetchAuth, tokenAuth } from './auth.js';
import { toResponse } from './request.js';
import { serveRoute, tokenActor } from './routes.js';

/** Options of `managementHandler`. */
export interface FetchManagementOptions {
  /** Where the API is mounted, such as `'/api/tokens'` (default: the root). Paths outside it answer 404. */
  readonly basePath?: string;
  /**
   * Who performs a call: the app's own session user (`{ tenant, user }`), a
   * verified token (`{ principal }`), or null when nobody is signed in (401).
   * It receives the principal `auth` verified (null without a token).
   * Default: that principal.
   */
  readonly actor?: (
    request: Request,
    principal: Principal | null,
  ) => Actor | null | undefined | Promise<Actor | null | undefined>;
  /**
   * The authentication in front of the routes, made by `tokenAuth`. Default:
   * `tokenAuth(service, { realm, optional: true })`, so claims and RFC 7009
   * revocation work without a token and a bad token is refused; `null`:
   * none (the `actor` option alone decides, and gets a null principal).
   */
  readonly auth?: FetchAuth | null;
  /** Realm of 401 challenges (default `api`). */
  readonly realm?: string;
  /** Largest accepted request body: bytes, or a size such as `'64kb'` (default `'64kb'`, at most `'1gb'`). */
  readonly bodyLimit?: string | number;
  /** Headers the proxies in front of the app add to every request (see `managementRouter`). */
  readonly ambientHeaders?: readonly string[];
}

/** A compiled route: its segments, literal or `:param`. */
interface Matcher {
  readonly route: ManagementRoute;
  readonly segments: readonly string[];
}

function compile(routes: readonly ManagementRoute[]): Matcher[] {
  return routes.map((route) => ({ route, segments: route.path.split('/').slice(1) }));
}

/** The params of a path that fits `segments`, or null; params are percent-decoded as the frameworks do. */
function match(segments: readonly string[], path: readonly string[]): Record<string, string> | null {
  if (segments.length !== path.length) return null;
  const params: Record<string, string> = Object.create(null);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const part = path[i]!;
    if (segment.startsWith(':')) {
      if (part === '') return null;
      const name = segment.slice(1);
      try {
        params[name] = decodeURIComponent(part);
      } catch {
        // Refused by the route that matches the method (naming its parameter), not by the first shape.
        params[name] = part;
      }
    } else if (segment !== part) {
      return null;
    }
  }
  return params;
}

function basePathOption(value: unknown): string {
  if (value === undefined || value === '' || value === '/') return '';
  if (typeof value !== 'string' || !/^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/.test(value)) {
    throw invalid('basePath', "must be a path such as '/api/tokens'");
  }
  return value;
}

const NOT_FOUND = errorAnswer(404, { error: 'not_found', message: 'no such route' });

/**
 * The management API of a "Personal access tokens" page as a Fetch API
 * handler, `(request) => Promise<Response>`, for Bun, Deno, Cloudflare
 * Workers and Next.js. Routes, bodies and answers are those of
 * `managementRouter` in `tokenward/express` (one behaviour suite runs
 * against all of them). An unknown path answers 404, a known path with
 * another method 405 with `Allow`; `HEAD` is answered like `GET`.
 *
 * @throws TokenError `invalid_request` when it is built, naming the option:
 *   anything but a `TokenService`, an `actor` that is not a function, a bad
 *   `basePath`, `realm`, `bodyLimit` or `ambientHeaders` entry, or an
 *   unknown option.
 * @example
 * ```ts
 * import { managementHandler } from 'tokenward/fetch';
 *
 * const manage = managementHandler(tokens, { basePath: '/api/tokens' });
 * Deno.serve((request) => manage(request));
 * ```
 */
export function managementHandler(
  service: TokenService,
  options: FetchManagementOptions = {},
): (request: Request) => Promise<Response> {
  const settings: ManagementSettings<NonNullable<FetchManagementOptions['actor']>> = managementSettings(
    service,
    options,
    ['basePath', 'auth'],
  );
  const basePath = basePathOption(options.basePath);
  const auth = authOption(options.auth, () => tokenAuth(settings.service, { realm: settings.realm, optional: true }));
  const resolveActor = settings.actor ?? ((_request: Request, principal: Principal | null) => tokenActor(principal));
  const matchers = compile(MANAGEMENT_ROUTES);

  return async (request) => {
    const head = request.method === 'HEAD';
    const method = head ? 'GET' : request.method;
    const pathname = new URL(request.url).pathname;
    if (basePath !== '' && pathname !== basePath && !pathname.startsWith(`${basePath}/`)) {
      return toResponse(NOT_FOUND, head);
    }
    const path = pathname.slice(basePath.length).split('/').slice(1);
    const allowed: string[] = [];
    for (const matcher of matchers) {
      let params: Record<string, string> | null;
      try {
        params = match(matcher.segments, path);
      } catch (error) {
        return toResponse(managementFailure(error, settings.realm), head);
      }
      if (params === null) continue;
      if (matcher.route.method !== method) {
        allowed.push(matcher.route.method);
        continue;
      }
      let principal: Principal | null = null;
      if (auth !== null) {
        const outcome = await auth.authenticate(request);
        if (!outcome.ok) return outcome.response;
        principal = outcome.principal;
      }
      return serveRoute(settings, matcher.route, request, params, () => resolveActor(request, principal));
    }
    if (allowed.length === 0) return toResponse(NOT_FOUND, head);
    const allow = [...new Set(allowed.flatMap((name) => (name === 'GET' ? ['GET', 'HEAD'] : [name])))].join(', ');
    return toResponse(errorAnswer(405, { error: 'invalid_request', message: 'method not allowed' }, { allow }), head);
  };
}

/** @internal The `auth` option: a `tokenAuth` authenticator, `null` for none, or the default. */
export function authOption(value: unknown, fallback: () => FetchAuth): FetchAuth | null {
  if (value === undefined) return fallback();
  if (value === null) return null;
  if (typeof value !== 'object' || typeof (value as FetchAuth).authenticate !== 'function') {
    throw invalid('auth', 'must be made by tokenAuth, or null');
  }
  return value as FetchAuth;
}
