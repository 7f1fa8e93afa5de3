import { AppError, type ErrorDetail } from '../../errors.js'
import type { UserSettings } from './auth.schema.js'

/** The seed heart-rate service's ranges, used wherever a user has not set their own. */
const DEFAULT_HEART_RATE_LIMITS = { validMin: 40, validMax: 180, lowAlert: 50, highAlert: 150 } as const

export type HeartRateLimits = { readonly [K in keyof typeof DEFAULT_HEART_RATE_LIMITS]: number }

export function heartRateLimitsOf(settings: UserSettings): HeartRateLimits {
  return { ...DEFAULT_HEART_RATE_LIMITS, ...settings.heartRate }
}

/** Merges a settings patch (given fields replace stored ones) and checks the rules no single field can. */
export function mergeSettings(current: UserSettings, patch: UserSettings): UserSettings {
  const merged: UserSettings = { ...current, ...patch }
  if (patch.heartRate !== undefined) merged.heartRate = { ...current.heartRate, ...patch.heartRate }
  const limits = heartRateLimitsOf(merged)
  const problems: ErrorDetail[] = []
  if (!(limits.validMin <= limits.lowAlert && limits.lowAlert < limits.highAlert && limits.highAlert <= limits.validMax)) {
    problems.push({
      path: 'body.settings.heartRate',
      message: `must satisfy validMin <= lowAlert < highAlert <= validMax (got ${limits.validMin}, ${limits.lowAlert}, ${limits.highAlert}, ${limits.validMax})`,
    })
  }
  if (merged.restingHeartRate !== undefined && merged.maxHeartRate !== undefined && merged.restingHeartRate >= merged.maxHeartRate) {
    problems.push({ path: 'body.settings.restingHeartRate', message: 'must be below maxHeartRate' })
  }
  if (merged.birthYear !== undefined && merged.birthYear > new Date().getUTCFullYear()) {
    problems.push({ path: 'body.settings.birthYear', message: 'must not be in the future' })
  }
  if (problems.length > 0) {
    throw new AppError('invalid_argument', `Invalid settings: ${problems.map((p) => p.message).join('; ')}`, problems)
  }
  return merged
}
