// Runs of base64url characters and dots: the only places a compact JWT can be.
// One character class, so matching is linear whatever the input.
const WORD = /[A-Za-z0-9_.-]+/g;

/**
 * Hides the claims and signature of every JWT in `text`, keeping only its
 * header (algorithm, `kid`, `typ`: enough to tell which key and kind of
 * token, useless to use it) and anything glued before it, such as a
 * tokenward prefix. A tokenward JWT's claims hold its secret, so they must
 * never reach a log. Text without JWTs comes back unchanged. A JWT is three
 * dot-separated segments whose first contains `eyJ` (base64url of `{"`);
 * redacting a little too much is harmless, too little is not.
 *
 * @example
 * ```ts
 * import { redactJwt } from 'tokenward/jwt';
 * logger.warn(redactJwt(`rejected ${header}`)); // → "rejected <jwt header>.[redacted]"
 * ```
 */
export function redactJwt(text: string): string {
  if (typeof text !== 'string') return '';
  return text.replace(WORD, (word) => (word.includes('eyJ') && word.includes('.') ? redactWord(word) : word));
}

/** Replaces the two segments after each segment containing `eyJ` by one `[redacted]`. */
function redactWord(word: string): string {
  const parts = word.split('.');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    out.push(part);
    if (part.includes('eyJ') && i + 2 < parts.length && parts[i + 1] !== '') {
      out.push('[redacted]');
      i += 2;
    }
  }
  return out.join('.');
}
