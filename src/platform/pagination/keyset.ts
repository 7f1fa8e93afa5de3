// The WHERE part of a newest-first keyset page, shared by the list repositories: rows strictly after
// the previous page's last row in the order `c1 desc, c2 desc, ...`, in Kysely's portable subset.
import type { Expression, ExpressionBuilder, SqlBool, StringReference } from 'kysely'

/**
 * `(c1, c2, ...) < (v1, v2, ...)` in lexicographic order, written as `c1 < v1 or (c1 = v1 and (c2 < v2 or ...))`
 * so every dialect (SQLite, PostgreSQL, MariaDB) reads it the same way. `keys` lists each ordering
 * column with the last row's value, most significant first; it must end in a unique column.
 */
export function isOlderThan<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, keys: ReadonlyArray<readonly [StringReference<DB, TB>, string | number]>): Expression<SqlBool> {
  const [first, ...rest] = keys
  if (first === undefined) throw new Error('a keyset page needs at least one ordering column')
  const [column, value] = first
  const older = eb(column, '<', value as never)
  return rest.length === 0 ? older : eb.or([older, eb.and([eb(column, '=', value as never), isOlderThan(eb, rest)])])
}
