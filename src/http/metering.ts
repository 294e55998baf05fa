/**
 * @internal What a guarded request spends from a metered token (rate
 * limits, usage credits: docs/limits.md): the `cost` and `ratelimit`
 * options of the Express middleware and the Fastify plugin (a fixed value,
 * or a function of the request), and a Fastify route's own
 * `config.tokenward`. They become `verify`'s options; the service decides.
 */
import { invalid, isTokenError } from '../core/errors.js';
import { spendRequest } from '../core/metering-input.js';
import type { VerifyOptions } from '../service/types.js';
import { applicationFault } from './app-fault.js';

/** Limit names: one, or a list. */
export type RateLimitNames = string | readonly string[];

/** The metering options of a guard: fixed, or decided per request `R`. */
export interface MeteringOptions<R> {
  /**
   * What a request spends from a metered token: 0 to 1 000 000 (default 1;
   * 0 spends and checks nothing), or a function of the request (answering
   * undefined for the default). Tokens without limits or credits ignore it.
   */
  readonly cost?: number | ((request: R) => number | undefined);
  /**
   * The rate limits a request spends, by name (default: every limit of the
   * token), or a function of the request.
   */
  readonly ratelimit?: RateLimitNames | ((request: R) => RateLimitNames | undefined);
}

/** @internal The metering options, checked: fixed values validated once, functions called per request. */
export interface MeteringSettings<R> {
  readonly cost: number | ((request: R) => number | undefined) | undefined;
  readonly ratelimit: RateLimitNames | ((request: R) => RateLimitNames | undefined) | undefined;
}

/** @internal Checks fixed values at setup (`invalid_request` naming `<prefix>cost` or `<prefix>ratelimit`). */
export function meteringSettings<R>(options: MeteringOptions<R>, prefix = ''): MeteringSettings<R> {
  const { cost, ratelimit } = options;
  spendRequest(
    typeof cost === 'function' ? undefined : cost,
    typeof ratelimit === 'function' ? undefined : ratelimit,
    prefix,
  );
  return { cost, ratelimit };
}

/** @internal True when the settings make every request spend the default (cost 1 from every limit). */
export function spendsDefault<R>(settings: MeteringSettings<R>): boolean {
  return settings.cost === undefined && settings.ratelimit === undefined;
}

/**
 * @internal `verify`'s options for one request: its tenant, and what it
 * spends. Undefined when there is nothing to say, so the common request
 * allocates nothing. What the application's functions answer is checked
 * here, before `verify`: a value their option does not take is the
 * application's fault (`applicationFault`, naming `tenant`, `cost` or
 * `ratelimit`), not a refusal of the client; what they throw is passed on
 * as it is.
 */
export function verifyOptionsFor<R>(
  request: R,
  tenantOption: string | ((request: R) => string | undefined) | undefined,
  settings: MeteringSettings<R>,
): VerifyOptions | undefined {
  const tenant = typeof tenantOption === 'function' ? resolvedTenant(tenantOption(request)) : tenantOption;
  if (spendsDefault(settings)) return tenant === undefined ? undefined : { tenant };
  const cost = typeof settings.cost === 'function' ? settings.cost(request) : settings.cost;
  const ratelimit = typeof settings.ratelimit === 'function' ? settings.ratelimit(request) : settings.ratelimit;
  if (typeof settings.cost === 'function' || typeof settings.ratelimit === 'function') {
    checkResolved(
      typeof settings.cost === 'function' ? cost : undefined,
      typeof settings.ratelimit === 'function' ? ratelimit : undefined,
    );
  }
  return {
    ...(tenant === undefined ? {} : { tenant }),
    ...(cost === undefined ? {} : { cost }),
    ...(ratelimit === undefined ? {} : { ratelimit }),
  };
}

/**
 * The tenant a resolver answered: undefined (any tenant) or a string. Any
 * string goes to `verify`, which refuses a token of another tenant
 * (`token_invalid`, the client's 401): a resolver commonly reads the tenant
 * from the request (a header, a host name), so a tenant that is not a valid
 * identifier is what a client sent, never the application's fault. Only a
 * value that is not a string at all is.
 */
function resolvedTenant(tenant: unknown): string | undefined {
  if (tenant === undefined || typeof tenant === 'string') return tenant;
  throw applicationFault('tenant', 'must be a string or undefined');
}

/** A resolver's `cost` and `ratelimit`, checked by the rules of the fixed options. */
function checkResolved(cost: unknown, ratelimit: unknown): void {
  try {
    spendRequest(cost, ratelimit);
  } catch (error) {
    if (!isTokenError(error)) throw error;
    const field = error.details.field ?? 'cost';
    throw applicationFault(
      field,
      error.message.startsWith(field) ? error.message.slice(field.length + 1) : 'is invalid',
    );
  }
}

/**
 * @internal The metering of a Fastify route's own `config.tokenward`
 * (fixed `cost` and `ratelimit`, checked when the route is added): it
 * replaces the plugin's options for that route when it names either.
 * Undefined when it names neither (a route whose config gives only a
 * `need` spends what the plugin says).
 */
export function routeMetering(fields: Readonly<Record<string, unknown>>): MeteringSettings<unknown> | undefined {
  if (!('cost' in fields) && !('ratelimit' in fields)) return undefined;
  if (typeof fields.cost === 'function' || typeof fields.ratelimit === 'function') {
    throw invalid('config.tokenward', 'takes fixed values; functions of the request go in the plugin options');
  }
  return meteringSettings(fields as MeteringOptions<unknown>, 'config.tokenward.');
}
