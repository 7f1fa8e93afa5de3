import type { HeartRateLimits } from '../auth/settings.js'
import type { RejectionReason } from './heart-rate.schema.js'

/** 2000-01-01T00:00:00Z: anything earlier is a clock that was never set (or seconds sent as ms). */
const EARLIEST_MS = Date.UTC(2000, 0, 1)
const MAX_RR_INTERVALS = 300
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i

export interface CheckedSample {
  readonly ts: number
  readonly bpm: number
  readonly rrIntervalsMs: readonly number[] | null
  readonly alert: 'LOW' | 'HIGH' | null
}

export interface Rejection {
  readonly reason: RejectionReason
  readonly message: string
}

export type SampleCheck = { readonly ok: true; readonly sample: CheckedSample } | { readonly ok: false; readonly rejection: Rejection }

const reject = (reason: RejectionReason, message: string): SampleCheck => ({ ok: false, rejection: { reason, message } })

/** Epoch milliseconds of an ISO-8601 string with a zone or of a number; undefined when it is neither. */
export function parseInstant(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined
  if (typeof value === 'string') {
    const text = value.trim()
    if (/^\d{1,16}$/.test(text)) return Number(text)
    if (!ISO_WITH_ZONE.test(text)) return undefined
    const ms = Date.parse(text)
    return Number.isNaN(ms) ? undefined : ms
  }
  return undefined
}

export function alertOf(bpm: number, limits: HeartRateLimits): 'LOW' | 'HIGH' | null {
  if (bpm < limits.lowAlert) return 'LOW'
  if (bpm > limits.highAlert) return 'HIGH'
  return null
}

function checkRr(value: unknown): readonly number[] | null | undefined {
  if (value === undefined || value === null) return null
  if (!Array.isArray(value) || value.length > MAX_RR_INTERVALS) return undefined
  const valid = value.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 200 && v <= 3000)
  return valid ? (value as number[]) : undefined
}

/** One sample's verdict before storage: the checks the issue names, in a fixed order. */
export function checkSample(raw: unknown, limits: HeartRateLimits, nowMs: number, clockSkewMs: number): SampleCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return reject('sample_invalid', 'A sample must be an object with timestamp and bpm')
  const { bpm, timestamp, rrIntervalsMs } = raw as Record<string, unknown>
  if (typeof bpm !== 'number' || !Number.isFinite(bpm)) return reject('bpm_not_a_number', `bpm must be a number (got ${JSON.stringify(bpm) ?? 'nothing'})`)
  if (bpm < limits.validMin || bpm > limits.validMax) {
    return reject('bpm_out_of_range', `bpm ${bpm} is outside the valid range ${limits.validMin}-${limits.validMax}`)
  }
  const ts = parseInstant(timestamp)
  if (ts === undefined) return reject('timestamp_invalid', 'timestamp must be an ISO-8601 date-time with a zone or epoch milliseconds')
  if (ts < EARLIEST_MS) return reject('timestamp_before_2000', 'timestamp is before 2000-01-01 (epoch milliseconds are expected, not seconds)')
  if (ts > nowMs + clockSkewMs) return reject('timestamp_in_future', `timestamp is more than ${clockSkewMs / 1000} s ahead of the server clock`)
  const rr = checkRr(rrIntervalsMs)
  if (rr === undefined) {
    return reject('rr_intervals_invalid', `rrIntervalsMs must be an array of at most ${MAX_RR_INTERVALS} numbers between 200 and 3000`)
  }
  return { ok: true, sample: { ts, bpm, rrIntervalsMs: rr, alert: alertOf(bpm, limits) } }
}
