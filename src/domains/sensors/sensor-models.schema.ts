import { type Static, Type } from 'typebox'
import { FrameKind } from './sensors.schema.js'

const Iso = Type.String({ format: 'date-time' })
const Id = Type.String({ minLength: 1, maxLength: 64 })
export const MAX_PREDICT_FRAMES = 10_000

export const ModelParams = Type.Object({ id: Id })
export const LiveParams = Type.Object({ deviceId: Id, kind: FrameKind })

export const PredictBody = Type.Object(
  {
    frames: Type.Array(
      Type.Object(
        {
          channels: Type.Record(Type.String(), Type.Array(Type.Number()), {
            description: "the model's channel groups, e.g. magnitude and phase",
          }),
          timestamp: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Integer()])),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_PREDICT_FRAMES },
    ),
  },
  { additionalProperties: false },
)
export type PredictBody = Static<typeof PredictBody>

const HeadPrediction = Type.Object({ label: Type.String(), probabilities: Type.Record(Type.String(), Type.Number()) })
export const Prediction = Type.Object({
  label: Type.String({ description: "the combined head's most likely label" }),
  probabilities: Type.Record(Type.String(), Type.Number()),
  heads: Type.Record(Type.String(), HeadPrediction, { description: 'every head: one per channel group, and combined' }),
})
export type Prediction = Static<typeof Prediction>
export const PredictResult = Type.Object({
  modelId: Type.String(),
  labels: Type.Array(Type.String()),
  predictions: Type.Array(Prediction),
})

export const LivePrediction = Type.Object({ timestamp: Iso, ...Prediction.properties })
export type LivePrediction = Static<typeof LivePrediction>

export const LiveClassifierBody = Type.Object({ modelId: Id }, { additionalProperties: false })
export const LiveClassifier = Type.Object({
  deviceId: Type.String(),
  kind: Type.String(),
  modelId: Type.String(),
  latest: Type.Union([Type.Object({ ...LivePrediction.properties, skipped: Type.Integer() }), Type.Null()], {
    description: 'the latest prediction (kept to within about a second)',
  }),
  createdAt: Iso,
})
export type LiveClassifier = Static<typeof LiveClassifier>
export const LiveClassifierList = Type.Object({ liveClassifiers: Type.Array(LiveClassifier) })

/** The Socket.IO `sensor-prediction` event: a device's frames classified as they arrived. */
export interface SensorPredictionEvent {
  readonly deviceId: string
  readonly kind: string
  readonly modelId: string
  readonly predictions: LivePrediction[]
  /** Frames of this stream that were coalesced (not classified) under load since the last event. */
  readonly skipped: number
}
