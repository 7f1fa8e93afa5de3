import { readFileSync } from 'node:fs'

/** Nearest-rank percentile of values sorted ascending; NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number
}

export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b)
}

// Linux reports process times in clock ticks; 100 per second on every mainstream kernel config.
const TICKS_PER_SECOND = 100

/** CPU seconds (user + system, all threads) a process has used so far; undefined off Linux. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND // utime, stime
  } catch {
    return undefined
  }
}

/** CPU seconds every process on the machine has used since boot (undefined off Linux). */
export function machineCpuSeconds(): number | undefined {
  try {
    const [, user, nice, system, , , irq, softirq, steal] =
      readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]?.split(/\s+/) ?? []
    return [user, nice, system, irq, softirq, steal].reduce((sum, v) => sum + Number(v ?? 0), 0) / TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/** Busy share of one core between two readings, in percent. */
export function cpuPercent(fromSeconds: number | undefined, toSeconds: number | undefined, wallMs: number): number {
  if (fromSeconds === undefined || toSeconds === undefined) return Number.NaN
  return (100 * (toSeconds - fromSeconds)) / (wallMs / 1000)
}

export const round = (value: number, digits = 0): number => Number(value.toFixed(digits))

export const formatNumber = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a'

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
