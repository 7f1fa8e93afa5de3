// A dataset as the playground trains on it: named columns, each all numbers or all text, parsed
// from CSV strictly (a ragged row or an empty cell refuses the file, naming its line).
import { createRequire } from 'node:module'
import type { parse as ParseCsv } from 'csv-parse/sync'
import { AppError } from '../../errors.js'

export type ColumnType = 'number' | 'string'

export interface Column {
  readonly name: string
  readonly type: ColumnType
  /** Numbers for a number column, the cells as written for a string column. */
  readonly values: readonly number[] | readonly string[]
}

export interface Table {
  readonly columns: readonly Column[]
  readonly rows: number
}

export interface TableLimits {
  readonly maxRows: number
  readonly maxColumns: number
}

export const DEFAULT_TABLE_LIMITS: TableLimits = { maxRows: 200_000, maxColumns: 1_000 }

/** A decimal number as CSV writes it (no hex, no Infinity, no blanks): the only text a number column takes. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

const invalid = (message: string, path = 'body') => new AppError('invalid_argument', message, [{ path, message }])

// csv-parse loads on the first upload (a synchronous require, as the parser is synchronous).
const require = createRequire(import.meta.url)
const parse = ((...args: unknown[]) =>
  (require('csv-parse/sync') as { parse: (...a: unknown[]) => unknown }).parse(...args)) as typeof ParseCsv

/** Parses CSV text with a header row; throws `invalid_argument` naming the first problem's line. */
export function parseCsvTable(text: string, limits: TableLimits = DEFAULT_TABLE_LIMITS): Table {
  let records: string[][]
  try {
    records = parse(text, {
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: true,
      to: limits.maxRows + 2,
    }) as string[][]
  } catch (error) {
    throw invalid(`The CSV could not be read: ${(error as Error).message}`)
  }
  const [header, ...rows] = records
  if (header === undefined || rows.length === 0) throw invalid('The CSV needs a header row and at least one data row')
  if (rows.length > limits.maxRows)
    throw invalid(`The CSV has more than ${limits.maxRows} rows, the most a playground dataset may have`)
  if (header.length > limits.maxColumns)
    throw invalid(`The CSV has ${header.length} columns; at most ${limits.maxColumns}`)
  const seen = new Set<string>()
  header.forEach((name, i) => {
    if (name === '') throw invalid(`Column ${i + 1} of the header has no name`)
    if (seen.has(name)) throw invalid(`The header names column "${name}" twice`)
    seen.add(name)
  })
  rows.forEach((row, r) => {
    if (row.length !== header.length)
      throw invalid(`Line ${r + 2} has ${row.length} cells; the header has ${header.length}`)
    const empty = row.indexOf('')
    if (empty >= 0)
      throw invalid(`Line ${r + 2} has no value for "${header[empty]}"; fill or drop rows with missing values first`)
  })
  const columns = header.map((name, j): Column => {
    const cells = rows.map((row) => row[j] as string)
    return cells.every((cell) => NUMBER.test(cell))
      ? { name, type: 'number', values: cells.map(Number) }
      : { name, type: 'string', values: cells }
  })
  return { columns, rows: rows.length }
}

/** The first `count` rows as objects keyed by column name (numbers as numbers). */
export function previewRows(table: Table, count: number): Record<string, number | string>[] {
  return Array.from({ length: Math.min(count, table.rows) }, (_, r) =>
    Object.fromEntries(table.columns.map((c) => [c.name, c.values[r] as number | string])),
  )
}

/** Column names, detected types and distinct-value counts (what a form needs to size a classifier's output), in file order. */
export const describeColumns = (table: Table) =>
  table.columns.map((c) => ({ name: c.name, type: c.type, distinct: new Set<number | string>(c.values).size }))
