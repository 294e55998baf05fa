import { describe, expectTypeOf, it } from 'vitest';
import type { Actor, TokenError, TokenService } from '../../src/index.js';
import {
  type ExecuteOptions,
  executeStatement,
  formatTable,
  type ParsedStatement,
  parseStatements,
  printStatement,
  type SourceSpan,
  type Statement,
  type StatementError,
  type StatementKind,
  type StatementResult,
} from '../../src/sql/index.js';

describe('tokenward/sql public types', () => {
  it('parses to statements with spans, and prints and runs plain statements', () => {
    expectTypeOf(parseStatements).returns.toEqualTypeOf<ParsedStatement[]>();
    expectTypeOf<ParsedStatement['span']>().toEqualTypeOf<SourceSpan>();
    expectTypeOf<ParsedStatement>().toExtend<Statement>();
    expectTypeOf(printStatement).parameter(0).toEqualTypeOf<Statement>();
    expectTypeOf(executeStatement).parameters.toEqualTypeOf<
      [TokenService, Statement, Actor, (ExecuteOptions | undefined)?]
    >();
    expectTypeOf(executeStatement).returns.resolves.toEqualTypeOf<StatementResult>();
    expectTypeOf(formatTable).returns.toBeString();
  });

  it('discriminates statements by kind', () => {
    const narrow = (statement: Statement): void => {
      if (statement.kind === 'createToken')
        expectTypeOf(statement.maxDuration).toEqualTypeOf<string | null | undefined>();
      if (statement.kind === 'dropAllTokens') expectTypeOf(statement.user).toBeString();
    };
    expectTypeOf(narrow).toBeFunction();
    expectTypeOf<StatementKind>().toEqualTypeOf<
      | 'createToken'
      | 'showTokens'
      | 'alterTokenComment'
      | 'rotateToken'
      | 'dropToken'
      | 'dropAllTokens'
      | 'setMaxDuration'
      | 'showMaxDuration'
      | 'shareToken'
      | 'claimToken'
      | 'showTokenEvents'
      | 'updateToken'
      | 'showExpiringTokens'
    >();
  });

  it('StatementError is a TokenError with a position', () => {
    expectTypeOf<StatementError>().toExtend<TokenError>();
    expectTypeOf<StatementError['line']>().toBeNumber();
    expectTypeOf<StatementError['expected']>().toEqualTypeOf<readonly string[]>();
  });
});
