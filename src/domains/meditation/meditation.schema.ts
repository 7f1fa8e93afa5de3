import { type Static, Type } from 'typebox'
import { NextCursor } from '../../platform/pagination/page-cursor.js'
import { VISUALIZATIONS } from './meditation.features.js'

const CHECKED = 'checked like an ingested heart-rate sample (from 2000 on, not ahead of the clock)'
const DateTime = Type.String({ format: 'date-time', description: `RFC 3339 with a zone; ${CHECKED}` })
/** What seed clients send: an RFC 3339 date-time, with or without its zone (placed in the device's or user's zone). */
const LocalOrZonedDateTime = Type.String({
  minLength: 1,
  maxLength: 40,
  description: `RFC 3339 date-time, with or without a zone; ${CHECKED}`,
})

function measurementSchema(dateTime: typeof DateTime | typeof LocalOrZonedDateTime) {
  return Type.Object(
    {
      timestamp: dateTime,
      bpm: Type.Number({ description: 'bpm; checked like an ingested heart-rate sample: plausible from 20 to 250' }),
    },
    { additionalProperties: false },
  )
}

export const HeartRateMeasurement = measurementSchema(DateTime)

function periodSchema(dateTime: typeof DateTime | typeof LocalOrZonedDateTime) {
  return Type.Object(
    {
      visualization: Type.Union([Type.String({ enum: [...VISUALIZATIONS] }), Type.Null()]),
      beatFrequency: Type.Union([Type.Number({ minimum: 0, maximum: 1000 }), Type.Null()], {
        description: 'binaural beat, Hz (0-1000)',
      }),
      breathingPattern: Type.Unknown({
        description: 'any JSON, stored as sent (e.g. [{"inhale":4},{"hold":7},{"exhale":8}])',
      }),
      breathingMultiplier: Type.Number({ exclusiveMinimum: 0, maximum: 10 }),
      isHapticFeedbackEnabled: Type.Boolean(),
      heartRates: Type.Array(measurementSchema(dateTime), { maxItems: 10_000 }),
    },
    { additionalProperties: false },
  )
}
export const Period = periodSchema(DateTime)
export type Period = Static<typeof Period>

function sessionSchema(dateTime: typeof DateTime | typeof LocalOrZonedDateTime) {
  return Type.Object(
    {
      date: dateTime,
      durationSeconds: Type.Integer({ minimum: 0, maximum: 86_400, description: 'Seconds' }),
      isCompleted: Type.Boolean(),
      isCanceled: Type.Boolean(),
      periods: Type.Array(periodSchema(dateTime), { minItems: 1, maxItems: 500 }),
    },
    { additionalProperties: false },
  )
}
export const CreateSessionBody = sessionSchema(DateTime)
export type CreateSessionBody = Static<typeof CreateSessionBody>
/** The same session from a seed client: date-times may lack their zone (see `DateOptions.isLocalTimeAllowed`). */
export const SeedSessionBody = sessionSchema(LocalOrZonedDateTime)

export const Session = Type.Object({
  id: Type.String(),
  deviceId: Type.Union([Type.String(), Type.Null()]),
  date: Type.String({ format: 'date-time' }),
  durationSeconds: Type.Integer(),
  isCompleted: Type.Boolean(),
  isCanceled: Type.Boolean(),
  periods: Type.Array(Period),
  createdAt: Type.String({ format: 'date-time' }),
})
export type Session = Static<typeof Session>

export const SessionList = Type.Object({ sessions: Type.Array(Session), nextCursor: NextCursor })
export const SessionParams = Type.Object({ id: Type.String({ maxLength: 64 }) })
export const SessionsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    deviceId: Type.Optional(Type.String({ maxLength: 64, description: "only this device's sessions" })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
)

export const RecommendationBody = Type.Object(
  {
    recentPeriods: Type.Optional(
      Type.Array(Period, {
        maxItems: 50,
        description:
          'periods not stored yet (e.g. of the session in progress), oldest first; they follow the stored ones',
      }),
    ),
  },
  { additionalProperties: false },
)
export type RecommendationBody = Static<typeof RecommendationBody>

export const Recommendation = Type.Object({
  beatFrequency: Type.Number(),
  visualization: Type.String(),
  breathingMultiplier: Type.Number(),
  predictedHeartRate: Type.Number({
    description: 'mean heart rate the model expects for the next period with this configuration (bpm, 1 decimal)',
  }),
  candidates: Type.Integer({ description: 'configurations scored' }),
  modelId: Type.String(),
  modelVersion: Type.Integer(),
})
export type Recommendation = Static<typeof Recommendation>
