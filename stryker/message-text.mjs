// A Stryker ignorer: skips mutants of error-message text, which no test should pin
// (messages are for people; tests assert the error code and `details.field`).
// A node is message text when it is the message argument of one of the calls
// below; the code and the field arguments are still mutated.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

/** Callee name → index of its message argument. */
const MESSAGE_ARGUMENT = {
  TokenError: 1, // new TokenError(code, message, details)
  StatementError: 1,
  Error: 0, // new Error(message)
  TypeError: 0,
  invalid: 1, // invalid(field, what): `${field} ${what}`
  forbidden: 0, // service/authority.ts: forbidden(what)
  requireAdmin: 1, // requireAdmin(actor, what)
  requireReach: 0, // service/list.ts: requireReach(what), passed on to requireAdmin
  withMethods: 3, // core/options.ts: withMethods(value, field, methods, what): `must be ${what}`
  safeLog: 2, // core/logger.ts: safeLog(logger, level, message, fields); the level and fields are still mutated
};

function calleeName(callee) {
  if (callee.type === 'Identifier') return callee.name;
  if (callee.type === 'MemberExpression' && callee.property.type === 'Identifier') return callee.property.name;
  return undefined;
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'message-text', {
    shouldIgnore(path) {
      const parent = path.parentPath;
      if (parent === null || !(parent.isCallExpression() || parent.isNewExpression())) return undefined;
      const name = calleeName(parent.node.callee);
      if (name === undefined || !(name in MESSAGE_ARGUMENT)) return undefined;
      if (parent.node.arguments[MESSAGE_ARGUMENT[name]] !== path.node) return undefined;
      return 'error-message text (stryker/message-text.mjs)';
    },
  }),
];
