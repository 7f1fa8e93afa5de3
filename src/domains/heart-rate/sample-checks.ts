import { instantProblem, parseInstant } from '../../platform/time/date-time.js'
import type { AlertThresholds } from '../auth/settings.js'
import type { RejectionReason } from './heart-rate.schema.js'

/** 2000-01-01T00:00:00Z: anything earlier is a clock that was never set (or seconds sent as ms). */
const EARLIEST_MS = Date.UTC(2000, 0, 1)

/**
 * Physiological plausibility, in bpm, the same for everyone: from profound bradycardia (trained
 * athletes sleep in the 30s) to beyond any measured maximum. It also keeps out the sentinel values
 * sensors send for "no reading": 0, and 255 (the largest 8-bit value in the Bluetooth Heart Rate
 * Measurement characteristic). Whether a plausible value is alarming is the user's alert thresholds'
 * business, never this range's.
 */
export const PLAUSIBLE_BPM = { min: 20, max: 250 } as const

/** RR intervals: at most this many per sample, each within 200-3000 ms (300-20 bpm). */
export const RR_LIMITS = { maxCount: 300, minMs: 200, maxMs: 3000 } as const

export interface CheckedSample {
  /** Epoch milliseconds. */
  readonly ts: number
  readonly bpm: number
  readonly rrIntervalsMs: readonly number[] | null
  readonly alert: 'LOW' | 'HIGH' | null
}

export interface Rejection {
  readonly reason: RejectionReason
  readonly message: string
}

export type SampleCheck =
  { readonly ok: true; readonly sample: CheckedSample } | { readonly ok: false; readonly rejection: Rejection }

const reject = (reason: RejectionReason, message: string): SampleCheck => ({
  ok: false,
  rejection: { reason, message },
})

/** LOW below the user's `lowAlert`, HIGH above `highAlert` (both in bpm), else null. */
export function classifyAlert(bpm: number, thresholds: AlertThresholds): 'LOW' | 'HIGH' | null {
  if (bpm < thresholds.lowAlert) return 'LOW'
  if (bpm > thresholds.highAlert) return 'HIGH'
  return null
}

function checkRr(value: unknown): readonly number[] | null | undefined {
  if (value === undefined || value === null) return null
  if (!Array.isArray(value) || value.length > RR_LIMITS.maxCount) return undefined
  for (const v of value as unknown[])
    if (typeof v !== 'number' || !Number.isFinite(v) || v < RR_LIMITS.minMs || v > RR_LIMITS.maxMs) return undefined
  return value as number[]
}

function bpmProblem(bpm: number): string {
  if (bpm === 0 || bpm === 255) return `bpm ${bpm} is the value sensors send when they have no reading`
  return `bpm ${bpm} is outside the plausible range ${PLAUSIBLE_BPM.min}-${PLAUSIBLE_BPM.max}`
}

/**
 * One sample's verdict before storage, the same on every path that takes samples (REST, gRPC,
 * meditation sessions, seed adapters). The checks run in a fixed order and the first failure is
 * the reason: shape, bpm, timestamp, RR intervals. `nowMs` and `clockSkewMs` are milliseconds.
 */
export function checkSample(
  raw: unknown,
  thresholds: AlertThresholds,
  nowMs: number,
  clockSkewMs: number,
): SampleCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return reject('sample_invalid', 'A sample must be an object with timestamp and bpm')
  const { bpm, timestamp, rrIntervalsMs } = raw as Record<string, unknown>
  if (typeof bpm !== 'number' || !Number.isFinite(bpm))
    return reject('bpm_not_a_number', `bpm must be a number (got ${JSON.stringify(bpm) ?? 'nothing'})`)
  if (bpm < PLAUSIBLE_BPM.min || bpm > PLAUSIBLE_BPM.max) return reject('bpm_out_of_range', bpmProblem(bpm))
  const ts = parseInstant(timestamp)
  if (ts === undefined)
    return reject(
      'timestamp_invalid',
      `timestamp ${JSON.stringify(timestamp) ?? 'missing'} ${instantProblem(timestamp)}`,
    )
  if (ts < EARLIEST_MS)
    return reject(
      'timestamp_before_2000',
      'timestamp is before 2000-01-01 (epoch milliseconds are expected, not seconds)',
    )
  if (ts > nowMs + clockSkewMs)
    return reject('timestamp_in_future', `timestamp is more than ${clockSkewMs / 1000} s ahead of the server clock`)
  const rr = checkRr(rrIntervalsMs)
  if (rr === undefined) {
    return reject(
      'rr_intervals_invalid',
      `rrIntervalsMs must be an array of at most ${RR_LIMITS.maxCount} numbers between ${RR_LIMITS.minMs} and ${RR_LIMITS.maxMs}`,
    )
  }
  return { ok: true, sample: { ts, bpm, rrIntervalsMs: rr, alert: classifyAlert(bpm, thresholds) } }
}
