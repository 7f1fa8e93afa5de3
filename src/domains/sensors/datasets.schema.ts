import { type Static, Type } from 'typebox'
import { FrameKind, LayoutSchema } from './sensors.schema.js'

const Iso = Type.String({ format: 'date-time' })
const Id = Type.String({ minLength: 1, maxLength: 64 })
export const Label = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[^\\r\\n,"]+$',
  description: 'e.g. a door angle, "0" to "90"',
})

export const CreateDatasetBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
)
export const DatasetParams = Type.Object({ id: Id })
export const RecordingParams = Type.Object({ id: Id, recordingId: Id })
export const DatasetListQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) },
  { additionalProperties: false },
)

export const LabelCount = Type.Object({ label: Type.String(), count: Type.Integer() })

export const Recording = Type.Object({
  id: Type.String(),
  datasetId: Type.String(),
  deviceId: Type.String(),
  kind: Type.String(),
  label: Type.String(),
  startedAt: Iso,
  stoppedAt: Type.Union([Iso, Type.Null()]),
  frameCount: Type.Integer({ description: 'frames added so far' }),
})
export type Recording = Static<typeof Recording>

export const Dataset = Type.Object({
  id: Type.String(),
  name: Type.String(),
  layout: Type.Union([LayoutSchema, Type.Null()], { description: 'fixed by the first frames added; null while empty' }),
  frameCount: Type.Integer(),
  labels: Type.Array(LabelCount),
  recordings: Type.Array(Recording),
  createdAt: Iso,
  updatedAt: Iso,
})
export type Dataset = Static<typeof Dataset>
export const DatasetList = Type.Object({ datasets: Type.Array(Dataset) })

export const StartRecordingBody = Type.Object(
  { deviceId: Id, kind: FrameKind, label: Label },
  { additionalProperties: false },
)
export type StartRecordingBody = Static<typeof StartRecordingBody>

export const ImportQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Union([Type.Literal('auto'), Type.Literal('seed'), Type.Literal('generic')], {
        default: 'auto',
        description:
          'seed: `Label,CH6_mag…,CH6_phase…`; generic: `label,f1,…,fn`; auto: seed when the header looks like it',
      }),
    ),
  },
  { additionalProperties: false },
)
export const ImportResult = Type.Object({
  imported: Type.Integer(),
  layout: LayoutSchema,
  labels: Type.Array(LabelCount),
})

const Channel = Type.Object({
  name: Type.String(),
  fisherRatio: Type.Number({ description: 'between-label variance over within-label variance of this channel' }),
  overlap: Type.Number({
    description:
      'mean Bhattacharyya coefficient of the per-label normal fits over label pairs: 1 identical, 0 disjoint',
  }),
  byLabel: Type.Record(Type.String(), Type.Object({ mean: Type.Number(), variance: Type.Number() })),
})

export const QualityReport = Type.Object({
  datasetId: Type.String(),
  frames: Type.Integer({ description: 'frames analysed' }),
  labels: Type.Array(LabelCount),
  majorityRate: Type.Number({ description: 'the share of the largest label: what always guessing it scores' }),
  baseline: Type.Object({
    method: Type.Literal('gaussian-naive-bayes'),
    folds: Type.Integer(),
    accuracy: Type.Number({ description: 'stratified cross-validated accuracy' }),
  }),
  separability: Type.Object({
    meanFisherRatio: Type.Number(),
    maxFisherRatio: Type.Number(),
    meanOverlap: Type.Number(),
  }),
  channels: Type.Array(Channel),
  verdict: Type.Union([
    Type.Literal('separable'),
    Type.Literal('partly separable'),
    Type.Literal('indistinguishable from chance'),
    Type.Literal('too little data'),
  ]),
  summary: Type.String({ description: 'the verdict in a sentence' }),
})
export type QualityReport = Static<typeof QualityReport>
