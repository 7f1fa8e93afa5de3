import { AppError } from '../../errors.js'

export interface HrvResult {
  readonly intervalCount: number
  readonly rmssdMs: number | null
  readonly sdnnMs: number | null
  /** Percent (0-100) of successive differences above 50 ms. */
  readonly pnn50: number | null
}

const round2 = (value: number) => Math.round(value * 100) / 100

function validateIntervals(rrIntervalsMs: readonly number[]): void {
  for (let i = 0; i < rrIntervalsMs.length; i++) {
    const value = rrIntervalsMs[i]!
    if (!Number.isFinite(value) || value <= 0) {
      throw new AppError('invalid_argument', `RR interval ${i} must be a positive number of milliseconds`)
    }
  }
}

// Two passes (mean first, then squared deviations): summing raw squares loses precision when
// the values are large next to their spread, and the input can hold about a million values.
function sampleStandardDeviation(values: readonly number[]): number {
  let sum = 0
  for (const value of values) sum += value
  const mean = sum / values.length
  let squares = 0
  for (const value of values) squares += (value - mean) ** 2
  return Math.sqrt(squares / (values.length - 1))
}

function successiveDifferences(values: readonly number[]): { rmssd: number; pnn50: number } {
  let squares = 0
  let over50 = 0
  for (let i = 1; i < values.length; i++) {
    const difference = values[i]! - values[i - 1]!
    squares += difference * difference
    if (Math.abs(difference) > 50) over50++
  }
  const count = values.length - 1
  return { rmssd: Math.sqrt(squares / count), pnn50: (over50 / count) * 100 }
}

/** Time-domain HRV (RMSSD, SDNN, pNN50) of consecutive RR intervals; null figures below two intervals. */
export function computeHrv(rrIntervalsMs: readonly number[]): HrvResult {
  validateIntervals(rrIntervalsMs)
  const intervalCount = rrIntervalsMs.length
  if (intervalCount < 2) return { intervalCount, rmssdMs: null, sdnnMs: null, pnn50: null }
  const { rmssd, pnn50 } = successiveDifferences(rrIntervalsMs)
  return {
    intervalCount,
    rmssdMs: round2(rmssd),
    sdnnMs: round2(sampleStandardDeviation(rrIntervalsMs)),
    pnn50: round2(pnn50),
  }
}
