/**
 * @internal A path parameter that is not valid percent-encoding
 * (`/tokens/%E0%A4%A`) answers the same on every adapter: 400
 * `invalid_request` naming the parameter, in tokenward's error body. The
 * frameworks fail such a path before our routes run, each in its own way
 * (Express as a generic 400, Fastify with its `FST_ERR_BAD_URL` body, Hono
 * by passing the raw text on), so each adapter asks this module which
 * parameter of which route the path was meant for.
 */
import { invalid, type TokenError } from '../core/errors.js';
import { MANAGEMENT_ROUTES, type ManagementRoute } from './management.js';

const SHAPES = MANAGEMENT_ROUTES.map((route) => ({
  method: route.method,
  segments: route.path.split('/').slice(1),
}));

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** The first parameter of `segments` that `tail` (the path's last segments) holds undecodable, or undefined. */
function badParameter(segments: readonly string[], tail: readonly string[]): string | undefined | null {
  let bad: string | undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const part = tail[i]!;
    if (!segment.startsWith(':')) {
      if (segment !== part) return null;
    } else if (part === '') {
      return null;
    } else if (bad === undefined && !decodes(part)) {
      bad = segment.slice(1);
    }
  }
  return bad;
}

/**
 * The refusal for a management path whose parameter is not valid
 * percent-encoding, or null when it has none. `pathname` is the raw path
 * (not decoded), whatever the mount point: the routes are matched against
 * its last segments, a route of `method` first, then any route.
 */
export function badPathParameter(method: string, pathname: string): TokenError | null {
  if (!pathname.includes('%')) return null;
  const path = pathname.split('?')[0]!.split('/');
  for (const sameMethod of [true, false]) {
    for (const shape of SHAPES) {
      if ((shape.method === method) !== sameMethod || path.length - 1 < shape.segments.length) continue;
      const name = badParameter(shape.segments, path.slice(path.length - shape.segments.length));
      if (typeof name === 'string') return invalid(name, 'is not a valid percent-encoded path segment');
    }
  }
  return null;
}

/** The refusal for `pathname` (raw) when it holds an undecodable parameter of `route`, or null. */
export function badRouteParameter(route: ManagementRoute, pathname: string): TokenError | null {
  if (!pathname.includes('%')) return null;
  const segments = route.path.split('/').slice(1);
  const path = pathname.split('/');
  if (path.length - 1 < segments.length) return null;
  const name = badParameter(segments, path.slice(path.length - segments.length));
  return typeof name === 'string' ? invalid(name, 'is not a valid percent-encoded path segment') : null;
}
