/**
 * @internal Whether a plug-in's answer (a directory's user, a store's
 * record, a format's parse) is to be awaited: anything with a `then`
 * method, exactly as `await` decides. An `instanceof Promise` test would
 * take a promise of another realm (`vm`), of a promise library or a query
 * builder's thenable for the answer itself (outside review, issue 12:
 * a removed owner's master token was accepted with every grant).
 */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { readonly then?: unknown } | null | undefined)?.then === 'function';
}
