import { type Static, Type } from 'typebox'
import { NextCursor } from '../../platform/pagination/page-cursor.js'

export const ModelKind = Type.Union([
  Type.Literal('meditation'),
  Type.Literal('sensor-classifier'),
  Type.Literal('playground'),
])
export type ModelKind = Static<typeof ModelKind>

export const TrainingState = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
])
export type TrainingState = Static<typeof TrainingState>

export const TrainingEpoch = Type.Object({
  epoch: Type.Integer(),
  loss: Type.Number(),
  valLoss: Type.Union([Type.Number(), Type.Null()]),
  accuracy: Type.Optional(
    Type.Union([Type.Number(), Type.Null()], {
      description: 'classifiers that score it: share of training rows right after the epoch',
    }),
  ),
  valAccuracy: Type.Optional(
    Type.Union([Type.Number(), Type.Null()], { description: 'the same share on the held-out rows' }),
  ),
})
export type TrainingEpoch = Static<typeof TrainingEpoch>

/** What a finished meditation training looks like in the OpenAPI document. */
const TRAINING_JOB_EXAMPLE = {
  id: 'job-1',
  kind: 'meditation',
  state: 'succeeded',
  attempts: 1,
  error: null,
  modelId: 'model-1',
  isCancelRequested: false,
  createdAt: '2026-11-30T09:00:00.000Z',
  startedAt: '2026-11-30T09:00:01.000Z',
  finishedAt: '2026-11-30T09:00:09.000Z',
  durationMs: 8000,
  epochs: [{ epoch: 1, loss: 0.41, valLoss: 0.44 }],
}

const Instant = Type.Union([Type.String({ format: 'date-time' }), Type.Null()])

export const TrainingJob = Type.Object(
  {
    id: Type.String(),
    kind: Type.String(),
    state: TrainingState,
    attempts: Type.Integer({ description: 'runs started; a run whose worker died is retried' }),
    error: Type.Union([Type.String(), Type.Null()]),
    modelId: Type.Union([Type.String(), Type.Null()]),
    isCancelRequested: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    startedAt: Instant,
    finishedAt: Instant,
    durationMs: Type.Union([Type.Integer(), Type.Null()], { description: 'time to train, of the run that finished' }),
    epochs: Type.Array(TrainingEpoch),
  },
  { title: 'TrainingJob', examples: [TRAINING_JOB_EXAMPLE] },
)
export type TrainingJob = Static<typeof TrainingJob>

export const TrainingJobList = Type.Object(
  { trainingJobs: Type.Array(TrainingJob), nextCursor: NextCursor },
  { title: 'TrainingJobPage' },
)

export const CreateTrainingJobBody = Type.Object(
  { kind: ModelKind },
  { additionalProperties: false, title: 'CreateTrainingJobRequest', examples: [{ kind: 'meditation' }] },
)
export const TrainingJobParams = Type.Object({ id: Type.String({ maxLength: 64 }) })
export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
)

export const Model = Type.Object(
  {
    id: Type.String(),
    kind: Type.String(),
    version: Type.Integer(),
    params: Type.Record(Type.String(), Type.Unknown()),
    dataFrom: Instant,
    dataTo: Instant,
    examples: Type.Integer(),
    metrics: Type.Record(Type.String(), Type.Unknown(), {
      description: 'held-out evaluation; its fields depend on the kind',
    }),
    trainingJobId: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { title: 'Model' },
)
export type Model = Static<typeof Model>
export const ModelList = Type.Object({ models: Type.Array(Model), nextCursor: NextCursor }, { title: 'ModelPage' })

/** The Socket.IO `training` event: every state change and every finished epoch of a user's training jobs. */
export const TrainingEvent = Type.Object(
  {
    jobId: Type.String(),
    kind: Type.String(),
    state: TrainingState,
    epoch: Type.Optional(TrainingEpoch),
    percent: Type.Optional(
      Type.Number({ description: "With an epoch, when the run's epoch count is known: epochs done / planned x 100" }),
    ),
    modelId: Type.Optional(Type.String()),
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)
export type TrainingEvent = Static<typeof TrainingEvent>
