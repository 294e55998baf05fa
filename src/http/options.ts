import { invalid } from '../core/errors.js';
import { expectKeys, identifier, isPlainObject } from '../core/input.js';
import type { TokenService } from '../service/token-service.js';
import { checkRealm } from './answers.js';
import type { TokenVerifier } from './authenticate.js';
import type { AmbientHeaders } from './cross-site.js';

/**
 * @internal Validation of the HTTP helpers' options, once, when a helper is
 * built: every bad option is a `TokenError('invalid_request')` whose
 * `field` names it, like the service's own options.
 */

/** Options Fastify itself reads from a plugin's options object when it is registered. */
export const FASTIFY_REGISTER_KEYS: readonly string[] = ['prefix', 'logLevel', 'logSerializers'];

/** The options object itself: absent, or a plain object with no unknown keys (a typo is an error, not a default). */
export function optionsObject(options: unknown, allowed: readonly string[]): Record<string, unknown> {
  return expectKeys(options, 'options', allowed);
}

export function booleanOption(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(field, 'must be true or false');
  return value;
}

export function functionOption<T>(value: unknown, field: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalid(field, 'must be a function');
  return value as T;
}

/** A `TokenService` or a remote verifier: anything with `verify`. */
export function verifierOption(value: unknown, field = 'verifier'): TokenVerifier {
  if (!isPlainObject(value) || typeof value.verify !== 'function') {
    throw invalid(field, 'must be a TokenService or a remote verifier');
  }
  return value as unknown as TokenVerifier;
}

const SERVICE_METHODS = ['verify', 'issue', 'list', 'get', 'rotate', 'share', 'claim', 'revoke'] as const;

export function serviceOption(value: unknown, field = 'service'): TokenService {
  if (!isPlainObject(value) || SERVICE_METHODS.some((method) => typeof value[method] !== 'function')) {
    throw invalid(field, 'must be a TokenService');
  }
  return value as unknown as TokenService;
}

/** A fixed tenant (an identifier) or a function of the request. */
export function tenantOption<F>(value: unknown, field = 'tenant'): string | F | undefined {
  if (value === undefined || typeof value === 'function') return value as F | undefined;
  return identifier(value, field);
}

const SIZE = /^(\d{1,10}(?:\.\d{1,3})?) ?(b|kb|mb|gb)?$/i;
const UNIT_BYTES: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const MAX_BODY_LIMIT = 1024 ** 3;

/** A body limit in bytes: a positive integer, or a size such as `'64kb'` (1 kb = 1024 bytes), at most 1 GiB. */
export function bodyLimitOption(value: unknown, fallback: number, field = 'bodyLimit'): number {
  if (value === undefined) return fallback;
  let bytes = Number.NaN;
  if (typeof value === 'number') bytes = value;
  else if (typeof value === 'string') {
    const match = SIZE.exec(value.trim());
    if (match !== null) bytes = Math.floor(Number(match[1]) * UNIT_BYTES[(match[2] ?? 'b').toLowerCase()]!);
  }
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > MAX_BODY_LIMIT) {
    throw invalid(field, "must be a size in bytes, or such as '64kb' or '1mb', up to 1gb");
  }
  return bytes;
}

// RFC 9110 token characters, for header names given in configuration.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * Header names a deployment's proxies add to every request, on top of the
 * built-in list: exact names, or prefixes written `x-corp-*`.
 */
export function ambientHeadersOption(value: unknown, field = 'ambientHeaders'): AmbientHeaders {
  if (value === undefined) return { names: new Set(), prefixes: [] };
  if (!Array.isArray(value)) throw invalid(field, 'must be a list of header names');
  const names = new Set<string>();
  const prefixes: string[] = [];
  value.forEach((entry: unknown, index) => {
    const name = typeof entry === 'string' ? entry.toLowerCase() : '';
    const prefix = name.endsWith('-*') ? name.slice(0, -1) : null;
    if (!HEADER_NAME.test(prefix ?? name) || name === 'authorization') {
      throw invalid(
        `${field}[${index}]`,
        "must be a header name other than Authorization, or a prefix such as 'x-corp-*'",
      );
    }
    if (prefix === null) names.add(name);
    else prefixes.push(prefix);
  });
  return { names, prefixes };
}

/** @internal The management API's options after validation (Express and Fastify alike). */
export interface ManagementSettings<Resolver> {
  readonly service: TokenService;
  readonly actor: Resolver | undefined;
  readonly realm: string;
  readonly bodyLimit: number;
  readonly ambient: AmbientHeaders;
}

const MANAGEMENT_KEYS: readonly string[] = ['actor', 'realm', 'bodyLimit', 'ambientHeaders'];

/** @internal Validates the management API's options; `extraKeys` adds the framework's own. */
export function managementSettings<Resolver>(
  service: unknown,
  options: unknown,
  extraKeys: readonly string[] = [],
): ManagementSettings<Resolver> {
  const checked = optionsObject(options, [...MANAGEMENT_KEYS, ...extraKeys]);
  return {
    service: serviceOption(service),
    actor: functionOption<Resolver>(checked.actor, 'actor'),
    realm: checkRealm(checked.realm),
    bodyLimit: bodyLimitOption(checked.bodyLimit, 64 * 1024),
    ambient: ambientHeadersOption(checked.ambientHeaders),
  };
}
