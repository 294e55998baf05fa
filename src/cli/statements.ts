/**
 * @internal Running Tengri's statements for the CLI (`sql` and `shell`):
 * each statement on the public service API as the acting user, its answer
 * printed as it comes, and a failure named by where its statement starts.
 */
import type { TokenService } from '../service/token-service.js';
import { executeStatement } from '../sql/executor.js';
import { Lexer } from '../sql/lexer.js';
import { parseStatements } from '../sql/parser.js';
import { formatTable } from '../sql/table.js';
import type { ParsedStatement, SourcePosition, StatementResult } from '../sql/types.js';
import type { CommandContext } from './command.js';
import { looksLikeToken } from './db-path.js';
import { describeFailure, type ExitCode, exitCodeOf, type Place } from './exit.js';
import { write } from './io.js';

/** One statement's answer as `--json` prints it: its rows as objects keyed by column. */
export function resultJson(statement: ParsedStatement, result: StatementResult): Record<string, unknown> {
  return {
    statement: statement.kind,
    line: statement.span.start.line,
    column: statement.span.start.column,
    columns: result.columns,
    rows: result.rows.map((row) => Object.fromEntries(result.columns.map((column, i) => [column, row[i] ?? null]))),
  };
}

/** Prints a failure on stderr (JSON with `--json`) and answers its exit code. */
export async function reportFailure(context: CommandContext, error: unknown, place?: Place): Promise<ExitCode> {
  const { text, json } = describeFailure(error, place);
  await write(context.io.stderr, `${context.globals.json ? JSON.stringify(json) : text}\n`);
  return exitCodeOf(error);
}

/**
 * Parses `text` (a statement error is thrown with its line and column) and
 * runs its statements in order, printing each answer. Stops at the first
 * failure, which is reported with the place of its statement.
 */
export async function runScript(
  context: CommandContext,
  service: TokenService,
  text: string,
  source: string,
  onJson: (answer: Record<string, unknown>) => Promise<void>,
): Promise<ExitCode> {
  const statements = parseStatements(text);
  for (const statement of statements) {
    let result: StatementResult;
    try {
      result = await executeStatement(service, statement, context.actor, { tenant: context.globals.tenant });
    } catch (error) {
      const { line, column } = statement.span.start;
      return reportFailure(context, error, { source, line, column });
    }
    if (context.globals.json) await onJson(resultJson(statement, result));
    else await write(context.io.stdout, formatTable(result));
  }
  return 0;
}

/**
 * Where shell input stands: `empty` (nothing but spaces and comments),
 * `complete` (it ends with `;` outside any string, quoted name or comment),
 * or `open` (a statement or a string still going on). A lexical error other
 * than an open string or comment counts as complete, for the parser to report.
 */
export function inputState(text: string): 'empty' | 'complete' | 'open' {
  const lexer = new Lexer(text);
  let last: string | null = null;
  try {
    for (let lexeme = lexer.next(); lexeme.kind !== 'end'; lexeme = lexer.next()) {
      last = lexeme.kind === 'punct' ? lexeme.text : lexeme.kind;
    }
  } catch (error) {
    return error instanceof Error && /never closed/.test(error.message) ? 'open' : 'complete';
  }
  if (last === null) return 'empty';
  return last === ';' ? 'complete' : 'open';
}

/**
 * Where piped shell input that ended outside a string or comment but after
 * a statement's last word splits: `done` is the text up to and including
 * its last `;` (statements that ran as typed), `rest` where the unterminated
 * statement starts. Undefined when the input ends with `;` (or holds only
 * comments), or cannot be read at all (the parser reports that).
 */
export function unterminatedTail(text: string): { done: string; rest: SourcePosition } | undefined {
  const lexer = new Lexer(text);
  let doneAt = 0;
  let rest: SourcePosition | undefined;
  try {
    for (let lexeme = lexer.next(); lexeme.kind !== 'end'; lexeme = lexer.next()) {
      if (lexeme.kind === 'punct' && lexeme.text === ';') {
        doneAt = lexeme.end.offset;
        rest = undefined;
      } else {
        rest ??= lexeme.start;
      }
    }
  } catch {
    return undefined;
  }
  return rest === undefined ? undefined : { done: text.slice(0, doneAt), rest };
}

/**
 * True for shell input that must not be kept in any history: anything
 * shaped like a secret tokenward hands out (an opaque token of any prefix,
 * checksum or not; a claim code; a JWT token or session), or the word
 * `claim` anywhere (a `CLAIM` statement, or a claim code's
 * `<prefix>_claim_` head on a continuation line). Spaces and line breaks are
 * also looked through, so a secret split over the lines of one statement
 * is still seen. It errs on the side of leaving a line out.
 */
export function holdsSecret(text: string): boolean {
  return /claim/i.test(text) || looksLikeToken(text) || looksLikeToken(text.replace(/\s+/g, ''));
}
