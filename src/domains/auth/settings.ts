import { AppError, type ErrorDetail } from '../../errors.js'
import { resolveTimeZone } from '../../platform/time/time-zone.js'
import type { UserSettings } from './auth.schema.js'

/** The seed heart-rate service's thresholds (CONTRACTS §3.2), used wherever a user has not set their own. */
const DEFAULT_ALERT_THRESHOLDS = { lowAlert: 50, highAlert: 150 } as const

/** A user's alert thresholds in bpm: an episode opens below `lowAlert` or above `highAlert`. */
export type AlertThresholds = { readonly [K in keyof typeof DEFAULT_ALERT_THRESHOLDS]: number }

export function toAlertThresholds(settings: UserSettings): AlertThresholds {
  return { ...DEFAULT_ALERT_THRESHOLDS, ...settings.heartRate }
}

/**
 * Settings as stored (JSON text). Tolerant of what older versions stored: in 0.1.0 the heart-rate
 * settings also held `validMin`/`validMax`, a per-user validity range that doubled as an alert
 * filter; plausibility is now fixed (heart-rate sample checks), so those keys are dropped on read.
 */
export function readSettings(text: string): UserSettings {
  const stored = JSON.parse(text) as UserSettings & { heartRate?: Record<string, unknown> }
  if (stored.heartRate === undefined) return stored
  const thresholds = Object.fromEntries(
    Object.entries(stored.heartRate).filter(([key]) => key !== 'validMin' && key !== 'validMax'),
  )
  return { ...stored, heartRate: thresholds as UserSettings['heartRate'] }
}

/** Merges a settings patch (given fields replace stored ones) and checks the rules no single field can. */
export function mergeSettings(current: UserSettings, patch: UserSettings, nowMs: number): UserSettings {
  const merged: UserSettings = { ...current, ...patch }
  if (patch.heartRate !== undefined) merged.heartRate = { ...current.heartRate, ...patch.heartRate }
  const thresholds = toAlertThresholds(merged)
  const problems: ErrorDetail[] = []
  if (thresholds.lowAlert >= thresholds.highAlert) {
    problems.push({
      path: 'body.settings.heartRate',
      message: `lowAlert must be below highAlert (got ${thresholds.lowAlert} and ${thresholds.highAlert})`,
    })
  }
  if (
    merged.restingHeartRate !== undefined &&
    merged.maxHeartRate !== undefined &&
    merged.restingHeartRate >= merged.maxHeartRate
  ) {
    problems.push({ path: 'body.settings.restingHeartRate', message: 'must be below maxHeartRate' })
  }
  if (merged.birthYear !== undefined && merged.birthYear > new Date(nowMs).getUTCFullYear()) {
    problems.push({ path: 'body.settings.birthYear', message: 'must not be in the future' })
  }
  if (patch.timeZone !== undefined && resolveTimeZone(patch.timeZone) === undefined) {
    problems.push({
      path: 'body.settings.timeZone',
      message: `${JSON.stringify(patch.timeZone)} is not a time zone: use an IANA name such as Europe/Berlin, UTC, or an offset such as +05:45`,
      reason: 'time_zone_invalid',
    })
  }
  if (problems.length > 0) {
    throw new AppError('invalid_argument', `Invalid settings: ${problems.map((p) => p.message).join('; ')}`, problems)
  }
  return merged
}
