// The seed's session JSON: its presence checks in the seed's order and with its messages (CONTRACTS
// §1.4), the mapping to pulsebase's session, and pulsebase's own validation errors worded in the
// seed's terms. The rules (types, ranges, dates, heart-rate checks) are the meditation domain's.
import type { Static } from 'typebox'
import type { Period, SeedSessionBody } from '../../domains/meditation/meditation.schema.js'
import type { StoredSession } from '../../domains/meditation/meditation.service.js'
import type { ErrorDetail } from '../../errors.js'

export class MindsyncError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, string>,
  ) {
    super(body.error ?? body.message)
  }
}

export type SeedSession = Static<typeof SeedSessionBody>

export const bad = (error: string) => new MindsyncError(400, { error })
const TOP_LEVEL = ['deviceId', 'date', 'duration', 'isCompleted', 'isCanceled', 'sessionPeriods'] as const
const PERIOD_FIELDS = [
  'heartRateMeasurements',
  'visualization',
  'beatFrequency',
  'breathingPattern',
  'breathingPatternMultiplier',
  'isHapticFeedbackEnabled',
] as const
/** The identity column's size (compat_mindsync_devices.client_id): a wire limit of this adapter. */
const MAX_DEVICE_ID = 128
const SEED_VISUALIZATIONS = 'Arctic, Aurora, Circle, City, Golden, Japan, Metropolis, Nature, Plants, Skyline'

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const isFalsy = (v: unknown) =>
  !v || (isObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0)

/** §1.4 in order: the first failure wins. */
function checkPresence(body: unknown): asserts body is Json {
  if (isFalsy(body) || !isObject(body)) throw bad('Invalid request body')
  for (const field of TOP_LEVEL) if (!(field in body)) throw bad(`Missing required field: ${field}`)
  if (typeof body.deviceId !== 'string') throw bad("Field 'deviceId' must be a string.")
  if (body.deviceId.length === 0) throw bad('Device ID is empty. Please provide a valid device ID.')
  if (!Array.isArray(body.sessionPeriods)) throw bad("Field 'sessionPeriods' must be a list.")
  if (body.sessionPeriods.length === 0) throw bad('Session period list is empty.')
  body.sessionPeriods.forEach((period: unknown, i) => {
    if (!isObject(period)) throw bad(`Session period at index ${i} must be an object.`)
    for (const field of PERIOD_FIELDS)
      if (!(field in period)) throw bad(`Missing required field '${field}' in session period at index ${i}`)
    if (!Array.isArray(period.heartRateMeasurements))
      throw bad(`Field 'heartRateMeasurements' in session period at index ${i} must be a list.`)
    period.heartRateMeasurements.forEach((m: unknown, j) => {
      for (const field of ['date', 'heartRate']) {
        if (!isObject(m) || !(field in m))
          throw bad(
            `Missing required field '${field}' in heart rate measurement at index ${j} in session period at index ${i}`,
          )
      }
    })
  })
}

/** Seed field names -> pulsebase's, per level. */
const TOP_NAMES: Record<string, string> = {
  date: 'date',
  durationSeconds: 'duration',
  isCompleted: 'isCompleted',
  isCanceled: 'isCanceled',
}
const PERIOD_NAMES: Record<string, string> = { breathingMultiplier: 'breathingPatternMultiplier' }
const MEASUREMENT_NAMES: Record<string, string> = { timestamp: 'date', bpm: 'heartRate' }

/** Where a pulsebase path (`body.periods.2.heartRates.5.bpm`) points, in the seed's words. */
function toSeedPlace(path: string): string {
  const parts = path.replace(/^body\./, '').split('.')
  const [top, period, level2, measurement, field] = parts
  if (top !== 'periods' || period === undefined) return `'${TOP_NAMES[top ?? ''] ?? top}'`
  const inPeriod = `in session period at index ${period}`
  if (level2 === 'heartRates' && measurement !== undefined) {
    const name = field === undefined ? 'heartRateMeasurements' : (MEASUREMENT_NAMES[field] ?? field)
    return `'${name}' in heart rate measurement at index ${measurement} ${inPeriod}`
  }
  return `'${PERIOD_NAMES[level2 ?? ''] ?? level2 ?? 'sessionPeriods'}' ${inPeriod}`
}

/** A pulsebase validation problem as the seed's 400 (`Invalid value for '<field>' …: <what>.`). */
export function toSeedError(detail: ErrorDetail): MindsyncError {
  const place = toSeedPlace(detail.path ?? 'body')
  const what = place.startsWith("'visualization'")
    ? `expected null or one of ${SEED_VISUALIZATIONS}`
    : detail.message.replace(/\.$/, '')
  return bad(`Invalid value for ${place}: ${what}.`)
}

function toPeriod(raw: Json): SeedSession['periods'][number] {
  const name = raw.visualization
  return {
    visualization: (typeof name === 'string' ? name.toLowerCase() : name) as Period['visualization'],
    beatFrequency: raw.beatFrequency as number | null,
    breathingPattern: raw.breathingPattern,
    breathingMultiplier: raw.breathingPatternMultiplier as number,
    isHapticFeedbackEnabled: raw.isHapticFeedbackEnabled as boolean,
    heartRates: (raw.heartRateMeasurements as Json[]).map((m) => ({
      timestamp: m.date as string,
      bpm: m.heartRate as number,
    })),
  }
}

/**
 * The seed's session body mapped field for field onto pulsebase's (visualization names are
 * case-insensitive on the wire), or a MindsyncError with the seed's 400 for a missing field. Types
 * and ranges are checked afterwards with the domain's schema (`SeedSessionBody`).
 */
export function parseMindsyncSession(body: unknown): { deviceId: string; session: unknown } {
  checkPresence(body)
  const deviceId = body.deviceId as string
  if (deviceId.length > MAX_DEVICE_ID) throw bad(`Device ID is too long (at most ${MAX_DEVICE_ID} characters).`)
  return {
    deviceId,
    session: {
      date: body.date,
      durationSeconds: body.duration,
      isCompleted: body.isCompleted,
      isCanceled: body.isCanceled,
      periods: (body.sessionPeriods as Json[]).map(toPeriod),
    },
  }
}

/** A stored session in the seed's JSON, every date in the form it was sent (a stored one without that: RFC 3339 UTC). */
export function toMindsyncSession(deviceId: string, session: StoredSession) {
  return {
    deviceId,
    date: session.dateAsSent ?? session.date,
    duration: session.durationSeconds,
    isCompleted: session.isCompleted,
    isCanceled: session.isCanceled,
    sessionPeriods: session.periods.map((p) => ({
      heartRateMeasurements: p.heartRates.map((h) => ({ date: h.timestampAsSent ?? h.timestamp, heartRate: h.bpm })),
      visualization: p.visualization,
      beatFrequency: p.beatFrequency,
      breathingPattern: p.breathingPattern,
      breathingPatternMultiplier: p.breathingMultiplier,
      isHapticFeedbackEnabled: p.isHapticFeedbackEnabled,
    })),
  }
}
