/** @internal The CLI's `--help` texts: the command list, each command's, and the options and exit codes they share. */
import type { Command } from './command.js';

export const GLOBAL_HELP: readonly (readonly [string, string])[] = [
  ['--db PATH|URL', 'a SQLite file, or a postgres:// URL (default: $DATABASE_URL, else ./tokenward.db)'],
  ['--schema NAME', 'the PostgreSQL schema of the tables (default public)'],
  ['--pepper-file FILE', 'read the pepper from FILE (default: $TOKENWARD_PEPPER)'],
  ['--as USER', 'act as this user of the tenant (default: the operator, with every right)'],
  ['--tenant TENANT', 'the tenant to act in (default: $TOKENWARD_TENANT, else default)'],
  ['--prefix PREFIX', 'the token prefix (default: $TOKENWARD_PREFIX, else tw)'],
  ['--json', 'answer with one JSON document (errors as JSON on stderr)'],
  ['-h, --help', 'show help'],
];

export const EXIT_HELP: readonly (readonly [string, string])[] = [
  ['0', 'done (verify: the token is valid)'],
  ['1', 'the command failed: its error code and message are on stderr'],
  ['2', 'the command line is wrong'],
  ['3', 'the token is not valid (invalid, expired or revoked)'],
  ['4', 'a statement could not be parsed (its line and column are on stderr)'],
  ['5', 'the database driver is not installed (npm install better-sqlite3, or pg)'],
  ['6', 'the store is unavailable (locked, down or unreachable): nothing was done'],
  ['7', 'the output was closed before the answer was written (a reader such as head stopped)'],
];

function rows(items: readonly (readonly [string, string])[]): string {
  const width = Math.max(...items.map(([name]) => name.length));
  return items.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`).join('\n');
}

/** `tokenward --help`. */
export function mainHelp(commands: readonly Command[]): string {
  return `tokenward: API tokens from the command line, on a SQLite file or PostgreSQL.

Usage: tokenward COMMAND [ARGUMENTS] [OPTIONS]

Commands:
${rows(commands.map((command) => [command.path, command.summary]))}

Options of every command:
${rows(GLOBAL_HELP)}

Exit codes:
${rows(EXIT_HELP)}

tokenward COMMAND --help shows a command's arguments and options (docs/cli.md).
`;
}

/** `tokenward COMMAND --help`. */
export function commandHelp(command: Command): string {
  const own = command.optionHelp === undefined ? '' : `\nOptions:\n${rows(command.optionHelp)}\n`;
  const about = command.description === undefined ? '' : `\n${command.description}\n`;
  const needs = command.pepper ? '\nNeeds the pepper ($TOKENWARD_PEPPER or --pepper-file).\n' : '';
  return `Usage: tokenward ${command.usage}

${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.
${about}${own}${needs}
Options of every command:
${rows(GLOBAL_HELP)}

Exit codes:
${rows(EXIT_HELP)}
`;
}

/** `tokenward users --help`: a group's commands. */
export function groupHelp(group: string, commands: readonly Command[]): string {
  return `Usage: tokenward ${group} COMMAND [ARGUMENTS] [OPTIONS]

${rows(commands.map((command) => [command.usage, command.summary]))}

tokenward ${group} COMMAND --help shows a command's options.
`;
}
