// The `sensor-classifier` model kind: a dense classifier trained on a labelled dataset through the
// ML engine's training jobs, with a stratified held-out split and honest held-out metrics
// (accuracy, confusion matrix, per-label precision and recall, next to the majority baseline).
import { type Static, Type } from 'typebox'
import { Value } from 'typebox/value'
import { matchesSchema } from '../../platform/validation/schema-check.js'
import { AppError } from '../../errors.js'
import type { Db } from '../../platform/db/database.js'
import { listHeads } from '../../platform/ml-runtime/classifier-task.js'
import type { ModelTrainer, PreparedTraining, TrainingParams } from '../ml/training.service.js'
import { sortLabels } from './dataset-quality.js'
import { datasetRow, loadDataset } from './datasets.service.js'
import * as repo from './datasets.repository.js'
import { computeWidth } from './frame-layout.js'
import { seededRandom } from './synthetic-csi.js'

export const SENSOR_CLASSIFIER = 'sensor-classifier'

/** What a training request may set; the defaults train the seed's Dense(24) -> softmax in seconds. */
export const TrainClassifierBody = Type.Object(
  {
    hiddenUnits: Type.Optional(Type.Integer({ minimum: 2, maximum: 512, default: 24 })),
    maxEpochs: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000, default: 200 })),
    batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096, default: 32 })),
    learningRate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.005 })),
    patience: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2000,
        default: 15,
        description: 'epochs without a lower training loss before stopping',
      }),
    ),
    testShare: Type.Optional(
      Type.Number({
        minimum: 0.05,
        maximum: 0.5,
        default: 0.2,
        description: 'the share of each label held out for evaluation',
      }),
    ),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, default: 7 })),
  },
  { additionalProperties: false },
)
export type TrainClassifierBody = Static<typeof TrainClassifierBody>

const ClassifierParams = Type.Object({ datasetId: Type.String({ minLength: 1 }), ...TrainClassifierBody.properties })
type ClassifierParams = Required<Static<typeof ClassifierParams>>

/** The request's settings with their defaults, checked again when the job runs (params are stored as JSON). */
export function classifierParams(raw: TrainingParams): ClassifierParams {
  if (typeof raw.datasetId !== 'string')
    throw new AppError(
      'invalid_argument',
      'A sensor classifier trains on a dataset: POST /v1/sensor-datasets/:id/train',
    )
  const params = Value.Default(ClassifierParams, { ...raw }) as ClassifierParams
  if (!matchesSchema(ClassifierParams, params))
    throw new AppError('invalid_argument', 'Bad sensor-classifier training settings')
  return params
}

/** Each label's rows shuffled (seeded); `share` of them, at least one, held out: the split is the same for the same dataset and seed. */
export function stratifiedSplit(
  classIndices: Int32Array,
  classes: number,
  share: number,
  seed: number,
): { train: number[]; heldOut: number[] } {
  const random = seededRandom(seed)
  const train: number[] = []
  const heldOut: number[] = []
  for (let c = 0; c < classes; c += 1) {
    const rows = [...classIndices.keys()].filter((row) => classIndices[row] === c)
    for (let i = rows.length - 1; i > 0; i -= 1) {
      const k = Math.floor(random() * (i + 1))
      ;[rows[i], rows[k]] = [rows[k] as number, rows[i] as number]
    }
    const held = Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * share)))
    heldOut.push(...rows.slice(0, held))
    train.push(...rows.slice(held))
  }
  return { train, heldOut }
}

async function checkData(db: Db, userId: string, params: ClassifierParams) {
  const dataset = await datasetRow(db, userId, params.datasetId).catch(() => {
    throw new AppError('invalid_argument', `No dataset ${params.datasetId}`)
  })
  const counts = await repo.labelCounts(db, dataset.id)
  const small = [...counts].filter(([, n]) => n < 2).map(([label]) => label)
  if (counts.size < 2 || small.length > 0 || [...counts.values()].reduce((a, b) => a + b, 0) < 10) {
    throw new AppError(
      'invalid_argument',
      `Training needs at least 2 labels with 2 frames each and 10 frames in all; dataset ${dataset.name} has ${[...counts].map(([l, n]) => `${l}: ${n}`).join(', ') || 'none'}`,
    )
  }
  return dataset
}

export function sensorClassifierTrainer(): ModelTrainer {
  return {
    async assertEnoughData(db, userId, raw) {
      await checkData(db, userId, classifierParams(raw))
    },
    async prepare(db, userId, raw) {
      const params = classifierParams(raw)
      return prepareTraining(await loadDataset(db, await checkData(db, userId, params)), params)
    },
  }
}

function prepareTraining(data: Awaited<ReturnType<typeof loadDataset>>, params: ClassifierParams): PreparedTraining {
  const labels = sortLabels(data.labels)
  const index = new Map(labels.map((label, i) => [label, i]))
  const classIndices = Int32Array.from(data.labels, (label) => index.get(label) as number)
  const { train, heldOut } = stratifiedSplit(classIndices, labels.length, params.testShare, params.seed)
  const order = [...train, ...heldOut]
  const width = computeWidth(data.layout)
  const inputs = new Float32Array(order.length * width)
  order.forEach((row, i) => inputs.set(data.values.subarray(row * width, (row + 1) * width), i * width))
  const spec = {
    groups: data.layout.map(({ name, length }) => ({ name, length })),
    classes: labels.length,
    hiddenUnits: params.hiddenUnits,
    learningRate: params.learningRate,
  }
  const heads = listHeads(spec)
  const trainLabels = Int32Array.from(order, (row) => classIndices[row] as number)
  return {
    task: {
      op: 'train-classifier',
      spec,
      inputs,
      labels: trainLabels,
      validationCount: heldOut.length,
      maxEpochs: params.maxEpochs,
      batchSize: params.batchSize,
      patience: params.patience,
      seed: params.seed,
      meta: { labels },
    },
    params: {
      ...params,
      labels,
      layout: spec.groups,
      heads,
      split: 'stratified',
      trainingExamples: train.length,
      heldOutExamples: heldOut.length,
      sampledFrom: data.total,
    },
    dataFrom: null,
    dataTo: null,
    examples: order.length,
    evaluate: (outputs) =>
      evaluate(
        outputs,
        heads,
        labels,
        Int32Array.from(heldOut, (row) => classIndices[row] as number),
        Int32Array.from(train, (row) => classIndices[row] as number),
      ),
  }
}

const argmax = (values: ArrayLike<number>, from: number, count: number) => {
  let best = 0
  for (let c = 1; c < count; c += 1) if ((values[from + c] as number) > (values[from + best] as number)) best = c
  return best
}

/** Held-out metrics from the heads' probabilities (heads x rows x classes): the combined head's in full, every head's accuracy. */
export function evaluate(
  outputs: readonly number[],
  heads: readonly string[],
  labels: readonly string[],
  actual: Int32Array,
  trainClasses: Int32Array,
): Record<string, unknown> {
  const [rows, classes] = [actual.length, labels.length]
  const headAccuracy: Record<string, number> = {}
  let confusion: number[][] = []
  heads.forEach((head, h) => {
    const matrix = labels.map(() => new Array<number>(classes).fill(0))
    let correct = 0
    for (let r = 0; r < rows; r += 1) {
      const predicted = argmax(outputs, (h * rows + r) * classes, classes)
      ;(matrix[actual[r] as number] as number[])[predicted] =
        ((matrix[actual[r] as number] as number[])[predicted] as number) + 1
      if (predicted === actual[r]) correct += 1
    }
    headAccuracy[head] = rows > 0 ? correct / rows : 0
    if (head === 'combined') confusion = matrix
  })
  const trainCounts = labels.map((_, c) => trainClasses.filter((k) => k === c).length)
  const majority = trainCounts.indexOf(Math.max(...trainCounts))
  const perLabel = labels.map((label, c) => {
    const truePositive = (confusion[c] as number[])[c] as number
    const predicted = confusion.reduce((sum, row) => sum + (row[c] as number), 0)
    const support = (confusion[c] as number[]).reduce((a, b) => a + b, 0)
    return {
      label,
      precision: predicted > 0 ? truePositive / predicted : 0,
      recall: support > 0 ? truePositive / support : 0,
      support,
    }
  })
  return {
    accuracy: headAccuracy.combined ?? 0,
    majorityBaseline: rows > 0 ? actual.filter((c) => c === majority).length / rows : 0,
    majorityLabel: labels[majority],
    heldOutExamples: rows,
    trainingExamples: trainClasses.length,
    labels: [...labels],
    confusionMatrix: confusion,
    perLabel,
    heads: headAccuracy,
  }
}
