import { expect } from 'vitest';
import type { TokenService } from '../../src/service/token-service.js';
import type { Actor } from '../../src/service/types.js';
import type { ExecuteOptions } from '../../src/sql/executor.js';
import { executeStatement } from '../../src/sql/executor.js';
import { parseStatements } from '../../src/sql/parser.js';
import type { ResultValue, StatementResult } from '../../src/sql/types.js';

/** Runs every statement of `text` in order and returns the answers. */
export async function run(
  service: TokenService,
  text: string,
  actor: Actor,
  options?: ExecuteOptions,
): Promise<StatementResult[]> {
  const answers: StatementResult[] = [];
  for (const statement of parseStatements(text))
    answers.push(await executeStatement(service, statement, actor, options));
  return answers;
}

/** Runs the one statement of `text`. */
export async function runOne(
  service: TokenService,
  text: string,
  actor: Actor,
  options?: ExecuteOptions,
): Promise<StatementResult> {
  const [answer, ...rest] = await run(service, text, actor, options);
  expect(rest).toEqual([]);
  return answer!;
}

/** The rows of an answer as objects keyed by column, for readable expectations. */
export function records(result: StatementResult): Record<string, ResultValue>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((column, index) => [column, row[index]!])));
}

/** The one row of an answer as an object. */
export function record(result: StatementResult): Record<string, ResultValue> {
  expect(result.rows).toHaveLength(1);
  return records(result)[0]!;
}

/** Tengri's way of writing a time: UTC to the second with an explicit offset. */
export function tengriTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

/** The kinds of the statements of test/sql/tengri-walkthrough.sql, in order. */
export const WALKTHROUGH_KINDS = [
  'createToken',
  'createToken',
  'showTokens',
  'alterTokenComment',
  'dropToken',
  'dropAllTokens',
  'createToken',
  'showTokens',
  'dropToken',
  'setMaxDuration',
  'setMaxDuration',
] as const;
