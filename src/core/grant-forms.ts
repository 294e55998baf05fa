/**
 * @internal Two questions about grant lists asked on the verification
 * path, answered without building anything (issue 12): is a list already
 * in the canonical form `normalizeGrants` gives, and does one list allow
 * every need of another. test/core/grants.test.ts holds both equal to
 * their definitions (`normalizeGrants`, `grantsAllow` over `needsOf`) by
 * fast-check.
 */
import type { ComponentAction, ComponentGrant, Grant } from './types.js';

/** Every component action, in canonical order. */
export const COMPONENT_ACTIONS: readonly ComponentAction[] = ['run', 'configure'];

/** How many own enumerable members `value` has, without making a list of them. */
function memberCount(value: object): number {
  let count = 0;
  for (const key in value) if (Object.hasOwn(value, key)) count++;
  return count;
}

/** The rank of a grant's kind in canonical order (buckets, components, scopes) and its name; null for no grant. */
function kindAndName(grant: Grant): { rank: number; name: unknown } | null {
  if ('bucket' in grant) return { rank: 0, name: grant.bucket };
  if ('component' in grant) return { rank: 1, name: grant.component };
  if ('scope' in grant) return { rank: 2, name: grant.scope };
  return null;
}

/** Whether a grant is a plain object whose own members are exactly its canonical ones. */
function canonicalMembers(grant: Grant): boolean {
  if (Object.getPrototypeOf(grant) !== Object.prototype) return false;
  const size = memberCount(grant);
  if ('bucket' in grant) return size === 2 && (grant.access === 'read' || grant.access === 'write');
  if ('component' in grant) {
    if (grant.actions === undefined) return size === 1 && !Object.hasOwn(grant, 'actions');
    // Both actions are written as no `actions` at all; one is a one-element list.
    const actions: readonly unknown[] = grant.actions;
    return (
      size === 2 &&
      Array.isArray(actions) &&
      Object.getPrototypeOf(actions) === Array.prototype &&
      actions.length === 1 &&
      memberCount(actions) === 1 &&
      (actions[0] === 'run' || actions[0] === 'configure')
    );
  }
  return size === 1;
}

/**
 * True when `normalizeGrants(grants)` would give a list equal to `grants`:
 * buckets, then components, then scopes, each by name strictly ascending
 * (so no name twice), every grant with its canonical members only.
 */
export function isCanonical(grants: readonly Grant[]): boolean {
  if (!Array.isArray(grants) || Object.getPrototypeOf(grants) !== Array.prototype) return false;
  let rank = -1;
  let last = '';
  for (let i = 0; i < grants.length; i++) {
    const grant = grants[i];
    if (typeof grant !== 'object' || grant === null) return false;
    const kind = kindAndName(grant);
    if (kind === null || typeof kind.name !== 'string' || !canonicalMembers(grant)) return false;
    if (kind.rank < rank || (kind.rank === rank && kind.name <= last)) return false;
    rank = kind.rank;
    last = kind.name;
  }
  return true;
}

/**
 * Whether `grants` allow `action` on `component`, exactly as `grantsAllow`
 * decides it (a component grant without `actions` allows every action).
 */
function allowsAction(grants: readonly Grant[], component: string, action: ComponentAction): boolean {
  for (const grant of grants) {
    if (!('component' in grant) || grant.component !== component) continue;
    const actions: Iterable<ComponentAction> = grant.actions ?? COMPONENT_ACTIONS;
    if (Array.isArray(actions) ? actions.includes(action) : new Set(actions).has(action)) return true;
  }
  return false;
}

function allowsComponent(outer: readonly Grant[], grant: ComponentGrant): boolean {
  for (const action of grant.actions ?? COMPONENT_ACTIONS) {
    if (!allowsAction(outer, grant.component, action)) return false;
  }
  return true;
}

/** Whether `outer` allows one grant of another list, as `grantsAllow` would each of its needs. */
function allowsGrant(outer: readonly Grant[], grant: Grant): boolean {
  if ('bucket' in grant) {
    for (const held of outer) {
      if ('bucket' in held && held.bucket === grant.bucket && (held.access === 'write' || grant.access === 'read')) {
        return true;
      }
    }
    return false;
  }
  if ('component' in grant) return allowsComponent(outer, grant);
  for (const held of outer) if ('scope' in held && held.scope === grant.scope) return true;
  return false;
}

/** True when `outer` allows every need of every grant of `inner` (`grantSetCovers` on two lists). */
export function allowsAll(outer: readonly Grant[], inner: readonly Grant[]): boolean {
  for (const grant of inner) if (!allowsGrant(outer, grant)) return false;
  return true;
}
