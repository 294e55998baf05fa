import { invalid } from './errors.js';
import { allowsAll, COMPONENT_ACTIONS, isCanonical } from './grant-forms.js';
import { listOf, ownField } from './input.js';
import type { BucketAccess, ComponentAction, Grant, GrantSet, Need } from './types.js';

export { COMPONENT_ACTIONS };

const NAME_PATTERN = /^[\p{L}\p{N}._:\-/@+]{1,200}$/u;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validName(value: unknown): value is string {
  return typeof value === 'string' && NAME_PATTERN.test(value);
}

/**
 * Checks untrusted grant input and returns it in canonical form (see
 * `normalizeGrants`). Names are 1–200 letters, digits or `._:-/@+`.
 */
export function parseGrants(input: unknown, field = 'grants'): Grant[] {
  if (!Array.isArray(input)) throw invalid(field, 'must be an array of grants');
  return normalizeGrants(listOf(input, field, 1000, 'must hold at most 1000 grants', parseGrant));
}

/**
 * One grant of `parseGrants`. Each field is read once into a local, and
 * that value is both checked and kept: a getter cannot pass the check with
 * one value and be stored with another.
 */
function parseGrant(item: unknown, at: string): Grant {
  if (!isObject(item)) throw invalid(at, 'must be an object');
  const keys = Object.keys(item);
  // Own fields only, each read once: an inherited `bucket` makes no bucket grant.
  const bucket = ownField(item, 'bucket', `${at}.bucket`);
  const component = ownField(item, 'component', `${at}.component`);
  const scope = ownField(item, 'scope', `${at}.scope`);
  if (bucket !== undefined) {
    const access = ownField(item, 'access', `${at}.access`);
    if (!validName(bucket)) throw invalid(at, 'has a bucket that is not a valid name');
    if (access !== 'read' && access !== 'write') throw invalid(at, "must have access 'read' or 'write'");
    if (keys.length !== 2) throw invalid(at, 'must have exactly bucket and access (a bucket grant)');
    return { bucket, access };
  }
  if (component !== undefined) {
    if (!validName(component)) throw invalid(at, 'has a component that is not a valid name');
    if (keys.some((key) => key !== 'component' && key !== 'actions'))
      throw invalid(at, 'must have component and optional actions only (a component grant)');
    const given = ownField(item, 'actions', `${at}.actions`);
    if (given === undefined) return { component };
    const actions = Array.isArray(given) ? listOf(given, `${at}.actions`, MAX_ACTIONS, TOO_MANY_ACTIONS, action) : [];
    if (actions.length === 0) throw invalid(at, "must have actions as a non-empty list of 'run' and 'configure'");
    return { component, actions };
  }
  if (scope !== undefined) {
    if (!validName(scope)) throw invalid(at, 'has a scope that is not a valid name');
    if (keys.length !== 1) throw invalid(at, 'must have exactly scope (a scope grant)');
    return { scope };
  }
  throw invalid(at, 'must be a bucket, component or scope grant');
}

// Repeats are merged (`normalizeGrants`); the bound keeps a sparse list's length from costing a walk.
const MAX_ACTIONS = 100;
const TOO_MANY_ACTIONS = `must hold at most ${MAX_ACTIONS} actions`;

/** One of a component grant's actions. */
function action(value: unknown, at: string): ComponentAction {
  if (!COMPONENT_ACTIONS.includes(value as ComponentAction)) throw invalid(at, "must be 'run' or 'configure'");
  return value as ComponentAction;
}

/** Checks an untrusted need (as given to `can`/`assert`). */
export function parseNeed(input: unknown): Need {
  if (isObject(input)) {
    if (validName(input.bucket) && (input.access === 'read' || input.access === 'write')) {
      return { bucket: input.bucket, access: input.access };
    }
    if (validName(input.component) && COMPONENT_ACTIONS.includes(input.action as ComponentAction)) {
      return { component: input.component, action: input.action as ComponentAction };
    }
    if (validName(input.scope)) return { scope: input.scope };
  }
  throw invalid('need', 'must be { bucket, access }, { component, action } or { scope }');
}

function componentActions(grant: { readonly actions?: readonly ComponentAction[] }): ReadonlySet<ComponentAction> {
  return new Set(grant.actions ?? COMPONENT_ACTIONS);
}

/**
 * Canonical form of a grant list: one grant per bucket (write wins over
 * read, since write implies read), one per component (actions merged; all
 * actions written without `actions`), scopes once each, sorted.
 */
export function normalizeGrants(grants: readonly Grant[]): Grant[] {
  const buckets = new Map<string, BucketAccess>();
  const components = new Map<string, Set<ComponentAction>>();
  const scopes = new Set<string>();
  for (const grant of grants) {
    if ('bucket' in grant) {
      if (buckets.get(grant.bucket) !== 'write') buckets.set(grant.bucket, grant.access);
    } else if ('component' in grant) {
      const actions = components.get(grant.component) ?? new Set<ComponentAction>();
      for (const action of componentActions(grant)) actions.add(action);
      components.set(grant.component, actions);
    } else {
      scopes.add(grant.scope);
    }
  }
  // Names are unique keys, so the default sort (by UTF-16 code units) is a total order on them.
  const out: Grant[] = [];
  for (const bucket of [...buckets.keys()].sort()) out.push({ bucket, access: buckets.get(bucket)! });
  for (const component of [...components.keys()].sort()) {
    const actions = components.get(component)!;
    out.push(
      actions.size === COMPONENT_ACTIONS.length
        ? { component }
        : { component, actions: COMPONENT_ACTIONS.filter((action) => actions.has(action)) },
    );
  }
  for (const scope of [...scopes].sort()) out.push({ scope });
  return out;
}

/** True when `grants` allow `need`. Write access to a bucket allows reading it. */
export function grantsAllow(grants: GrantSet, need: Need): boolean {
  if (grants === 'all') return true;
  for (const grant of grants) {
    if ('bucket' in need) {
      if ('bucket' in grant && grant.bucket === need.bucket && (grant.access === 'write' || need.access === 'read')) {
        return true;
      }
    } else if ('component' in need) {
      if ('component' in grant && grant.component === need.component && componentActions(grant).has(need.action)) {
        return true;
      }
    } else if ('scope' in grant && grant.scope === need.scope) {
      return true;
    }
  }
  return false;
}

/** The needs a grant stands for (a component grant stands for each of its actions). */
function needsOf(grant: Grant): Need[] {
  if ('bucket' in grant) return [{ bucket: grant.bucket, access: grant.access }];
  if ('component' in grant)
    return [...componentActions(grant)].map((action) => ({ component: grant.component, action }));
  return [{ scope: grant.scope }];
}

/**
 * True when `inner` grants nothing that `outer` does not: the subset
 * relation on grant sets (a partial order; `'all'` is the top).
 */
export function grantSetCovers(outer: GrantSet, inner: GrantSet): boolean {
  if (outer === 'all') return true;
  if (inner === 'all') return false;
  return inner.every((grant) => needsOf(grant).every((need) => grantsAllow(outer, need)));
}

/**
 * The grants both sets allow: what a narrowed token may do given its
 * owner's current privileges. The result allows a need exactly when both
 * sets do, in canonical form. When one set is canonical and the other
 * allows all of it (a limited token within its owner's privileges, the
 * common case on the verification path), that set is the answer and is
 * returned as it is, without building a new one (issue 12).
 */
export function intersectGrantSets(a: GrantSet, b: GrantSet): GrantSet {
  if (a !== 'all' && (b === 'all' || allowsAll(b, a)) && isCanonical(a)) return a;
  if (b !== 'all' && a === 'all' && isCanonical(b)) return b;
  if (a === 'all') return b === 'all' ? 'all' : normalizeGrants(b);
  if (b === 'all') return normalizeGrants(a);
  const kept: Grant[] = [];
  for (const grant of a) {
    for (const need of needsOf(grant)) {
      if ('bucket' in need) {
        // Write in one set and read in the other leaves read.
        const access: BucketAccess | null = grantsAllow(b, need)
          ? need.access
          : grantsAllow(b, { bucket: need.bucket, access: 'read' })
            ? 'read'
            : null;
        if (access !== null) kept.push({ bucket: need.bucket, access });
      } else if (grantsAllow(b, need)) {
        kept.push('component' in need ? { component: need.component, actions: [need.action] } : need);
      }
    }
  }
  return normalizeGrants(kept);
}

/**
 * A stable one-line form of a need, used as the RFC 6750 `scope` value:
 * `bucket:<name>:<read|write>`, `component:<name>:<action>`, `scope:<name>`.
 */
export function needToString(need: Need): string {
  if ('bucket' in need) return `bucket:${need.bucket}:${need.access}`;
  if ('component' in need) return `component:${need.component}:${need.action}`;
  return `scope:${need.scope}`;
}

/**
 * A copy of a list read by index (never through an iterator of its own).
 *
 * @throws {TypeError} for anything but an array (a `Set`, an object with
 *   or without a `length`): its entries could not be read the one way.
 */
function byIndex<T>(list: readonly T[]): T[] {
  if (!Array.isArray(list)) throw new TypeError('not an array');
  const length = list.length;
  // Stryker disable next-line ArrayDeclaration: equivalent, every index is written below (the length only presizes)
  const copy: T[] = new Array(length);
  for (let i = 0; i < length; i++) copy[i] = list[i]!;
  return copy;
}

/**
 * A grant copied field by field (only the fields its kind has) and frozen;
 * a component's actions are read by index, as `sameGrants` reads them.
 */
export function frozenGrant(grant: Grant): Grant {
  if ('bucket' in grant) return Object.freeze({ bucket: grant.bucket, access: grant.access });
  if ('component' in grant) {
    const actions = grant.actions;
    return Object.freeze(
      actions === undefined
        ? { component: grant.component }
        : { component: grant.component, actions: Object.freeze(byIndex(actions)) },
    );
  }
  return Object.freeze({ scope: grant.scope });
}

/**
 * A frozen copy of a list of grants, each grant copied and frozen
 * (`frozenGrant`), read by index. Anything but an array, a hole, an entry
 * that is not an object and a component's `actions` that are not an array
 * throw a `TypeError` (a directory's answer that is not a grant list; on
 * the verification path it fails closed as `unavailable`). The copy is
 * remembered as one of tokenward's own (`readOnlyGrants` keeps those as
 * they are).
 */
export function frozenGrantList(grants: readonly Grant[]): readonly Grant[] {
  const copy = byIndex(grants);
  // `frozenGrant`'s `in` throws a TypeError for a hole or an entry that is not an object.
  for (let i = 0; i < copy.length; i++) copy[i] = frozenGrant(copy[i]!);
  const list = Object.freeze(copy);
  made.add(list);
  return list;
}

/**
 * The lists `frozenGrantList` made: plain frozen arrays of plain frozen
 * grants of data properties, which nothing can change. Only these are held
 * by a principal as they are. A list that merely looks frozen is not
 * trusted (outside review, issue 12): a frozen grant can still answer
 * through a getter, a prototype that changes, or private fields of a
 * frozen class instance, and a frozen array can carry its own iterator.
 */
const made = new WeakSet<readonly Grant[]>();

/**
 * @internal Grants as a principal holds them: frozen through and through.
 * A list tokenward made (the stores' lists, a limited token's own) is kept
 * as it is; any other — an owner's grants as a directory answers them,
 * often the application's live table — is copied, so that neither can a
 * principal's holder change the directory through it nor a later change of
 * the directory change a principal already made.
 *
 * @throws {TypeError} for anything but an array of grant objects (`frozenGrantList`).
 */
export function readOnlyGrants(grants: GrantSet): GrantSet {
  if (grants === 'all' || made.has(grants)) return grants;
  const copy = copies.get(grants);
  if (copy !== undefined && sameGrants(grants, copy)) return copy;
  const fresh = frozenGrantList(grants);
  copies.set(grants, fresh);
  return fresh;
}

/**
 * The frozen copy last made of a list that is not frozen, by the list
 * itself: a directory hands out the same list for every verification of its
 * user's tokens, and copying it each time cost about 5 % of a memory
 * verification (issue 12). A copy is reused only while the list still says
 * exactly what the copy says, checked on every use (`sameGrants`), so a
 * change of the directory's list shows at once. Weak: an entry goes with
 * its list, so this holds no more than the directory does.
 */
const copies = new WeakMap<readonly Grant[], readonly Grant[]>();

/** Whether `copy` is what `frozenGrant` would make of each grant of `list` now. */
function sameGrants(list: readonly Grant[], copy: readonly Grant[]): boolean {
  if (list.length !== copy.length) return false;
  for (let i = 0; i < list.length; i++) if (!sameGrant(list[i]!, copy[i]!)) return false;
  return true;
}

function sameGrant(grant: Grant, copy: Grant): boolean {
  if ('bucket' in grant) return 'bucket' in copy && grant.bucket === copy.bucket && grant.access === copy.access;
  if ('component' in grant) {
    if (!('component' in copy) || grant.component !== copy.component) return false;
    const actions = grant.actions;
    const copied = copy.actions;
    if (actions === undefined || copied === undefined) return actions === copied;
    if (actions.length !== copied.length) return false;
    for (let i = 0; i < actions.length; i++) if (actions[i] !== copied[i]) return false;
    return true;
  }
  return 'scope' in copy && grant.scope === copy.scope;
}
