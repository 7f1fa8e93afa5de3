// Trained sensor classifiers: training on a dataset, and predictions on the ML engine's inference
// thread (never on the event loop), refused with 429 rather than queued without bound.
import { AppError } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { MlRuntime } from '../../platform/ml-runtime/ml-runtime.js'
import type { ClassifierPrediction } from '../../platform/ml-runtime/ml-tasks.js'
import type { Model, TrainingJob } from '../ml/ml.schema.js'
import {
  findModel,
  type ListPageQuery,
  listModels,
  requestTraining,
  type TrainingDeps,
} from '../ml/training.service.js'
import { classifierParams, SENSOR_CLASSIFIER, stratifiedSplit, type TrainClassifierBody } from './classifier.js'
import { datasetRow, loadDataset } from './datasets.service.js'
import { checkChannels } from './frame-checks.js'
import { describeLayout, isSameLayout, type Layout } from './frame-layout.js'
import type { PredictBody, Prediction } from './sensor-models.schema.js'

export interface SensorModelsDeps {
  readonly training: TrainingDeps
  readonly runtime: MlRuntime
  /** Inference tasks in flight beyond which a predict request gets 429. */
  readonly maxBacklog: number
}

/** What predicting with a model needs to know, from its stored params. */
export interface ClassifierInfo {
  readonly modelId: string
  /** The blob key prefix of the model's files. */
  readonly artifact: string
  readonly labels: readonly string[]
  readonly layout: Layout
  readonly heads: readonly string[]
}

export async function trainOnDataset(
  deps: SensorModelsDeps,
  owner: Principal,
  datasetId: string,
  body: TrainClassifierBody,
): Promise<TrainingJob> {
  return requestTraining(deps.training, owner.userId, SENSOR_CLASSIFIER, { ...body, datasetId })
}

/** The owner's sensor classifiers, newest first, a page at a time (see `listModels`). */
export async function listSensorModels(
  deps: SensorModelsDeps,
  owner: Principal,
  query: ListPageQuery,
): Promise<{ models: Model[]; nextCursor: string | null }> {
  return listModels(deps.training, owner.userId, query, SENSOR_CLASSIFIER)
}

export async function getSensorModel(deps: SensorModelsDeps, owner: Principal, modelId: string): Promise<Model> {
  return (await classifierModel(deps, owner.userId, modelId)).model
}

async function classifierModel(deps: SensorModelsDeps, userId: string, modelId: string) {
  const found = await findModel(deps.training, userId, modelId)
  if (found.model.kind !== SENSOR_CLASSIFIER) throw new AppError('not_found', `No sensor classifier ${modelId}`)
  return found
}

export async function classifierInfo(deps: SensorModelsDeps, userId: string, modelId: string): Promise<ClassifierInfo> {
  const { model, artifact } = await classifierModel(deps, userId, modelId)
  const params = model.params as { labels: string[]; layout: Layout; heads: string[] }
  return { modelId, artifact, labels: params.labels, layout: params.layout, heads: params.heads }
}

/** Per row: the combined head's label and probabilities, and every head's. */
export function toPredictions(
  info: Pick<ClassifierInfo, 'labels'>,
  output: ClassifierPrediction,
  rows: number,
): Prediction[] {
  const { heads, classes, probabilities } = output
  return Array.from({ length: rows }, (_, r) => {
    const perHead = Object.fromEntries(
      heads.map((head, h) => {
        const from = (h * rows + r) * classes
        const probs = Object.fromEntries(info.labels.map((label, c) => [label, probabilities[from + c] as number]))
        let best = 0
        for (let c = 1; c < classes; c += 1)
          if ((probabilities[from + c] as number) > (probabilities[from + best] as number)) best = c
        return [head, { label: info.labels[best] as string, probabilities: probs }]
      }),
    )
    const combined = perHead.combined as { label: string; probabilities: Record<string, number> }
    return { label: combined.label, probabilities: combined.probabilities, heads: perHead }
  })
}

/** Runs rows through a classifier on the inference thread; 429 when that thread is already this far behind. */
export async function classify(
  deps: SensorModelsDeps,
  info: ClassifierInfo,
  inputs: Float32Array,
  rows: number,
): Promise<Prediction[]> {
  if (deps.runtime.inferenceBacklog() >= deps.maxBacklog)
    throw new AppError('rate_limited', 'The inference thread is busy; try again shortly')
  return toPredictions(info, await deps.runtime.predictClassifier({ artifact: info.artifact, inputs }), rows)
}

/**
 * The classifier's predictions on its own held-out rows (the split is drawn again from the stored
 * dataset id, share and seed, so it is the one the metrics came from while the dataset is unchanged).
 */
export async function predictHeldOut(
  deps: SensorModelsDeps,
  userId: string,
  modelId: string,
): Promise<{ actual: string[]; predictions: Prediction[] }> {
  const info = await classifierInfo(deps, userId, modelId)
  const { model } = await classifierModel(deps, userId, modelId)
  const params = classifierParams(model.params)
  const data = await loadDataset(deps.training.db, await datasetRow(deps.training.db, userId, params.datasetId))
  const index = new Map(info.labels.map((label, i) => [label, i]))
  const classIndices = Int32Array.from(data.labels, (label) => index.get(label) ?? -1)
  const { heldOut } = stratifiedSplit(classIndices, info.labels.length, params.testShare, params.seed)
  const width = info.layout.reduce((sum, g) => sum + g.length, 0)
  const inputs = new Float32Array(heldOut.length * width)
  heldOut.forEach((row, i) => inputs.set(data.values.subarray(row * width, (row + 1) * width), i * width))
  const predictions = heldOut.length === 0 ? [] : await classify(deps, info, inputs, heldOut.length)
  return { actual: heldOut.map((row) => data.labels[row] as string), predictions }
}

export async function predictFrames(deps: SensorModelsDeps, owner: Principal, modelId: string, body: PredictBody) {
  const info = await classifierInfo(deps, owner.userId, modelId)
  const width = info.layout.reduce((sum, g) => sum + g.length, 0)
  const inputs = new Float32Array(body.frames.length * width)
  body.frames.forEach((frame, i) => {
    const checked = checkChannels('', frame.channels)
    if ('reason' in checked)
      throw new AppError('invalid_argument', `frames[${i}]: ${checked.message}`, [
        { path: `body.frames.${i}.channels`, message: checked.message },
      ])
    if (!isSameLayout(checked.layout, info.layout)) {
      throw new AppError(
        'invalid_argument',
        `frames[${i}] has ${describeLayout(checked.layout)}; the model takes ${describeLayout(info.layout)}`,
        [{ path: `body.frames.${i}.channels`, message: 'wrong layout' }],
      )
    }
    inputs.set(checked.values, i * width)
  })
  return { modelId, labels: [...info.labels], predictions: await classify(deps, info, inputs, body.frames.length) }
}
