/** The `verify` command: current, grace, retired, junk and mutated strings (SPEC §2, §3). */
import { type Command, expectVerification, type Real } from './checks.js';
import { isLive, type Model, type ModelToken } from './model.js';

/** `live`: the current secret of a live token; `current`: of any token, dead ones included. */
export type VerifyKind = 'live' | 'current' | 'grace' | 'retired' | 'garbage' | 'mutation';

export interface VerifyParams {
  readonly kind: VerifyKind;
  readonly pick: number;
  readonly position: number;
  readonly replacement: string;
  readonly garbage: string;
  readonly tenant: 'acme' | 'globex' | undefined;
}

function verifyCandidates(m: Model, kind: VerifyKind): ModelToken[] {
  if (kind === 'grace') return m.tokens.filter((token) => token.grace !== null);
  if (kind === 'retired') return m.tokens.filter((token) => token.retired.length > 0);
  if (kind === 'live') return m.tokens.filter((token) => isLive(token, m.now));
  return m.tokens;
}

export class VerifyCommand implements Command {
  constructor(readonly p: VerifyParams) {}
  check(m: Readonly<Model>): boolean {
    return this.p.kind === 'garbage' || verifyCandidates(m, this.p.kind).length > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    const p = this.p;
    const candidates = verifyCandidates(m, p.kind);
    const token = p.kind === 'garbage' ? null : candidates[p.pick % candidates.length]!;
    let text: string;
    // Whether the string is one this token accepts now (before looking at revocation, expiry and owner).
    let accepted = false;
    if (token === null) {
      text = p.garbage;
    } else if (p.kind === 'current' || p.kind === 'live') {
      text = token.current;
      accepted = !token.purged;
    } else if (p.kind === 'grace') {
      text = token.grace!.token;
      // The replaced secret works until the end of its grace period, never after.
      accepted = !token.purged && token.grace!.until > m.now;
    } else if (p.kind === 'retired') {
      text = token.retired[p.pick % token.retired.length]!;
    } else {
      // Any single-character change fails the checksum or the hash.
      const at = p.position % token.current.length;
      const original = token.current[at]!;
      const replacement = p.replacement === original ? (original === 'A' ? 'B' : 'A') : p.replacement;
      text = token.current.slice(0, at) + replacement + token.current.slice(at + 1);
    }
    // A secret in its grace period ends with it (SPEC §2).
    const graceUntil = p.kind === 'grace' ? token!.grace!.until : undefined;
    await expectVerification(m, r, token, text, accepted, p.tenant, this.toString(), graceUntil);
  }
  toString(): string {
    const p = this.p;
    const detail = p.kind === 'garbage' ? JSON.stringify(p.garbage) : `#${p.pick}`;
    const mutation = p.kind === 'mutation' ? ` at ${p.position} → ${JSON.stringify(p.replacement)}` : '';
    return `verify(${p.kind} ${detail}${mutation}${p.tenant === undefined ? '' : `, tenant ${p.tenant}`})`;
  }
}
