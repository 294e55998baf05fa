/**
 * A token issued before issue 12 (one-pass parsing, the verification fast
 * path, the memory store's rows) verifies after it, with the same answer:
 * the fixture holds tokens made by the earlier code, the records it stored
 * and what its `verify` answered, for every type, a revoked token, a
 * rotation within its grace period and a token under another pepper.
 */
import { describe, expect, it } from 'vitest';
import { staticDirectory } from '../../src/core/directory.js';
import type { TokenRecord } from '../../src/core/types.js';
import { nodeHasher } from '../../src/node/index.js';
import { createTokenService } from '../../src/service/index.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import before from './fixtures/tokens-before-issue-12.json' with { type: 'json' };

const directory = staticDirectory({
  acme: {
    alice: { grants: [{ bucket: 'main', access: 'write' }, { scope: 'reports' }] },
    root: { admin: true },
  },
});

/** The stored `previousExpiresAt` of the fixture's rotated token. */
const ROTATED_GRACE_ENDS = before.records.find((record) => record.name === 'rotated')!.previousExpiresAt;

describe('tokens issued before issue 12', () => {
  for (const hasher of ['default', 'nodeHasher'] as const) {
    it(`verify as they did, on records stored before (${hasher})`, async () => {
      const repository = memoryRepository();
      for (const record of before.records) await repository.insert(record as TokenRecord, { now: before.now });
      const service = createTokenService({
        repository,
        directory,
        prefix: 'acme',
        pepper: { current: 2, peppers: { 1: before.P1, 2: before.P2 } },
        now: () => before.now,
        ...(hasher === 'nodeHasher' ? { hasher: nodeHasher } : {}),
      });
      for (const [name, token] of Object.entries(before.tokens)) {
        const recorded = before.outcomes[name as keyof typeof before.outcomes];
        // One answer changed on purpose since: a secret in its grace period now ends when the grace
        // does (SPEC §2; the security review of 2026-11), not with its token.
        const expected = name === 'rotatedOld' ? { ...recorded, expiresAt: ROTATED_GRACE_ENDS } : recorded;
        const answer = await service.verify(token).then(
          (principal) => ({ ...principal, expiresAt: principal.expiresAt?.getTime() ?? null }),
          (error: { code: string }) => ({ error: error.code }),
        );
        expect(answer, name).toMatchObject(expected);
      }
    });
  }
});
