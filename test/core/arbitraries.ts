import fc from 'fast-check';
import type { Grant, GrantSet, Need } from '../../src/types.js';

/** Small name pools so generated grants and needs actually overlap. */
const bucketName = fc.constantFrom('in.c-csv-import', 'out.c-main', 'in.c-logs');
const componentName = fc.constantFrom('keboola.ex-db-mysql', 'keboola.wr-db');
const scopeName = fc.constantFrom('checkup_report_create', 'dblab_token_check', 'joe_session_create');

export const arbGrant: fc.Arbitrary<Grant> = fc.oneof(
  fc.record({ bucket: bucketName, access: fc.constantFrom('read' as const, 'write' as const) }),
  fc.record({ component: componentName }),
  fc.record({
    component: componentName,
    actions: fc.subarray(['run', 'configure'] as const, { minLength: 1 }).map((actions) => [...actions]),
  }),
  fc.record({ scope: scopeName }),
);

export const arbGrants: fc.Arbitrary<Grant[]> = fc.array(arbGrant, { maxLength: 6 });

export const arbGrantSet: fc.Arbitrary<GrantSet> = fc.oneof(
  { weight: 1, arbitrary: fc.constant('all' as const) },
  { weight: 5, arbitrary: arbGrants },
);

export const arbNeed: fc.Arbitrary<Need> = fc.oneof(
  fc.record({ bucket: bucketName, access: fc.constantFrom('read' as const, 'write' as const) }),
  fc.record({ component: componentName, action: fc.constantFrom('run' as const, 'configure' as const) }),
  fc.record({ scope: scopeName }),
);

/** Every need the generators can produce: grant sets are compared on all of them. */
export const ALL_NEEDS: Need[] = (() => {
  const needs: Need[] = [];
  for (const bucket of ['in.c-csv-import', 'out.c-main', 'in.c-logs']) {
    needs.push({ bucket, access: 'read' }, { bucket, access: 'write' });
  }
  for (const component of ['keboola.ex-db-mysql', 'keboola.wr-db']) {
    needs.push({ component, action: 'run' }, { component, action: 'configure' });
  }
  for (const scope of ['checkup_report_create', 'dblab_token_check', 'joe_session_create']) needs.push({ scope });
  return needs;
})();
