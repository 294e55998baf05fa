import { describe, expect, it } from 'vitest';
import { staticDirectory } from '../../src/core/directory.js';
import { createPepperRing, portableHasher } from '../../src/core/hashing.js';
import type { ClaimRecord, TokenRecord } from '../../src/core/types.js';
import { nodeHasher } from '../../src/node/index.js';
import { createTokenService } from '../../src/service/index.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { testRecord } from '../support/records.js';

// Made by the previous keyed hash (@noble/hashes, commit 6fe1398): the
// stored format must not change under the new one, or every stored token
// stops verifying.
const P1 = 'legacy-pepper-one-0123456789abcdefghijklmnop';
const P2 = 'legacy-pepper-two-0123456789abcdefghijklmnop';

const PREVIOUS_HASHES: readonly (readonly [string, string])[] = [
  ['', '82Z3MCKUlh3pH9bqgfzzJiFV0ssFV3EvQCfeO0hAYo4'],
  ['abc', 'Ucclnbw0UnLvUg75wdAXALTWGGUhhJl5Cd5jOJrLS_Y'],
  ['a'.repeat(55), 'OhzglyqwPtvwUylNr-vNsGa9Yi3TgCXRwvPB0oHdff4'],
  ['a'.repeat(56), '4w580KECoidup3-1iPURHXfucNQa2fBo1rNqlT8uelo'],
  ['b'.repeat(64), 'rhNXH0S_jqp8FFI63kmhwD_vdXY15eVI7Js6XIjFbhQ'],
  ['c'.repeat(300), 'knQSG9npNwBDRnOFKqHUqLshigRKFbT1qCykCog53fI'],
  ['déjà vu', 'KEzq5o9kE4PV6CsxDSGLPShHUjvFznuUm_SEd2XjZuk'],
  ['\u{1F600} ok', 'Gqd-ZtJ-yWH2GVA1pC4K62REjfONcLvDqz2rSo_Dl4U'],
  ['lone \uD800 high', 'SboYWiY8q0n9J2Y7HjbtpPhB_2FH6HmA9_xEIuGuyM0'],
  ['lone \uDC00 low', 'hS1bA9wueyKpkZoxMxpift7chVx8Ie6vTIdWDNmnZRg'],
  ['\u0000\u007f\u0080\u07ff\u0800\uffff', 'egLlAxnQkvMOX5ql1xBX3jC97bjepns1mKVb_ppZykg'],
];

// Issued by the previous version under pepper 1, then the first rotated
// under pepper 2 with a one-hour grace period and the second shared.
const NOW = 1767225601000;
const TOKENS = {
  rotatedOld: 'acme_p_01KDVDNA00CQ57APDTTM6HVEFYATckj4Clr84ZcvBhymZekGMNlDtI6i1f1I9r',
  rotatedNew: 'acme_p_01KDVDNA00CQ57APDTTM6HVEFYsLLPMX9uCbdzHNKE5vTHV8865OUiJV3QnmfJ',
  kept: 'acme_p_01KDVDNA00CQ57APDTTM6HVEG0g81CyuIxs6ED1AfsrO5eQMzXAijadt42nMXe',
  claimCode: 'acme_claim_iz1f30AhbXku4WTqrbcxupo0HqkyIzfNUvdsp5N6',
};
const created = { createdAt: 1767225600000, expiresAt: 1769817600000 };
const RECORDS: readonly TokenRecord[] = [
  testRecord('01KDVDNA00CQ57APDTTM6HVEFY', {
    ...created,
    name: 'rotated',
    secretHash: 'DboXLljh6ERXyn8af-A8wkmAnBg26AbfAPDN6LqVAWQ',
    pepperVersion: 2,
    previousSecretHash: '0hmijt9lzB1eY-sdot-725-WkcpF_uymRblP_Tmi504',
    previousPepperVersion: 1,
    previousExpiresAt: 1767229201000,
    rotatedAt: NOW,
    version: 2,
  }),
  testRecord('01KDVDNA00CQ57APDTTM6HVEG0', {
    ...created,
    name: 'kept',
    secretHash: 'Ng7Ph2zLZ5ovzcAPAx9xceyaBm6g1_f7JpVbNQsz06Q',
  }),
];
const CLAIM: ClaimRecord = {
  codeHash: 'ZAcfT-UaIqNDLQnoowesPduCDBGaY9GQaNgQJRHN5-M',
  tokenId: '01KDVDNA00CQ57APDTTM6HVEG0',
  tenant: 'acme',
  createdAt: NOW,
  expiresAt: 1767830401000,
  createdBy: 'user:alice',
};

describe.each([
  { name: 'portableHasher (default)', hasher: portableHasher },
  { name: 'nodeHasher', hasher: nodeHasher },
])('hashes stored before the change, $name', ({ hasher }) => {
  it.each(PREVIOUS_HASHES)('hashes %j as before', (secret, stored) => {
    const ring = createPepperRing(P1, hasher);
    expect(ring.hash(secret, 1)).toBe(stored);
    expect(ring.matches(secret, 1, stored)).toBe(true);
  });

  it('verifies the tokens and redeems the claim code the previous version stored', async () => {
    const repository = memoryRepository();
    for (const record of RECORDS) await repository.insert(record, { now: NOW });
    await repository.insertClaim(CLAIM);
    const service = createTokenService({
      repository,
      pepper: { current: 2, peppers: { 1: P1, 2: P2 } },
      prefix: 'acme',
      directory: staticDirectory({ acme: { alice: { admin: true } } }),
      now: () => NOW + 60_000,
      hasher,
    });
    // The rotated token's old secret (pepper 1, in its grace period) and new one (pepper 2).
    expect((await service.verify(TOKENS.rotatedOld)).tokenId).toBe(RECORDS[0]!.id);
    expect((await service.verify(TOKENS.rotatedNew)).tokenId).toBe(RECORDS[0]!.id);
    expect((await service.verify(TOKENS.kept)).tokenId).toBe(RECORDS[1]!.id);
    const claimed = await service.claim(TOKENS.claimCode);
    expect(claimed.info.id).toBe(RECORDS[1]!.id);
    expect((await service.verify(claimed.token)).tokenId).toBe(RECORDS[1]!.id);
  });
});
