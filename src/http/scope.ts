import { COMPONENT_ACTIONS, parseGrants } from '../core/grants.js';
import type { Grant, GrantSet, Need } from '../core/types.js';

/**
 * Grants as RFC 6749 §3.3 scope tokens: the one encoding printed by the
 * introspection endpoint (`scope`) and by RFC 6750 challenges (`scope="…"`).
 *
 * | grant | scope tokens |
 * | --- | --- |
 * | `{ bucket: 'b', access: 'read' }` | `bucket:b:read` |
 * | `{ bucket: 'b', access: 'write' }` | `bucket:b:read bucket:b:write` (write implies read) |
 * | `{ component: 'c', actions }` | `component:c:<action>` for each action (`run`, `configure`; all when `actions` is absent) |
 * | `{ scope: 's' }` | `scope:s` |
 * | full access (`'all'`) | `all`, alone |
 *
 * So a token's `scope` lists exactly the needs `principal.can()` allows,
 * one token per need. Every token but `all` starts with its kind and a
 * colon: names may contain colons, so only the kind prefix keeps
 * `scope:bucket:b:read` (a free-form scope) apart from `bucket:b:read`,
 * and no grant can ever print as `all`. Characters a scope-token cannot
 * hold (RFC 6749 NQCHAR is printable ASCII without `"` and `\`), that is
 * non-ASCII letters and digits of names, are percent-encoded as UTF-8
 * (`bucket:caf%C3%A9:read`); names never contain `%`, so the encoding is
 * reversible.
 */

/** The scope token of full access (administrative, master and verification tokens). */
export const FULL_ACCESS_SCOPE = 'all';

// Anything outside RFC 6749 NQCHAR (%x21 / %x23-5B / %x5D-7E), one code point at a time.
const NOT_NQCHAR = /[^\x21\x23-\x5b\x5d-\x7e]/gu;

function encodeName(name: string): string {
  return name.replace(NOT_NQCHAR, (character) => encodeURIComponent(character));
}

/** The scope token of one need, e.g. `bucket:in.c-main:write`. */
export function scopeToken(need: Need): string {
  if ('bucket' in need) return `bucket:${encodeName(need.bucket)}:${need.access}`;
  if ('component' in need) return `component:${encodeName(need.component)}:${need.action}`;
  return `scope:${encodeName(need.scope)}`;
}

/** Every need a grant allows, the implied ones included (write → read). */
function needsOfGrant(grant: Grant): Need[] {
  if ('bucket' in grant) {
    const read: Need = { bucket: grant.bucket, access: 'read' };
    return grant.access === 'write' ? [read, { bucket: grant.bucket, access: 'write' }] : [read];
  }
  if ('component' in grant) {
    return (grant.actions ?? COMPONENT_ACTIONS).map((action) => ({ component: grant.component, action }));
  }
  return [{ scope: grant.scope }];
}

/** The scope tokens of a grant set, each once, in the grants' order (`['all']` for full access). */
export function scopeTokens(grants: GrantSet): string[] {
  if (grants === 'all') return [FULL_ACCESS_SCOPE];
  const tokens = new Set<string>();
  for (const grant of grants) for (const need of needsOfGrant(grant)) tokens.add(scopeToken(need));
  return [...tokens];
}

/**
 * The `scope` member of a grant set: space-separated tokens, or `undefined`
 * for a grant set that allows nothing (RFC 6749 §3.3 has no empty scope,
 * so the member is left out).
 */
export function scopeOf(grants: GrantSet): string | undefined {
  const tokens = scopeTokens(grants);
  return tokens.length === 0 ? undefined : tokens.join(' ');
}

/**
 * One scope token read back into a grant: `bucket:<name>:<access>`,
 * `component:<name>:<action>` and `scope:<name>` as `scopeToken` writes
 * them (percent-encoding undone); any other token, as a foreign platform
 * may send, becomes a scope grant of its own text.
 */
function grantOfScopeToken(token: string): Grant {
  const bucket = /^bucket:(.+):(read|write)$/.exec(token);
  if (bucket) return { bucket: decodeName(bucket[1]!), access: bucket[2] as 'read' | 'write' };
  const component = /^component:(.+):(run|configure)$/.exec(token);
  if (component) return { component: decodeName(component[1]!), actions: [component[2] as 'run' | 'configure'] };
  return { scope: token.startsWith('scope:') ? decodeName(token.slice(6)) : token };
}

/** A name as `encodeName` wrote it; text that is not percent-encoding is kept as it is. */
function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * The grants an RFC 6749 `scope` member says (the inverse of `scopeOf`):
 * `all` alone is full access.
 *
 * @throws {TokenError} `invalid_request` naming `scope` when a token names a grant no grant can have.
 */
export function grantsOfScope(scope: string): GrantSet {
  if (scope === FULL_ACCESS_SCOPE) return 'all';
  const tokens = scope.split(' ').filter((token) => token !== '');
  return parseGrants(tokens.map(grantOfScopeToken), 'scope');
}
