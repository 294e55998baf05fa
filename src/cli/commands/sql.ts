/** @internal `tokenward sql` and `tokenward shell`: Tengri's statements (docs/sql.md). */
import { readFileSync } from 'node:fs';
import { TokenError } from '../../core/errors.js';
import { StatementError } from '../../sql/errors.js';
import { stringOption } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../exit.js';
import { readAll, write } from '../io.js';
import { reportFailure, runScript } from '../statements.js';
import { runShell } from './shell.js';

async function scriptText(context: Parameters<Command['run']>[0]): Promise<{ text: string; source: string }> {
  const file = stringOption(context.values, 'file');
  const given = context.args[0];
  if ((file === undefined) === (given === undefined)) {
    throw new UsageError('give one statement text, or -f FILE (- for stdin)', 'sql');
  }
  if (given !== undefined) return { text: given, source: 'statement' };
  if (file === '-') return { text: await readAll(context.io.stdin), source: 'stdin' };
  try {
    return { text: readFileSync(file!, 'utf8'), source: file! };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new TokenError('invalid_request', `the script ${file} cannot be read (${String(code ?? 'error')})`, {
      field: 'file',
    });
  }
}

const sql: Command = {
  path: 'sql',
  summary: "run Tengri's token statements: CREATE / SHOW / ALTER / DROP API TOKEN …",
  usage: 'sql "STATEMENT; …" | sql -f FILE',
  description:
    'Runs each statement in order as the acting user, printing each answer (docs/sql.md). The whole text is parsed first: a ' +
    'statement error names its line and column and runs nothing (exit 4). A statement that fails stops the script and is ' +
    'named by the place it starts (file:line:column). Secrets (CREATE, ROTATE, CLAIM) are printed once, to stdout.',
  options: { file: { type: 'string', short: 'f' } },
  optionHelp: [['-f, --file FILE', 'read the statements from FILE (- for stdin)']],
  args: [0, 1],
  pepper: true,
  async run(context) {
    const { text, source } = await scriptText(context);
    const { service } = await context.session();
    const answers: Record<string, unknown>[] = [];
    let code: Awaited<ReturnType<typeof runScript>>;
    try {
      code = await runScript(context, service, text, source, async (answer) => {
        answers.push(answer);
      });
    } catch (error) {
      if (!(error instanceof StatementError)) throw error;
      return reportFailure(context, error, { source, line: error.line, column: error.column });
    } finally {
      if (context.globals.json) await write(context.io.stdout, `${JSON.stringify(answers)}\n`);
    }
    return code;
  },
};

const shell: Command = {
  path: 'shell',
  summary: 'an interactive statement shell, with history',
  usage: 'shell',
  description:
    'Type statements ending with ";" (they may span lines); \\q or quit to leave, help for the statements. History is kept ' +
    'in TOKENWARD_HISTORY (default ~/.tokenward_history) when the input is a terminal; a statement holding a claim code, a ' +
    'token or a session is never kept in it. When the input is not a terminal, input that ends inside a statement (after its last ";") runs none of that ' +
    'statement and fails with exit 4; the exit code is that of the last failed statement, if any.',
  args: [0, 0],
  pepper: true,
  async run(context) {
    const { service } = await context.session();
    return runShell(context, service);
  },
};

export const SQL_COMMANDS: readonly Command[] = [sql, shell];
