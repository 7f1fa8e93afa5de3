import { type Static, Type } from 'typebox'
import { InstantText } from '../../platform/time/date-time.js'

export const MAX_BATCH_FRAMES = 10_000

const Iso = Type.String({ format: 'date-time' })
const Id = Type.String({ minLength: 1, maxLength: 64 })
// A frame's own timestamp is checked per frame (a verdict each); a query's bounds with the schema.
const Instant = Type.String({
  minLength: 1,
  maxLength: 40,
  description: 'ISO-8601 date-time with a zone or epoch milliseconds',
})
export const FrameKind = Type.String({
  pattern: '^[a-z][a-z0-9_-]{0,31}$',
  description: 'csi, rssi, imu or a name of your own',
})

const FRAME_REJECTION_REASONS = [
  'frame_invalid',
  'kind_invalid',
  'timestamp_invalid',
  'timestamp_before_2000',
  'timestamp_in_future',
  'channels_invalid',
  'value_not_a_number',
  'value_out_of_range',
  'layout_mismatch',
  'duplicate_in_batch',
] as const
export type FrameRejectionReason = (typeof FRAME_REJECTION_REASONS)[number]

/** Documents one frame; frames are checked one by one in the service so one bad frame gets its own verdict. */
export const FrameIn = Type.Object(
  {
    kind: FrameKind,
    timestamp: Type.Union([Instant, Type.Integer()]),
    channels: Type.Record(Type.String(), Type.Array(Type.Number()), {
      description: 'named channel groups, e.g. {"magnitude":[53 values],"phase":[53 values]}',
    }),
  },
  { additionalProperties: false },
)

export const FrameBatchBody = Type.Object(
  {
    frames: Type.Array(Type.Unknown({ description: 'a frame: see FrameIn' }), {
      minItems: 1,
      maxItems: MAX_BATCH_FRAMES,
    }),
  },
  { additionalProperties: false },
)

export const FrameVerdict = Type.Object({
  status: Type.Union([Type.Literal('stored'), Type.Literal('rejected')]),
  alreadyStored: Type.Optional(
    Type.Boolean({ description: 'The same (device, kind, timestamp) was stored before; nothing changed' }),
  ),
  reason: Type.Optional(Type.Unsafe<FrameRejectionReason>({ type: 'string', enum: [...FRAME_REJECTION_REASONS] })),
  message: Type.Optional(Type.String()),
})
export type FrameVerdict = Static<typeof FrameVerdict>

export const FrameIngestResult = Type.Object({
  stored: Type.Integer({ description: 'frames stored now or before (idempotent)' }),
  rejected: Type.Integer(),
  verdicts: Type.Array(FrameVerdict, { description: 'one per frame sent, in order' }),
})
export type FrameIngestResult = Static<typeof FrameIngestResult>

export const FramesQuery = Type.Object(
  {
    deviceId: Id,
    kind: FrameKind,
    from: Type.Optional(InstantText),
    to: Type.Optional(InstantText),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 1000 })),
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'the nextAfter of the previous page' })),
  },
  { additionalProperties: false },
)

export const ExportQuery = Type.Object(
  { deviceId: Id, kind: FrameKind, from: Type.Optional(InstantText), to: Type.Optional(InstantText) },
  { additionalProperties: false },
)

export const LayoutSchema = Type.Array(Type.Object({ name: Type.String(), length: Type.Integer() }))

export const FramePage = Type.Object({
  deviceId: Type.String(),
  kind: Type.String(),
  layout: LayoutSchema,
  frames: Type.Array(Type.Object({ timestamp: Iso, channels: Type.Record(Type.String(), Type.Array(Type.Number())) })),
  nextAfter: Type.Union([Type.Integer(), Type.Null()], {
    description: 'pass as `after` for the next page; null at the end',
  }),
})

export const StreamList = Type.Object({
  streams: Type.Array(
    Type.Object({ deviceId: Type.String(), kind: Type.String(), layout: LayoutSchema, createdAt: Iso }),
  ),
})
