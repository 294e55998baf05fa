/**
 * @internal Grants on the command line, one `--grant` each:
 * `bucket:NAME:read`, `bucket:NAME:write`, `component:NAME` (every action),
 * `component:NAME:run`, `component:NAME:configure`, `scope:NAME`; and how
 * tables show them, in the same words.
 */
import { invalid } from '../core/errors.js';
import { parseGrants } from '../core/grants.js';
import type { Grant, GrantSet } from '../core/types.js';

function one(text: string, field: string): Grant {
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  const last = rest.lastIndexOf(':');
  if (kind === 'scope' && rest !== '') return { scope: rest };
  if (kind === 'bucket' && last > 0) {
    const access = rest.slice(last + 1);
    if (access === 'read' || access === 'write') return { bucket: rest.slice(0, last), access };
  }
  if (kind === 'component' && rest !== '') {
    const action = rest.slice(last + 1);
    if (last > 0 && (action === 'run' || action === 'configure')) {
      return { component: rest.slice(0, last), actions: [action] };
    }
    return { component: rest };
  }
  throw invalid(field, 'must be bucket:NAME:read, bucket:NAME:write, component:NAME[:run|:configure] or scope:NAME');
}

/** The `--grant` values as grants, checked and in canonical form. */
export function parseGrantOptions(values: readonly string[], field = 'grant'): Grant[] {
  return parseGrants(
    values.map((value, index) => one(value, `${field}[${index}]`)),
    field,
  );
}

/** Grants as the command line writes them, comma-separated; `ALL` for everything. */
export function grantsText(grants: GrantSet | null): string | null {
  if (grants === null) return null;
  if (grants === 'all') return 'ALL';
  return grants
    .flatMap((grant) => {
      if ('bucket' in grant) return [`bucket:${grant.bucket}:${grant.access}`];
      if ('scope' in grant) return [`scope:${grant.scope}`];
      if (grant.actions === undefined) return [`component:${grant.component}`];
      return grant.actions.map((action) => `component:${grant.component}:${action}`);
    })
    .join(', ');
}
