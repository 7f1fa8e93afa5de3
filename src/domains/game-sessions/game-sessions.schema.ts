import { type Static, Type } from 'typebox'
import { NextCursor } from '../../platform/pagination/page-cursor.js'
import { INSTANT_DESCRIPTION } from '../../platform/time/date-time.js'

const Iso = Type.String({ format: 'date-time' })
const Instant = Type.Union([Type.String({ minLength: 1, maxLength: 40 }), Type.Number()], {
  description: INSTANT_DESCRIPTION,
})
export const GameId = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
  description: 'The game, e.g. "tap-speed"',
})

export const MAX_CHANNELS = 64
export const MAX_DIMENSIONS = 64

const Sample = Type.Object(
  {
    t: Type.Number({ description: 'Epoch milliseconds' }),
    v: Type.Array(Type.Number(), {
      minItems: 1,
      maxItems: MAX_DIMENSIONS,
      description: 'The reading: one number per axis or sensor',
    }),
  },
  { additionalProperties: false },
)
const Channel = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9._-]+$',
      description: 'e.g. "flex" or "imu"',
    }),
    samples: Type.Array(Sample, { minItems: 1 }),
  },
  { additionalProperties: false },
)
export type Channel = Static<typeof Channel>

export const CreateGameSessionBody = Type.Object(
  {
    id: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'Client-chosen id: a retried upload with the same id is stored once',
      }),
    ),
    gameId: GameId,
    gameName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    score: Type.Number(),
    startedAt: Instant,
    endedAt: Instant,
    channels: Type.Array(Channel, { minItems: 1, maxItems: MAX_CHANNELS }),
  },
  { additionalProperties: false },
)
export type CreateGameSessionBody = Static<typeof CreateGameSessionBody>

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

export const ChannelAnalysis = Type.Object({
  name: Type.String(),
  sampleCount: Type.Integer(),
  durationMs: Type.Number(),
  mean: Type.Array(Type.Number(), { description: "Per axis, in the channel's own units (6 significant digits)" }),
  min: Type.Array(Type.Number(), { description: "Per axis, in the channel's own units" }),
  max: Type.Array(Type.Number(), { description: "Per axis, in the channel's own units" }),
  standardDeviation: Type.Array(Type.Number(), {
    description: "Population standard deviation per axis, in the channel's own units (6 significant digits)",
  }),
  rangeOfMotion: Type.Array(Type.Number(), {
    description: "max - min, per axis, in the channel's own units (6 significant digits)",
  }),
})
export type ChannelAnalysis = Static<typeof ChannelAnalysis>

export const Progress = Type.Object({
  previousSessions: Type.Integer({ description: 'Processed sessions of the same game that ended before this one' }),
  previousMeanScore: Nullable(Type.Number({ description: "The game's score units (2 decimals)" })),
  scoreChange: Nullable(Type.Number({ description: 'score - previousMeanScore (2 decimals)' })),
  progressScore: Nullable(
    Type.Number({
      description:
        'Percent (2 decimals) of the previous sessions this score beats (ties count half); null for the first',
    }),
  ),
  rangeOfMotionChange: Nullable(Type.Number({ description: "Mean range of motion minus the previous sessions' mean" })),
})
export type Progress = Static<typeof Progress>

export const Analysis = Type.Object({
  channels: Type.Array(ChannelAnalysis),
  rangeOfMotion: Type.Number({ description: "Mean of every channel's per-axis range of motion" }),
  progress: Progress,
})
export type Analysis = Static<typeof Analysis>

export const SessionState = Type.Union([Type.Literal('processing'), Type.Literal('processed'), Type.Literal('failed')])

export const GameSession = Type.Object({
  id: Type.String(),
  gameId: Type.String(),
  gameName: Nullable(Type.String()),
  score: Type.Number(),
  startedAt: Iso,
  endedAt: Iso,
  deviceId: Nullable(Type.String()),
  state: SessionState,
  channels: Type.Array(Type.Object({ name: Type.String(), sampleCount: Type.Integer(), dimensions: Type.Integer() })),
  sampleCount: Type.Integer(),
  createdAt: Iso,
  processedAt: Nullable(Iso),
  failure: Nullable(Type.String()),
  analysis: Nullable(Analysis),
})
export type GameSession = Static<typeof GameSession>

export const SessionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 36 }) })

export const ListQuery = Type.Object({
  game: Type.Optional(GameId),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
})
export const SessionPage = Type.Object({ sessions: Type.Array(GameSession), nextCursor: NextCursor })

export const ProgressParams = Type.Object({ game: GameId })
export const ProgressQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) })
export const GameProgress = Type.Object({
  gameId: Type.String(),
  sessions: Type.Integer({ description: 'Processed sessions in the trend' }),
  firstScore: Nullable(Type.Number()),
  lastScore: Nullable(Type.Number()),
  bestScore: Nullable(Type.Number()),
  meanScore: Nullable(Type.Number({ description: "The game's score units (2 decimals)" })),
  scoreSlope: Nullable(Type.Number({ description: 'Least-squares change in score per session (2 decimals)' })),
  points: Type.Array(
    Type.Object({
      sessionId: Type.String(),
      endedAt: Iso,
      score: Type.Number(),
      progressScore: Nullable(Type.Number()),
      rangeOfMotion: Nullable(Type.Number()),
    }),
  ),
})
export type GameProgress = Static<typeof GameProgress>

/** ProcessingEvent: enqueued with the session, in the same transaction. */
export const ProcessingEvent = Type.Object(
  { eventId: Type.String(), userId: Type.String(), sessionId: Type.String() },
  { additionalProperties: false },
)
/** ReconciliationEvent: enqueued with the analysis, in the same transaction; tells the user. */
export const ReconciliationEvent = Type.Object(
  {
    eventId: Type.String(),
    userId: Type.String(),
    sessionId: Type.String(),
    cursor: Type.Integer({ description: 'The sync change this event announces' }),
    state: Type.Union([Type.Literal('processed'), Type.Literal('failed')]),
  },
  { additionalProperties: false },
)
