/**
 * @internal How the CLI answers: tables like Tengri's (`+----+`) for
 * people, one JSON document for scripts (`--json`). Secrets go to stdout
 * only, once, and never into an error.
 */
import type { DirectoryAuditInfo, DirectoryRoleInfo, DirectoryUserInfo } from '../service/directory-types.js';
import { timestamp } from '../sql/answers.js';
import { formatTable } from '../sql/table.js';
import type { ResultValue, StatementResult } from '../sql/types.js';
import type { Globals } from './args.js';
import { grantsText } from './grants.js';
import { type CliIo, write } from './io.js';

/** What a command answers: the JSON for scripts, and the tables (or lines) for people. */
export interface Answer {
  readonly json: unknown;
  readonly tables: readonly (StatementResult | string)[];
  /**
   * For an answer holding a secret: called when the output was closed
   * before the answer could be written (the secret is lost to its caller);
   * takes the secret back if the command can and answers what to say on stderr.
   */
  readonly undelivered?: () => Promise<string>;
}

export function table(columns: readonly string[], rows: readonly (readonly ResultValue[])[]): StatementResult {
  return { columns, rows, secretColumns: [] };
}

/** Prints an answer in the form the command line asked for. */
export async function print(io: CliIo, globals: Globals, answer: Answer): Promise<void> {
  if (globals.json) {
    await write(io.stdout, `${JSON.stringify(answer.json)}\n`);
    return;
  }
  for (const part of answer.tables) await write(io.stdout, typeof part === 'string' ? part : formatTable(part));
}

export const USER_COLUMNS = ['name', 'admin', 'active', 'roles', 'grants', 'effective_grants', 'updated_at'] as const;

export function userRow(user: DirectoryUserInfo): ResultValue[] {
  return [
    user.name,
    user.admin,
    user.active,
    user.roles.join(', '),
    grantsText(user.grants),
    grantsText(user.effectiveGrants),
    timestamp(user.updatedAt),
  ];
}

export const ROLE_COLUMNS = ['name', 'grants', 'updated_at'] as const;

export function roleRow(role: DirectoryRoleInfo): ResultValue[] {
  return [role.name, grantsText(role.grants), timestamp(role.updatedAt)];
}

export const AUDIT_COLUMNS = ['at', 'actor', 'action', 'subject', 'changes'] as const;

export function auditRow(entry: DirectoryAuditInfo): ResultValue[] {
  return [timestamp(entry.at), entry.actor, entry.action, entry.subject, JSON.stringify(entry.changes)];
}
