import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { formatNumber } from './stats.js'

/** One comparable number a bench produces, with the target it is held to. */
export interface Figure {
  readonly label: string
  readonly value: number
  readonly unit: string
  readonly target?: { readonly op: '>=' | '<'; readonly value: number }
}

export interface BenchReport {
  readonly bench: string
  readonly figures: readonly Figure[]
}

export type Bench = () => Promise<BenchReport>

export function isMet(figure: Figure): boolean | undefined {
  if (figure.target === undefined) return undefined
  return figure.target.op === '>=' ? figure.value >= figure.target.value : figure.value < figure.target.value
}

function formatValue(value: number): string {
  return Math.abs(value) < 100 && !Number.isInteger(value) ? value.toFixed(2) : formatNumber(value)
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')
}

/** The summary table `run.ts` prints after every bench has run. */
export function formatSummary(reports: readonly BenchReport[]): string {
  const header = ['bench', 'figure', 'value', 'unit', 'target', 'met']
  const rows = reports.flatMap((report) =>
    report.figures.map((f) => {
      const met = isMet(f)
      const target = f.target === undefined ? '' : `${f.target.op} ${formatValue(f.target.value)}`
      return [report.bench, f.label, formatValue(f.value), f.unit, target, met === undefined ? '' : met ? 'yes' : 'NO']
    }),
  )
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => (r[i] ?? '').length)))
  return [
    row(header, widths),
    row(
      widths.map((w) => '-'.repeat(w)),
      widths,
    ),
    ...rows.map((r) => row(r, widths)),
  ].join('\n')
}

export function machineLine(): string {
  return `node ${process.version}, ${availableParallelism()} CPUs (os.availableParallelism())`
}

/** True when `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(moduleUrl) === process.argv[1]
}

/** Runs one bench as a script: prints the machine, the bench's own lines, exits 1 on failure. */
export async function runAsScript(bench: Bench): Promise<void> {
  console.log(machineLine())
  try {
    const report = await bench()
    console.log(`\n${formatSummary([report])}`)
  } catch (error) {
    console.error(error)
    process.exitCode = 1
  }
  // Keep-alive sockets and gRPC channels would hold the process open; 'exit' also kills any child left.
  process.exit()
}
