/**
 * @internal The statement shell: `node:readline` with history, statements
 * that may span lines (run once a `;` ends them outside any string or
 * comment), and failures reported without ending the session.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { TokenService } from '../../service/token-service.js';
import { StatementError } from '../../sql/errors.js';
import type { CommandContext } from '../command.js';
import { EXIT, type ExitCode } from '../exit.js';
import { OutputClosed, write } from '../io.js';
import { holdsSecret, inputState, reportFailure, runScript, unterminatedTail } from '../statements.js';

const PROMPT = 'tokenward> ';
const MORE = '        -> ';
const HISTORY_SIZE = 1000;

const HELP = `Statements end with ";" and may span lines (docs/sql.md):
  CREATE [PERSONAL | LIMITED | ADMINISTRATIVE] API TOKEN [name] [FOR USER u] [MAX DURATION 'd'] [COMMENT 'c'] [GRANTS (...)];
  SHOW [ADMINISTRATIVE] API TOKENS [FOR USER u | FOR ALL USERS] [INCLUDE EXPIRED, REVOKED] [LIMIT n];
  ALTER API TOKEN name [FOR USER u] SET COMMENT 'c';     ALTER API TOKEN name [FOR USER u] ROTATE [GRACE PERIOD 'd'];
  DROP API TOKEN [IF EXISTS] name [FOR USER u];          DROP ALL API TOKENS FOR USER u;
  ALTER USER u SET API TOKEN MAX DURATION 'd';           ALTER ROLE r SET API TOKEN MAX DURATION 'd';
  SHOW API TOKEN MAX DURATION [FOR USER u];              SHARE API TOKEN name [VALID FOR 'd'];
  CLAIM API TOKEN 'code';                                SHOW EVENTS FOR API TOKEN name [LIMIT n];
\\q or quit leaves; help shows this.
`;

function historyFile(context: CommandContext): string {
  return context.io.env.TOKENWARD_HISTORY ?? join(homedir(), '.tokenward_history');
}

function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !holdsSecret(line))
      .reverse()
      .slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

function saveHistory(file: string, history: readonly string[]): void {
  try {
    const kept = history
      .filter((line) => !holdsSecret(line))
      .slice(0, HISTORY_SIZE)
      .reverse();
    writeFileSync(file, kept.length === 0 ? '' : `${kept.join('\n')}\n`, { mode: 0o600 });
  } catch {
    // History is a convenience: a folder that cannot be written must not end the session.
  }
}

/** Runs the shell until its input ends or `\q`; the exit code as `shell`'s `--help` says. */
export async function runShell(context: CommandContext, service: TokenService): Promise<ExitCode> {
  const interactive = context.io.stdin.isTTY === true;
  const file = interactive ? historyFile(context) : undefined;
  const lines: Interface = createInterface({
    input: context.io.stdin,
    ...(interactive ? { output: context.io.stdout, terminal: true } : { terminal: false }),
    history: file === undefined ? [] : loadHistory(file),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
  });
  const history = lines as unknown as { history: string[] };
  const prompt = (text: string): void => {
    if (interactive) {
      lines.setPrompt(text);
      lines.prompt();
    }
  };
  let buffer = '';
  let typed: string[] = [];
  let startLine = 1;
  let lineNumber = 0;
  let last: ExitCode = EXIT.ok;
  prompt(PROMPT);
  for await (const line of lines) {
    lineNumber += 1;
    if (buffer === '') {
      const command = line.trim();
      if (command === '') {
        prompt(PROMPT);
        continue;
      }
      if (/^(\\q|quit|exit)$/i.test(command)) break;
      if (/^(\\h|\\\?|help)$/i.test(command)) {
        await write(context.io.stdout, HELP);
        prompt(PROMPT);
        continue;
      }
      startLine = lineNumber;
    }
    buffer = buffer === '' ? line : `${buffer}\n${line}`;
    typed.push(line);
    // A statement holding a secret stays out of the history whole, even of this session.
    if (interactive && holdsSecret(buffer)) {
      forget(history.history, typed);
      typed = [];
    }
    const state = inputState(buffer);
    if (state !== 'complete') {
      // Only comments so far: nothing to wait for.
      if (state === 'empty') {
        buffer = '';
        typed = [];
      }
      prompt(state === 'empty' ? PROMPT : MORE);
      continue;
    }
    const text = buffer;
    buffer = '';
    typed = [];
    last = (await runChunk(context, service, text, startLine)) ?? last;
    prompt(PROMPT);
  }
  lines.close();
  if (!interactive && inputState(buffer) === 'open')
    last = (await finishInput(context, service, buffer, startLine)) ?? last;
  if (file !== undefined) saveHistory(file, history.history);
  return interactive ? EXIT.ok : last;
}

/**
 * Input that ended inside a statement: a pipe or file cut short (`| head -c`)
 * must not run the statement's first words as if they were all of it. What
 * came before its last `;` runs as typed; the unterminated statement is a
 * statement error (exit 4) and none of it runs. An open string or comment is
 * reported as `sql` would report the same text.
 */
async function finishInput(
  context: CommandContext,
  service: TokenService,
  text: string,
  startLine: number,
): Promise<ExitCode | undefined> {
  const tail = unterminatedTail(text);
  if (tail === undefined) return runChunk(context, service, text, startLine);
  // The statements before it answer first, as they would have with their `;` read.
  if (tail.done.trim() !== '') await runChunk(context, service, tail.done, startLine);
  const at = { ...tail.rest, line: tail.rest.line + startLine - 1 };
  const error = new StatementError(at, 'the input ended before this statement\'s ";": none of it ran');
  return reportFailure(context, error, { source: 'shell', line: at.line, column: at.column });
}

/** Takes the lines of one statement out of readline's history (newest first; each line once). */
function forget(history: string[], lines: readonly string[]): void {
  for (const line of lines) {
    const at = history.indexOf(line);
    if (at !== -1) history.splice(at, 1);
  }
}

/** Runs what was typed; answers the exit code of a failure, if one happened. */
async function runChunk(
  context: CommandContext,
  service: TokenService,
  text: string,
  startLine: number,
): Promise<ExitCode | undefined> {
  // Lines count from the session's start, so an error points where it was typed.
  const source = 'shell';
  const padded = '\n'.repeat(startLine - 1) + text;
  try {
    const code = await runScript(context, service, padded, source, (answer) =>
      write(context.io.stdout, `${JSON.stringify(answer)}\n`),
    );
    return code === EXIT.ok ? undefined : code;
  } catch (error) {
    // Output nobody reads any more ends the session (the CLI exits with EXIT.outputClosed).
    if (error instanceof OutputClosed) throw error;
    // Anything else (the store gone, say) is reported too: the session goes on.
    const place = error instanceof StatementError ? { source, line: error.line, column: error.column } : undefined;
    return reportFailure(context, error, place);
  }
}
