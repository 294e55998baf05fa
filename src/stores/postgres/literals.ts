/**
 * @internal SQL literals, for the one call of the store that sends its
 * values inside the statement text: `insert`, whose namespace lock and
 * checked insert go out together as one simple query (one round trip, one
 * implicit transaction), and the simple query protocol carries no
 * parameters.
 *
 * Every value is written as a quoted constant with an explicit cast. Text
 * is an escape string constant (`E'…'`) with quotes and backslashes
 * doubled, which reads back exactly the same whatever the server's
 * `standard_conforming_strings` says; text must not contain NUL; numbers
 * must be safe integers.
 * Anything else is refused before the statement is built.
 */

/** One value as a typed SQL constant: `E'text'::text`, `E'42'::bigint`, `NULL::jsonb`. */
export function literal(value: unknown, cast: string): string {
  if (value === null) return `NULL::${cast}`;
  // A NUL would end the query string where it stands (and PostgreSQL text cannot hold one): refuse it here.
  if (typeof value === 'string' && !value.includes('\u0000')) return `${quoted(value)}::${cast}`;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return `'${value}'::${cast}`;
  throw new TypeError(`tokenward: a ${typeof value} cannot be written as a SQL ${cast} constant`);
}

/** `values` as a comma-separated list of constants, each with the cast at its position. */
export function literals(values: readonly unknown[], casts: readonly string[]): string {
  return values.map((value, i) => literal(value, casts[i]!)).join(', ');
}

function quoted(text: string): string {
  return `E'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}
