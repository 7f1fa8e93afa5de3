// The WHERE part of a keyset page, shared by the list repositories and the account export: rows
// strictly past the previous page's last row in the page's order, in Kysely's portable subset.
import type { Expression, ExpressionBuilder, SqlBool, StringReference } from 'kysely'

/**
 * The rows past `keys` in the order `c1 <direction>, c2 <direction>, ...`: `(c1, c2, ...) > (v1, v2, ...)`
 * for `asc` (`<` for `desc`), written as `c1 > v1 or (c1 = v1 and (c2 > v2 or ...))` so every dialect
 * (SQLite, PostgreSQL, MariaDB) reads it the same way. `keys` lists each ordering column with the
 * last row's value, most significant first; together they must be unique.
 */
export function isPastRow<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  keys: ReadonlyArray<readonly [StringReference<DB, TB>, unknown]>,
  direction: 'asc' | 'desc',
): Expression<SqlBool> {
  const [first, ...rest] = keys
  if (first === undefined) throw new Error('a keyset page needs at least one ordering column')
  const [column, value] = first
  const past = eb(column, direction === 'asc' ? '>' : '<', value as never)
  return rest.length === 0
    ? past
    : eb.or([past, eb.and([eb(column, '=', value as never), isPastRow(eb, rest, direction)])])
}

/** The rows after `keys` in a newest-first order (`c1 desc, c2 desc, ...`); see `isPastRow`. */
export function isOlderThan<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  keys: ReadonlyArray<readonly [StringReference<DB, TB>, string | number]>,
): Expression<SqlBool> {
  return isPastRow(eb, keys, 'desc')
}
