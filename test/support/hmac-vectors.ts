/** Test vectors shared by the HMAC and hasher tests. */

const bytesOf = (text: string) => new TextEncoder().encode(text);
const filled = (length: number, byte: number) => new Uint8Array(length).fill(byte);

// RFC 4231 §4, every test case (HMAC-SHA-256 column). Case 5 is truncated to
// 128 bits by the RFC; the others are the full 256 bits.
export const RFC4231 = [
  {
    case: 1,
    key: filled(20, 0x0b),
    data: bytesOf('Hi There'),
    mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
  },
  {
    case: 2,
    key: bytesOf('Jefe'),
    data: bytesOf('what do ya want for nothing?'),
    mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  },
  {
    case: 3,
    key: filled(20, 0xaa),
    data: filled(50, 0xdd),
    mac: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
  },
  {
    case: 4,
    key: Uint8Array.from({ length: 25 }, (_, i) => i + 1),
    data: filled(50, 0xcd),
    mac: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
  },
  { case: 5, key: filled(20, 0x0c), data: bytesOf('Test With Truncation'), mac: 'a3b6167473100ee06e0c796c2955552b' },
  {
    case: 6,
    key: filled(131, 0xaa),
    data: bytesOf('Test Using Larger Than Block-Size Key - Hash Key First'),
    mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  },
  {
    case: 7,
    key: filled(131, 0xaa),
    data: bytesOf(
      'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
    ),
    mac: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
  },
];
