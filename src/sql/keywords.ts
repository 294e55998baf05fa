/**
 * @internal The keywords of `tokenward/sql`. Every one is reserved: as a
 * name it must be double-quoted (`DROP API TOKEN "comment"`), so a name can
 * never be mistaken for the clause that may follow it.
 */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'ADMINISTRATIVE',
  'ALL',
  'ALTER',
  'API',
  'BUCKET',
  'CLAIM',
  'COMMENT',
  'COMPONENT',
  'CONFIGURE',
  'CREATE',
  'DISABLE',
  'DROP',
  'DURATION',
  'ENABLE',
  'EVENTS',
  'EXISTS',
  'EXPIRED',
  'EXPIRING',
  'FOR',
  'GRACE',
  'GRANTS',
  'IF',
  'INCLUDE',
  'LIMIT',
  'LIMITED',
  'MAX',
  'META',
  'ON',
  'PERIOD',
  'PERSONAL',
  'READ',
  'RENAME',
  'REVOKED',
  'ROLE',
  'ROTATE',
  'RUN',
  'SCOPE',
  'SET',
  'SHARE',
  'SHOW',
  'TO',
  'TOKEN',
  'TOKENS',
  'UNLIMITED',
  'UNSET',
  'USER',
  'USERS',
  'VALID',
  'WITHIN',
  'WRITE',
]);

/**
 * Upper case for ASCII letters only. Keywords are matched case-insensitively
 * in ASCII alone, so no Unicode case mapping (`ſ` → `S`, dotless `ı` → `I`)
 * turns a name into a keyword.
 */
export function asciiUpper(word: string): string {
  return word.replace(/[a-z]/g, (letter) => String.fromCharCode(letter.charCodeAt(0) - 32));
}

/** True when `word`, in any ASCII case, is a keyword. */
export function isKeyword(word: string): boolean {
  return KEYWORDS.has(asciiUpper(word));
}
