import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendError } from './answers.js';

/**
 * @internal Where a request may come from. Two checks, on every route of the page:
 *
 * - `Host` must be one of the page's own hosts (by default a loopback name).
 *   A page on another site can point its own name at 127.0.0.1 (DNS
 *   rebinding); its requests then reach this server with that site's name in
 *   `Host`, and without this check a page that acts as a fixed user
 *   (`tokenward serve --as`) would answer them.
 * - State-changing requests (anything but GET, HEAD, OPTIONS) must carry an
 *   `Origin` naming one of the page's origins. Browsers send it on every
 *   such request, so a request from another site is refused before it acts,
 *   on top of SameSite cookies and the JSON-only bodies.
 */

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The request's own origin as the browser addressed it, or undefined for a `Host` that is not a host. */
export function requestOrigin(req: Request): string | undefined {
  const host = req.headers.host;
  if (host === undefined || host === '' || /[\s/?#@\\]/.test(host)) return undefined;
  try {
    return new URL(`${req.protocol}://${host}`).origin;
  } catch {
    return undefined;
  }
}

function isLoopback(origin: string): boolean {
  return LOOPBACK.has(new URL(origin).hostname);
}

/** The page's origin for this request if `Host` is one of its hosts, else undefined. */
export function allowedRequestOrigin(req: Request, origins: readonly string[]): string | undefined {
  const own = requestOrigin(req);
  if (own === undefined) return undefined;
  if (origins.length === 0) return isLoopback(own) ? own : undefined;
  // Behind a proxy the scheme may read as http while the page is https: compare hosts, answer the configured origin.
  const host = new URL(own).host;
  return origins.find((origin) => {
    const allowed = new URL(origin);
    return new URL(`${allowed.protocol}//${host}`).host === allowed.host;
  });
}

/** @internal The Host and Origin checks as Express middleware. */
export function originGuard(origins: readonly string[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const own = allowedRequestOrigin(req, origins);
    if (own === undefined) {
      sendError(res, 403, 'forbidden', 'this page does not answer for that host');
      return;
    }
    if (!SAFE_METHODS.has(req.method)) {
      const claimed = req.headers.origin;
      const allowed = origins.length === 0 ? [own] : origins;
      if (claimed === undefined || !allowed.includes(claimed.toLowerCase())) {
        sendError(res, 403, 'forbidden', 'cross-origin requests are refused');
        return;
      }
    }
    next();
  };
}
