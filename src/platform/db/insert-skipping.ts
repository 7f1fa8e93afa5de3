import type { DatabaseKind } from './database.js'
import { valuesPlaceholders } from './upsert.js'

const cache = new Map<string, string>()

/**
 * `INSERT … skip rows whose key exists … RETURNING <returning>` for `rows` rows, built once per
 * table, size and engine: at ingest rates the query builder's cost for a 1,000-row insert is a real
 * share of the time. The skip is the one dialect difference: MariaDB has INSERT IGNORE, SQLite and
 * PostgreSQL ON CONFLICT DO NOTHING; all three return only the rows actually inserted. Parameters
 * are row by row, in `columns` order.
 */
export function insertSkippingSql(
  kind: DatabaseKind,
  table: string,
  columns: readonly string[],
  rows: number,
  returning: string,
): string {
  const key = `${kind}:${table}:${rows}`
  let text = cache.get(key)
  if (text === undefined) {
    const values = valuesPlaceholders(kind, rows, columns.length)
    const head = `${kind === 'mysql' ? 'insert ignore' : 'insert'} into ${table} (${columns.join(', ')}) values ${values}`
    text = kind === 'mysql' ? `${head} returning ${returning}` : `${head} on conflict do nothing returning ${returning}`
    if (cache.size > 128) cache.clear()
    cache.set(key, text)
  }
  return text
}
