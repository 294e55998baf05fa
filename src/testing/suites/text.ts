/**
 * @internal Conformance: text comes back exactly as it was stored. The
 * service hands a store only well-formed NFC text (see docs/storage.md), but
 * records written before names were normalized may hold other forms, so a
 * store compares names by code points and never normalizes, folds or
 * re-encodes anything itself.
 */

import type { ContractContext } from '../context.js';
import { expect } from '../expect.js';
import { T0 } from '../fixtures.js';

/** Names a store must keep exactly: every script direction, joiners, astral characters, SQL and JSON metacharacters. */
export const STORED_NAMES: readonly string[] = [
  'café',
  'cafe\u0301',
  '👨\u200D👩\u200D👧',
  '🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}',
  'می\u200Cخواهم',
  'גיבוי 2',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  `it's "quoted" \\ 100% _x_`,
  '東京-ci',
];

/** Free text with what comments and details may hold: newlines, tabs, implicit direction marks, spaces at the ends. */
const STORED_TEXT = ' line 1\n\tline 2 גיבוי\u200E 2 😀\u200B ';

export function textContract({ repo, fx, describe, it }: ContractContext): void {
  describe('stored text', () => {
    it('returns names, comments and labels exactly as stored, by id, by name and in lists', async () => {
      const f = fx();
      const records = STORED_NAMES.map((name) => f.token({ name, comment: `${name}${STORED_TEXT}`, createdBy: name }));
      for (const record of records) await repo().insert(record, { now: T0 });
      for (const record of records) {
        expect(await repo().findById(record.id)).toEqual(record);
        expect(await repo().findByName(f.tenant, 'alice', record.name)).toEqual(record);
      }
      const page = await repo().list({
        tenant: f.tenant,
        owner: 'alice',
        includeExpired: true,
        includeRevoked: true,
        now: T0,
        limit: 100,
        cursor: null,
      });
      expect(new Set(page.items.map((record) => record.name))).toEqual(new Set(STORED_NAMES));
    });

    it('compares names by code points: an NFC and an NFD spelling are two names to a store', async () => {
      const f = fx();
      const composed = f.token({ name: 'café' });
      const decomposed = f.token({ name: 'cafe\u0301' });
      await repo().insert(composed, { now: T0 });
      await repo().insert(decomposed, { now: T0 });
      expect((await repo().findByName(f.tenant, 'alice', 'café'))?.id).toBe(composed.id);
      expect((await repo().findByName(f.tenant, 'alice', 'cafe\u0301'))?.id).toBe(decomposed.id);
      expect(await repo().findByName(f.tenant, 'alice', 'CAFÉ')).toBeNull();
    });

    it('returns event operations and details exactly as stored', async () => {
      const f = fx();
      const token = f.token();
      await repo().insert(token, { now: T0 });
      const detail = {
        note: STORED_TEXT,
        names: [...STORED_NAMES],
        nested: { 'clé é': 'cafe\u0301', empty: '', quote: '"\\' },
        number: 1.5,
        none: null,
      };
      const event = f.event(token.id, { type: 'used', operation: 'GET /cafés/👩', detail, at: T0 + 1 });
      await repo().appendEvent(event);
      const events = await repo().listEvents({ tokenId: token.id, limit: 10, cursor: null });
      expect(events.items).toEqual([event]);
    });
  });
}
