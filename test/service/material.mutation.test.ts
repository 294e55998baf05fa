/**
 * What a new token is made of (src/service/material.ts) against written
 * answers (issue 15): the material the format encodes, at issue and after a
 * rotation, and the record and event a new token is stored with.
 */
import { describe, expect, it } from 'vitest';
import { opaqueFormat } from '../../src/core/format.js';
import type { TokenFormat, TokenMaterial } from '../../src/core/format-types.js';
import { ANALYST, makeHarness } from '../support/service.js';

const HOUR = 3_600_000;

/** The opaque format, keeping what it was asked to encode. */
function recordingFormat(): { format: TokenFormat; encoded: TokenMaterial[] } {
  const inner = opaqueFormat('acme');
  const encoded: TokenMaterial[] = [];
  const format: TokenFormat = {
    kind: inner.kind,
    encode: (material) => {
      encoded.push(material);
      return inner.encode(material);
    },
    parse: (token) => inner.parse(token),
    looksLike: (token) => inner.looksLike(token),
  };
  return { format, encoded };
}

describe('the material a token string is encoded from', () => {
  it('at issue: the record id, the secret in the string, its type, tenant, owner, creation and expiry', async () => {
    const { format, encoded } = recordingFormat();
    const h = makeHarness({ format });
    const createdAt = h.clock.now();
    const { token, info } = await h.service.issue({ ttl: '1h' }, ANALYST);
    expect(encoded).toHaveLength(1);
    const [material] = encoded;
    expect(material).toEqual({
      id: info.id,
      secret: material!.secret,
      type: 'personal',
      tenant: 'acme',
      owner: 'analyst',
      issuedAt: createdAt,
      expiresAt: createdAt + HOUR,
    });
    expect(material!.secret).toMatch(/^[0-9A-Za-z]{30}$/);
    expect(token).toContain(material!.secret);
  });

  it('after a rotation: issued when it was rotated, with a new secret', async () => {
    const { format, encoded } = recordingFormat();
    const h = makeHarness({ format });
    const { info } = await h.service.issue({}, ANALYST);
    h.clock.advance(HOUR);
    await h.service.rotate(info.id, ANALYST);
    expect(encoded).toHaveLength(2);
    expect(encoded[1]).toMatchObject({ id: info.id, issuedAt: h.clock.now(), expiresAt: info.expiresAt?.getTime() });
    expect(encoded[1]!.issuedAt).toBe(encoded[0]!.issuedAt + HOUR);
    expect(encoded[1]!.secret).not.toBe(encoded[0]!.secret);
  });
});

describe('a new token as stored', () => {
  it('starts enabled, without meta, history or previous secret, at version 1; its event is "issued" now', async () => {
    const h = makeHarness();
    const createdAt = h.clock.now();
    const { info } = await h.service.issue({ name: 'etl' }, ANALYST);
    const stored = await h.repository.findById(info.id);
    expect(stored).toMatchObject({
      id: info.id,
      meta: null,
      enabled: true,
      pepperVersion: 1,
      lookupHash: null,
      previousSecretHash: null,
      previousPepperVersion: null,
      previousExpiresAt: null,
      createdAt,
      revokedAt: null,
      rotatedAt: null,
      lastUsedAt: null,
      version: 1,
    });
    expect(stored!.secretHash).toEqual(expect.any(String));
    h.clock.advance(1);
    const [event] = (await h.service.events(info.id, ANALYST)).items;
    expect(event).toMatchObject({
      tokenId: info.id,
      tenant: 'acme',
      type: 'issued',
      operation: 'issued',
      actor: 'user:analyst',
      at: new Date(createdAt),
    });
    expect(event!.id).not.toBe(info.id);
  });
});
