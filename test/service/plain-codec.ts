import type { SessionClaims, SessionCodec } from '../../src/core/format-types.js';

/** A session codec that writes its claims in the clear: enough to test what the service does with them. */
export const plainCodec: SessionCodec = {
  kind: 'plain',
  sign: async (claims) => `sess.${JSON.stringify(claims)}`,
  parse: async (token) => (token.startsWith('sess.') ? (JSON.parse(token.slice(5)) as SessionClaims) : null),
  looksLike: (token) => token.startsWith('sess.'),
};
