// The SQL spellings that differ between SQLite, PostgreSQL and MariaDB, in one place, so that
// repositories build statements without asking which engine they talk to:
// - placeholders: `$1, $2, …` on PostgreSQL, `?` elsewhere;
// - "insert, or on a key that exists update": `ON CONFLICT (key) DO UPDATE SET c = excluded.c` on
//   SQLite and PostgreSQL, `ON DUPLICATE KEY UPDATE c = VALUES(c)` on MariaDB;
// - the smaller / larger of two values: `min(a, b)` / `max(a, b)` on SQLite (its scalar forms),
//   `least` / `greatest` on PostgreSQL and MariaDB.
import { type InsertQueryBuilder, sql } from 'kysely'
import type { DatabaseKind } from './database.js'

/** What an upsert does to a non-key column of a row that exists: add the new value, replace it, keep the smaller or the larger. */
export type UpsertUpdate = 'add' | 'replace' | 'min' | 'max'

/** A multi-row upsert's shape: `columns` in parameter order, the first `keys` of them the conflict key. */
export interface UpsertShape {
  readonly table: string
  readonly columns: readonly string[]
  readonly keys: number
  /** For every column after the key: what happens to it on a conflict. */
  readonly update: UpsertUpdate
}

/** `(p,p,…),(p,p,…)`: `rows` groups of `columns` placeholders, numbered across the statement on PostgreSQL. */
export function valuesPlaceholders(kind: DatabaseKind, rows: number, columns: number): string {
  let n = 0
  const placeholder = kind === 'postgres' ? () => `$${++n}` : () => '?'
  const groups: string[] = new Array(rows)
  for (let r = 0; r < rows; r++) groups[r] = `(${Array.from({ length: columns }, placeholder).join(',')})`
  return groups.join(',')
}

function updateClause(kind: DatabaseKind, table: string, column: string, update: UpsertUpdate): string {
  const [current, incoming] =
    kind === 'mysql' ? [column, `values(${column})`] : [`${table}.${column}`, `excluded.${column}`]
  const [least, greatest] = kind === 'sqlite' ? ['min', 'max'] : ['least', 'greatest']
  switch (update) {
    case 'add':
      return `${column} = ${current} + ${incoming}`
    case 'replace':
      return `${column} = ${incoming}`
    case 'min':
      return `${column} = ${least}(${current}, ${incoming})`
    case 'max':
      return `${column} = ${greatest}(${current}, ${incoming})`
  }
}

const upsertCache = new Map<string, string>()

/**
 * `INSERT INTO table (columns) VALUES … ` for `rows` rows, where a row whose key exists updates
 * every other column as `shape.update` (or the per-column `updates`) says. Parameters go row by
 * row in `columns` order. The text is built once per shape, engine and row count.
 */
export function upsertSql(
  kind: DatabaseKind,
  shape: UpsertShape,
  rows: number,
  updates: Readonly<Record<string, UpsertUpdate>> = {},
): string {
  const key = `${kind}:${shape.table}:${shape.columns.join(',')}:${shape.keys}:${shape.update}:${JSON.stringify(updates)}:${rows}`
  const cached = upsertCache.get(key)
  if (cached !== undefined) return cached
  const { table, columns, keys } = shape
  const head = `insert into ${table} (${columns.join(', ')}) values ${valuesPlaceholders(kind, rows, columns.length)}`
  const set = columns
    .slice(keys)
    .map((column) => updateClause(kind, table, column, updates[column] ?? shape.update))
    .join(', ')
  const text =
    kind === 'mysql'
      ? `${head} on duplicate key update ${set}`
      : `${head} on conflict (${columns.slice(0, keys).join(', ')}) do update set ${set}`
  if (upsertCache.size > 256) upsertCache.clear()
  upsertCache.set(key, text)
  return text
}

/**
 * The Kysely insert with "on a `keyColumn` that exists, add one to `counterColumn`" (and nothing
 * else changes). Spelled with the column qualified by its table, which all three engines accept.
 */
export function incrementOnConflict<DB, TB extends keyof DB & string, O>(
  insert: InsertQueryBuilder<DB, TB, O>,
  kind: DatabaseKind,
  table: TB,
  keyColumn: string,
  counterColumn: string,
): InsertQueryBuilder<DB, TB, O> {
  const set = { [counterColumn]: sql`${sql.ref(`${table}.${counterColumn}`)} + 1` } as Parameters<
    InsertQueryBuilder<DB, TB, O>['onDuplicateKeyUpdate']
  >[0]
  if (kind === 'mysql') return insert.onDuplicateKeyUpdate(set)
  return insert.onConflict((oc) => oc.column(keyColumn as never).doUpdateSet(set as never))
}
