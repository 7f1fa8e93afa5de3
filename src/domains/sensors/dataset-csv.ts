// Labelled frames from CSV: the CSI seed's training file (`Label,CH6_mag…CH58_mag,CH6_phase…CH58_phase`)
// or a generic `label,f1,…,fn`. All or nothing: any bad cell refuses the whole file, with its line.
import { AppError } from '../../errors.js'
import type { Layout } from './frame-layout.js'
import { MAX_FRAME_VALUES } from './frame-checks.js'

export type CsvFormat = 'auto' | 'seed' | 'generic'

export interface ParsedCsv {
  readonly layout: Layout
  readonly labels: string[]
  /** rows x width, in layout order. */
  readonly values: Float32Array
}

const MAX_ROWS = 1_000_000
const MAX_PROBLEMS = 20
const SEED_COLUMN = /^CH(\d+)_(mag|phase)$/i
const LABEL_PATTERN = /^[^\r\n,"]{1,100}$/

const splitCells = (line: string) => line.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'))

/** For the seed's header: which columns feed the magnitude group and which the phase group, in column order. */
function seedColumns(header: readonly string[]): { magnitude: number[]; phase: number[] } | undefined {
  if (header[0]?.toLowerCase() !== 'label' || header.length < 3) return undefined
  const magnitude: number[] = []
  const phase: number[] = []
  for (let i = 1; i < header.length; i += 1) {
    const match = SEED_COLUMN.exec(header[i] as string)
    if (match === null) return undefined
    ;(match[2]?.toLowerCase() === 'mag' ? magnitude : phase).push(i)
  }
  return magnitude.length > 0 && magnitude.length === phase.length ? { magnitude, phase } : undefined
}

function invalid(message: string, problems: { path: string; message: string }[] = []): AppError {
  return new AppError('invalid_argument', message, problems)
}

/** Parses a whole CSV file; throws `invalid_argument` listing up to 20 bad cells. */
export function parseLabelledCsv(text: string, format: CsvFormat): ParsedCsv {
  const lines = text.split(/\r?\n/)
  const header = splitCells(lines[0] ?? '')
  const seed = format === 'generic' ? undefined : seedColumns(header)
  if (format === 'seed' && seed === undefined)
    throw invalid('The header is not the seed layout: Label, then CH<n>_mag columns and as many CH<n>_phase columns')
  if (seed === undefined && header[0]?.toLowerCase() !== 'label')
    throw invalid('The first column must be "label" (generic layout: label,f1,…,fn)')
  const order = seed === undefined ? header.map((_, i) => i).slice(1) : [...seed.magnitude, ...seed.phase]
  const layout: Layout =
    seed === undefined
      ? [{ name: 'values', length: order.length }]
      : [
          { name: 'magnitude', length: seed.magnitude.length },
          { name: 'phase', length: seed.phase.length },
        ]
  if (order.length === 0 || order.length > MAX_FRAME_VALUES)
    throw invalid(`A row has 1 to ${MAX_FRAME_VALUES} values besides its label (the header has ${order.length})`)
  const rows = lines
    .slice(1)
    .map((line, i) => ({ line, number: i + 2 }))
    .filter(({ line }) => line.trim() !== '')
  if (rows.length === 0) throw invalid('The file has a header but no rows')
  if (rows.length > MAX_ROWS) throw invalid(`At most ${MAX_ROWS} rows per import (got ${rows.length})`)
  const problems: { path: string; message: string }[] = []
  const labels: string[] = []
  const values = new Float32Array(rows.length * order.length)
  rows.forEach(({ line, number }, r) => {
    if (problems.length >= MAX_PROBLEMS) return
    const cells = splitCells(line)
    if (cells.length !== header.length)
      return void problems.push({
        path: `line ${number}`,
        message: `has ${cells.length} cells; the header has ${header.length}`,
      })
    const label = cells[0] as string
    if (!LABEL_PATTERN.test(label))
      return void problems.push({ path: `line ${number}`, message: 'the label is empty or longer than 100 characters' })
    labels.push(label)
    order.forEach((column, k) => {
      const cell = cells[column] as string
      const value = cell === '' ? Number.NaN : Number(cell)
      if (!Number.isFinite(value) || Math.abs(value) > 3.4e38) {
        if (problems.length < MAX_PROBLEMS)
          problems.push({
            path: `line ${number}`,
            message: `${header[column]} is not a number (${JSON.stringify(cell.slice(0, 20))})`,
          })
        return
      }
      values[r * order.length + k] = value
    })
  })
  if (problems.length > 0)
    throw invalid(
      `The CSV has bad cells (first: ${problems[0]?.path} ${problems[0]?.message}); nothing was imported`,
      problems,
    )
  return { layout, labels, values }
}
