import type { FastifyRequest } from 'fastify';
import { expectKeys } from '../core/input.js';
import type { Need } from '../core/types.js';
import { type GrantGuard, grantGuard } from '../http/authenticate.js';
import { type MeteringSettings, routeMetering } from '../http/metering.js';

/**
 * @internal A Fastify route's own `config.tokenward`: what its requests
 * spend from a metered token (`cost`, `ratelimit`) and the grants they need
 * (`need`), checked when the route is added so that a bad one stops the app
 * from starting, and read by the plugin's `onRequest` hook.
 */

/** What a route's `config: { tokenward }` may say. */
export interface RouteConfig {
  /** What each request of the route spends (replaces the plugin's `cost`); a fixed value. */
  readonly cost?: number;
  /** The limits it spends (replaces the plugin's `ratelimit`); a fixed value. */
  readonly ratelimit?: string | readonly string[];
  /**
   * The grants a request of the route needs: checked by the plugin's own
   * `onRequest` hook right after authentication, with the answers of
   * `requireGrant` (403 `insufficient_scope` naming the scope, 401 without
   * a token even in an optional scope). One hook instead of two.
   */
  readonly need?: Need | readonly Need[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** tokenward's options for this route (`tokenward/fastify`). */
    tokenward?: RouteConfig;
  }
}

/** @internal A route's settings: its metering and its guard (undefined: the plugin's / none). */
export interface RouteSettings {
  readonly metering: MeteringSettings<FastifyRequest> | undefined;
  readonly guard: GrantGuard | undefined;
}

/** @internal The settings of a route without `config.tokenward`. */
export const NO_ROUTE_SETTINGS: RouteSettings = Object.freeze({ metering: undefined, guard: undefined });

/**
 * @internal Checks a route's `config.tokenward`: `invalid_request` naming
 * `config.tokenward.<key>` for an unknown key, a function or bad value of
 * `cost`/`ratelimit`, or a bad `need`.
 */
export function routeSettings(config: unknown): RouteSettings {
  const own = (config as { tokenward?: unknown } | null | undefined)?.tokenward;
  if (own === undefined) return NO_ROUTE_SETTINGS;
  const fields = expectKeys(own, 'config.tokenward', ['cost', 'ratelimit', 'need']);
  return {
    metering: routeMetering(fields) as MeteringSettings<FastifyRequest> | undefined,
    guard: fields.need === undefined ? undefined : grantGuard(fields.need as Need, 'config.tokenward.need'),
  };
}

/** @internal A route config that is invalid: what checking it threw, kept so each request is refused alike. */
export interface BadRouteConfig {
  readonly invalid: unknown;
}

/**
 * @internal The settings of each route config object, computed at its
 * first request and kept (a `WeakMap`: route configs live as long as their
 * routes). Fastify fixes a route's options when the route is registered,
 * so a config is not expected to change afterwards (docs/http.md). An
 * invalid config is kept as such: every request of the route is refused.
 */
export function routeSettingsCache(): (config: unknown) => RouteSettings | BadRouteConfig {
  const known = new WeakMap<object, RouteSettings | BadRouteConfig>();
  return (config) => {
    if (typeof config !== 'object' || config === null) return NO_ROUTE_SETTINGS;
    let settings = known.get(config);
    if (settings === undefined) {
      try {
        settings = routeSettings(config);
      } catch (error) {
        settings = { invalid: error };
      }
      known.set(config, settings);
    }
    return settings;
  };
}
