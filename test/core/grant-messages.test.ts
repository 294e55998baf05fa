/**
 * Grant-list refusals read as one sentence after the field they name
 * (`grants must hold at most 1000 grants`, not `grants at most 1000 grants`),
 * for every way a grant list can be wrong, and name the field.
 */
import { describe, expect, it } from 'vitest';
import { parseGrants } from '../../src/core/grants.js';

// A message begins with the field, then a verb: "must …", "has …", "is …".
const SENTENCE = /^grants(\[\d+\])? (must|has|is) /;

describe('parseGrants refusals', () => {
  it.each([
    ['too many', Array.from({ length: 1001 }, (_, i) => ({ scope: `s${i}` }))],
    ['not a list', 'x'],
    ['an item that is no object', [7]],
    ['a bad bucket name', [{ bucket: '', access: 'read' }]],
    ['a bad access', [{ bucket: 'in.c-a', access: 'all' }]],
    ['a bucket grant with more', [{ bucket: 'in.c-a', access: 'read', scope: 'x' }]],
    ['a bad component name', [{ component: '' }]],
    ['a component grant with more', [{ component: 'c', colour: 'red' }]],
    ['bad actions', [{ component: 'c', actions: [] }]],
    ['a bad scope name', [{ scope: '' }]],
    ['a scope grant with more', [{ scope: 's', colour: 'red' }]],
    ['no kind', [{ colour: 'red' }]],
  ])('%s: one sentence after the field', (_what, input) => {
    let message = '';
    try {
      parseGrants(input);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(SENTENCE);
    expect(message).not.toMatch(/^grants at most/);
  });
});
