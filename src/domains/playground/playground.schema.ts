// Wire schemas of `/v1/playground`; types derive from them.
import { type Static, Type } from 'typebox'
import { TrainingJob } from '../ml/ml.schema.js'
import { ModelSpec, ProblemType, SplitSpec } from './model-spec.schema.js'
import { Columns } from './uploads.js'

const Name = Type.String({ minLength: 1, maxLength: 200 })
const strict = { additionalProperties: false } as const

export const DatasetRef = Type.Union([
  Type.Object(
    {
      builtin: Type.String({
        minLength: 1,
        maxLength: 40,
        description: 'IRIS, WINE, BREAST CANCER, DIABETES or DIGITS',
      }),
    },
    strict,
  ),
  Type.Object(
    {
      id: Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'one of your uploaded CSV datasets (POST /v1/playground/uploads)',
      }),
    },
    strict,
  ),
])
export type DatasetRef = Static<typeof DatasetRef>

/** What a training run asks for; checked again when its job runs. */
export const TrainingRequest = Type.Object(
  {
    dataset: DatasetRef,
    target: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, default: 'target', description: 'the column to predict' }),
    ),
    features: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
        minItems: 1,
        maxItems: 1000,
        uniqueItems: true,
        description: 'the input columns; all but the target when left out',
      }),
    ),
    problemType: ProblemType,
    model: ModelSpec,
    split: Type.Optional(SplitSpec),
  },
  strict,
)
export type TrainingRequest = Static<typeof TrainingRequest>

export const CreateRunBody = Type.Object(
  {
    name: Type.Optional(Name),
    ...TrainingRequest.properties,
    notifyByEmail: Type.Optional(
      Type.Boolean({
        default: false,
        description: "e-mail the results to the account's own address when the run ends",
      }),
    ),
  },
  strict,
)
export type CreateRunBody = Static<typeof CreateRunBody>

export const BuiltinDatasetSummary = Type.Object({
  name: Type.String(),
  problemType: ProblemType,
  description: Type.String(),
  rows: Type.Integer(),
  columns: Columns,
  image: Type.Union([
    Type.Object({ height: Type.Integer(), width: Type.Integer(), channels: Type.Integer() }),
    Type.Null(),
  ]),
})
export const BuiltinDatasetList = Type.Object({ datasets: Type.Array(BuiltinDatasetSummary) })
export const BuiltinDatasetDetail = Type.Object({
  ...BuiltinDatasetSummary.properties,
  preview: Type.Array(Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()]))),
})
export const BuiltinParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 40 }) })

export const RocCurve = Type.Object({
  label: Type.String(),
  fpr: Type.Array(Type.Number()),
  tpr: Type.Array(Type.Number()),
  auc: Type.Number(),
})
export const EpochResult = Type.Object({
  epoch: Type.Integer(),
  trainLoss: Type.Number(),
  testLoss: Type.Union([Type.Number(), Type.Null()]),
  trainAccuracy: Type.Union([Type.Number(), Type.Null()]),
  testAccuracy: Type.Union([Type.Number(), Type.Null()]),
  seconds: Type.Number({ description: 'training time of the epoch' }),
})

/** A finished run's results: the model's held-out metrics as stored with it. */
export const RunResults = Type.Object({
  problemType: ProblemType,
  labels: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description: 'class names in output order (classification)',
  }),
  epochs: Type.Array(EpochResult),
  accuracy: Type.Union([Type.Number(), Type.Null()]),
  confusionMatrix: Type.Union([Type.Array(Type.Array(Type.Integer())), Type.Null()], {
    description: 'rows: actual class, columns: predicted',
  }),
  roc: Type.Union([Type.Array(RocCurve), Type.Null()], { description: 'one-vs-rest per class' }),
  r2: Type.Union([Type.Number(), Type.Null()]),
  mae: Type.Union([Type.Number(), Type.Null()]),
  mse: Type.Union([Type.Number(), Type.Null()]),
  trainingExamples: Type.Integer(),
  testExamples: Type.Integer(),
  trainSeconds: Type.Number({ description: 'time to train, all epochs' }),
})
export type RunResults = Static<typeof RunResults>

export const Run = Type.Object({
  id: Type.String({ description: 'the training job id' }),
  name: Type.String(),
  dataSource: Type.String(),
  notifyEmail: Type.Union([Type.String(), Type.Null()]),
  job: TrainingJob,
  results: Type.Union([RunResults, Type.Null()], { description: 'once the run succeeded' }),
  modelId: Type.Union([Type.String(), Type.Null()]),
  percent: Type.Number({ description: 'epochs done / planned x 100' }),
})
export type Run = Static<typeof Run>
export const RunList = Type.Object({ runs: Type.Array(Run) })
export const RunParams = Type.Object({ id: Type.String({ maxLength: 64 }) })
export const ModelParams = Type.Object({ id: Type.String({ maxLength: 64 }) })

export const PredictBody = Type.Object(
  {
    rows: Type.Array(Type.Array(Type.Number(), { minItems: 1, maxItems: 4096 }), {
      minItems: 1,
      maxItems: 10_000,
      description: 'feature values in the order of the model’s features',
    }),
  },
  strict,
)
export const PredictResult = Type.Object({
  modelId: Type.String(),
  features: Type.Array(Type.String()),
  labels: Type.Union([Type.Array(Type.String()), Type.Null()]),
  predictions: Type.Array(
    Type.Object({
      label: Type.Optional(Type.String()),
      probabilities: Type.Optional(Type.Array(Type.Number())),
      value: Type.Optional(Type.Number()),
    }),
  ),
})
