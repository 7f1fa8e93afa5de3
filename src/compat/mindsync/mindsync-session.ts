// The seed's session JSON: its checks in the seed's order and with its messages, then the type
// checks the seed lacked (it crashed with a 500 instead), then the mapping to pulsebase's session.
import type { CreateSessionBody, Period, Session } from '../../domains/meditation/meditation.schema.js'
import { isVisualization } from '../../domains/meditation/meditation.features.js'

export class MindsyncError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, string>,
  ) {
    super(body.error ?? body.message)
  }
}

const bad = (error: string) => new MindsyncError(400, { error })
const TOP_LEVEL = ['deviceId', 'date', 'duration', 'isCompleted', 'isCanceled', 'sessionPeriods'] as const
const PERIOD_FIELDS = ['heartRateMeasurements', 'visualization', 'beatFrequency', 'breathingPattern', 'breathingPatternMultiplier', 'isHapticFeedbackEnabled'] as const
const MAX_DEVICE_ID = 128
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const isFalsy = (v: unknown) => !v || (isObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0)

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
    for (const field of PERIOD_FIELDS) if (!(field in period)) throw bad(`Missing required field '${field}' in session period at index ${i}`)
    if (!Array.isArray(period.heartRateMeasurements)) throw bad(`Field 'heartRateMeasurements' in session period at index ${i} must be a list.`)
    period.heartRateMeasurements.forEach((m: unknown, j) => {
      for (const field of ['date', 'heartRate']) {
        if (!isObject(m) || !(field in m)) throw bad(`Missing required field '${field}' in heart rate measurement at index ${j} in session period at index ${i}`)
      }
    })
  })
}

/** ISO-8601 with or without fraction and zone; no zone is read as UTC (the client's dates carry a literal Z anyway). */
export function parseSeedDate(value: unknown, where: string): string {
  if (typeof value !== 'string' || !DATE.test(value)) throw bad(`Invalid date ${JSON.stringify(value)} ${where}: expected ISO-8601 like 2024-01-01T21:47:31.000Z.`)
  const ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`)
  if (Number.isNaN(ms)) throw bad(`Invalid date ${JSON.stringify(value)} ${where}: expected ISO-8601 like 2024-01-01T21:47:31.000Z.`)
  return new Date(ms).toISOString()
}

function numberOr(value: unknown, what: string, allowNull: boolean): number | null {
  if (value === null && allowNull) return null
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(`Invalid value for ${what}: expected a number${allowNull ? ' or null' : ''}.`)
  return value
}

function bool(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw bad(`Invalid value for ${what}: expected true or false.`)
  return value
}

function toPeriod(raw: Json, i: number): Period {
  const at = `in session period at index ${i}`
  const name = raw.visualization
  if (name !== null && (typeof name !== 'string' || !isVisualization(name.toLowerCase()))) {
    throw bad(`Unknown visualization ${JSON.stringify(name)} ${at}; expected one of Arctic, Aurora, Circle, City, Golden, Japan, Metropolis, Nature, Plants, Skyline.`)
  }
  const multiplier = numberOr(raw.breathingPatternMultiplier, `'breathingPatternMultiplier' ${at}`, false) as number
  if (multiplier <= 0 || multiplier > 10) throw bad(`Invalid value for 'breathingPatternMultiplier' ${at}: expected a number above 0 and at most 10.`)
  const beat = numberOr(raw.beatFrequency, `'beatFrequency' ${at}`, true)
  if (beat !== null && (beat < 0 || beat > 1000)) throw bad(`Invalid value for 'beatFrequency' ${at}: expected 0 to 1000 Hz.`)
  const heartRates = (raw.heartRateMeasurements as Json[]).map((m, j) => {
    const where = `in heart rate measurement at index ${j} ${at}`
    const bpm = numberOr(m.heartRate, `'heartRate' ${where}`, false) as number
    if (bpm <= 0 || bpm > 400) throw bad(`Invalid value for 'heartRate' ${where}: expected a number above 0 and at most 400.`)
    return { timestamp: parseSeedDate(m.date, where), bpm }
  })
  return {
    visualization: typeof name === 'string' ? name.toLowerCase() : null,
    beatFrequency: beat,
    breathingPattern: raw.breathingPattern,
    breathingMultiplier: multiplier,
    isHapticFeedbackEnabled: bool(raw.isHapticFeedbackEnabled, `'isHapticFeedbackEnabled' ${at}`),
    heartRates,
  }
}

/** The seed's session body as pulsebase's, or a MindsyncError with the seed's 400 body. */
export function parseMindsyncSession(body: unknown): { deviceId: string; session: CreateSessionBody } {
  checkPresence(body)
  const deviceId = body.deviceId as string
  if (deviceId.length > MAX_DEVICE_ID) throw bad(`Device ID is too long (at most ${MAX_DEVICE_ID} characters).`)
  const duration = body.duration
  if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 0 || duration > 86_400) throw bad("Invalid value for 'duration': expected whole seconds from 0 to 86400.")
  return {
    deviceId,
    session: {
      date: parseSeedDate(body.date, "in field 'date'"),
      durationSeconds: duration,
      isCompleted: bool(body.isCompleted, "'isCompleted'"),
      isCanceled: bool(body.isCanceled, "'isCanceled'"),
      periods: (body.sessionPeriods as Json[]).map(toPeriod),
    },
  }
}

/** A stored session in the seed's JSON. Dates keep their milliseconds and Z (the seed dropped both). */
export function toMindsyncSession(deviceId: string, session: Session) {
  return {
    deviceId,
    date: session.date,
    duration: session.durationSeconds,
    isCompleted: session.isCompleted,
    isCanceled: session.isCanceled,
    sessionPeriods: session.periods.map((p) => ({
      heartRateMeasurements: p.heartRates.map((h) => ({ date: h.timestamp, heartRate: h.bpm })),
      visualization: p.visualization,
      beatFrequency: p.beatFrequency,
      breathingPattern: p.breathingPattern,
      breathingPatternMultiplier: p.breathingMultiplier,
      isHapticFeedbackEnabled: p.isHapticFeedbackEnabled,
    })),
  }
}
