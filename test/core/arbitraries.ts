import fc from 'fast-check';
import type { Grant, GrantSet, Need } from '../../src/core/types.js';

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

/**
 * Strings of arbitrary UTF-16 code units, half of them pure ASCII (the
 * keyed hash reads those by character code, in one block up to 55
 * characters and in several beyond), the others mixing in any BMP unit,
 * paired and lone surrogates included.
 */
export const arbUtf16String: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary-ascii', maxLength: 200 }),
  fc.string({
    unit: fc
      .oneof(
        { weight: 4, arbitrary: fc.integer({ min: 0, max: 0x7f }) },
        { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xffff }) },
        { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }) },
      )
      .map((code) => String.fromCharCode(code)),
    maxLength: 200,
  }),
);
