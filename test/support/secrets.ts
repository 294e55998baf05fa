const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * The ways a secret string could plausibly end up in a stored column: as is,
 * its UTF-8 bytes in hex or base64 (padded or not, base64url), and, for a
 * base62 string, the bytes it decodes to in the same encodings.
 */
export function secretEncodings(secret: string): string[] {
  const forms = (bytes: Buffer): string[] => [
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    bytes.toString('base64'),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
  ];
  const encodings = [secret, ...forms(Buffer.from(secret, 'utf8'))];
  if (/^[0-9A-Za-z]+$/.test(secret)) {
    let value = 0n;
    for (const char of secret) value = value * 62n + BigInt(BASE62.indexOf(char));
    const hex = value.toString(16);
    encodings.push(...forms(Buffer.from(hex.padStart(hex.length + (hex.length % 2), '0'), 'hex')));
  }
  return encodings;
}
