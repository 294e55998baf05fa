/**
 * tokenward/sql: Tengri's token statements (`CREATE / SHOW / ALTER / DROP API
 * TOKEN`, `DROP ALL API TOKENS FOR USER`, `ALTER USER|ROLE … SET API TOKEN
 * MAX DURATION`) and tokenward's extensions (rotate, share and claim,
 * limited tokens with grants, events, the policy explanation), parsed,
 * printed and run on the public `TokenService` API. docs/sql.md documents
 * every statement, its answer and its errors.
 *
 * Runtime-agnostic, like the core: no `node:` imports.
 *
 * @example
 * ```ts
 * import { executeStatement, formatTable, parseStatements } from 'tokenward/sql';
 * const actor = { tenant: 'acme', user: 'alice' };
 * for (const statement of parseStatements("CREATE API TOKEN ci_pipeline MAX DURATION '30d'; SHOW API TOKENS;")) {
 *   // CREATE answers the new secret once: show it to the person who asked, never write it to a log.
 *   reply(formatTable(await executeStatement(tokens, statement, actor)));
 * }
 * ```
 *
 * @packageDocumentation
 */

export { StatementError } from './errors.js';
export { type ExecuteOptions, executeStatement } from './executor.js';
export { parseStatements } from './parser.js';
export { printGrantList, printStatement, printStatements, quoteName, quoteString } from './printer.js';
export { displayWidth, formatTable } from './table.js';
export type * from './types.js';
