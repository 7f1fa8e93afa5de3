// From a training request and its table to the ML engine's task: features and target encoded, the
// rows split (seeded; stratified per class for classification when shuffling, as the seed did),
// the model's shape checked against the data before any thread is busy with it.
import { AppError } from '../../errors.js'
import type { TrainModelInput } from '../../platform/ml-runtime/ml-tasks.js'
import { layerShapes, type NetworkSpec } from '../../platform/ml-runtime/network-task.js'
import { seeded, shuffled } from '../../platform/ml-runtime/seeded.js'
import type { BuiltinDataset } from './builtin-datasets.js'
import type { ClassicalSpec, NetworkSpec as NetworkBody, ProblemType, SplitSpec } from './model-spec.schema.js'
import type { TrainingRequest } from './playground.schema.js'
import type { Table } from './table.js'

const invalid = (message: string, path: string) => new AppError('invalid_argument', message, [{ path, message }])

/** The encoded rows: features and targets, and what the encoding needs to be undone. */
export interface Encoded {
  readonly features: string[]
  readonly width: number
  /** rows x width. */
  readonly inputs: Float32Array
  readonly targets: Float32Array
  /** Class names in index order (classification), else null. */
  readonly labels: string[] | null
}

/** Category codes in sorted order (numbers numerically, text as text), like pandas' category codes. */
function categories(values: readonly (number | string)[]): string[] {
  const distinct = [...new Set(values)]
  const isNumeric = distinct.every((v) => typeof v === 'number')
  return (isNumeric ? (distinct as number[]).sort((a, b) => a - b) : distinct.map(String).sort()).map(String)
}

type EncodeRequest = Pick<TrainingRequest, 'target' | 'features' | 'problemType'>

/** Encodings already made of a table (a built-in dataset's table lives as long as the process), per request shape. */
const encodings = new WeakMap<Table, Map<string, Encoded>>()

/**
 * The table's features and target as numbers (`Encoded`; never changed by callers, so one table's
 * encoding for the same target, features and problem type is made once and shared). Throws
 * `invalid_argument` naming the column at fault.
 */
export function encode(table: Table, request: EncodeRequest): Encoded {
  const key = JSON.stringify([request.target ?? null, request.features ?? null, request.problemType])
  let byRequest = encodings.get(table)
  if (byRequest === undefined) {
    byRequest = new Map()
    encodings.set(table, byRequest)
  }
  let encoded = byRequest.get(key)
  if (encoded === undefined) {
    encoded = encodeTable(table, request)
    byRequest.set(key, encoded)
  }
  return encoded
}

function encodeTable(table: Table, request: EncodeRequest): Encoded {
  const targetName = request.target ?? 'target'
  const target = table.columns.find((c) => c.name === targetName)
  if (target === undefined)
    throw invalid(
      `The dataset has no column "${targetName}"; its columns are ${table.columns.map((c) => c.name).join(', ')}`,
      'body.target',
    )
  const names = request.features ?? table.columns.filter((c) => c.name !== targetName).map((c) => c.name)
  if (names.includes(targetName))
    throw invalid('A column that is selected as the target column cannot also be a feature column', 'body.features')
  const columns = names.map((name, i) => {
    const column = table.columns.find((c) => c.name === name)
    if (column === undefined) throw invalid(`The dataset has no column "${name}"`, `body.features.${i}`)
    if (column.type !== 'number')
      throw invalid(`Feature "${name}" holds text; features must be numbers`, `body.features.${i}`)
    return column.values as readonly number[]
  })
  if (columns.length === 0) throw invalid('At least one feature column is needed', 'body.features')
  const width = columns.length
  const inputs = new Float32Array(table.rows * width)
  for (let j = 0; j < width; j += 1) {
    const values = columns[j] as readonly number[]
    for (let r = 0; r < values.length; r += 1) inputs[r * width + j] = values[r] as number
  }
  if (request.problemType === 'regression') {
    if (target.type !== 'number')
      throw invalid(`Target "${targetName}" holds text; regression predicts a number`, 'body.target')
    return { features: names, width, inputs, targets: Float32Array.from(target.values as number[]), labels: null }
  }
  const labels = categories(target.values)
  if (labels.length < 2)
    throw invalid(`Target "${targetName}" has a single value; classification needs two classes or more`, 'body.target')
  if (labels.length > 1000)
    throw invalid(
      `Target "${targetName}" has ${labels.length} distinct values; classification takes at most 1000 classes`,
      'body.target',
    )
  const index = new Map(labels.map((label, i) => [label, i]))
  return {
    features: names,
    width,
    inputs,
    targets: Float32Array.from(target.values as readonly (number | string)[], (v) => index.get(String(v)) as number),
    labels,
  }
}

/**
 * Row order train-then-test and the test count. Like scikit-learn's train_test_split: the test
 * part is ceil(rows x testSize); unshuffled, it is the last rows.
 */
export function splitRows(
  targets: Float32Array,
  classes: number,
  split: Required<SplitSpec>,
): { order: Int32Array; testCount: number } {
  const rows = targets.length
  const testCount = Math.ceil(rows * split.testSize)
  if (!split.shuffle) return { order: Int32Array.from({ length: rows }, (_, i) => i), testCount }
  const random = seeded(split.seed)
  if (classes === 0 || !split.stratify) {
    const order = shuffled(rows, random)
    return { order: Int32Array.from([...order.subarray(testCount), ...order.subarray(0, testCount)]), testCount }
  }
  // Per class, its share of the test rows (largest remainders), each class's rows shuffled.
  const byClass = Array.from({ length: classes }, () => [] as number[])
  targets.forEach((c, r) => byClass[c]?.push(r))
  const exact = byClass.map((members) => (members.length * testCount) / rows)
  const take = exact.map(Math.floor)
  const rest = testCount - take.reduce((a, b) => a + b, 0)
  exact
    .map((e, c) => [e - Math.floor(e), c] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, rest)
    .forEach(([, c]) => (take[c] = (take[c] as number) + 1))
  const train: number[] = []
  const test: number[] = []
  byClass.forEach((members, c) => {
    const order = shuffled(members.length, random)
    const mixed = Array.from(order, (i) => members[i] as number)
    test.push(...mixed.slice(0, take[c]))
    train.push(...mixed.slice(take[c]))
  })
  return { order: Int32Array.from([...train, ...test]), testCount: test.length }
}

export const withSplitDefaults = (split: SplitSpec | undefined): Required<SplitSpec> => ({
  testSize: 0.2,
  shuffle: true,
  stratify: true,
  seed: 0,
  ...split,
})

/** The network's last layer must give what the loss compares with the targets. */
function checkOutputs(
  spec: NetworkBody,
  problemType: ProblemType,
  classes: number,
  inputShape: readonly number[],
): void {
  let shapes: number[][]
  try {
    shapes = layerShapes(spec.layers, inputShape)
  } catch (error) {
    throw invalid((error as Error).message, 'body.model.layers')
  }
  const last = shapes.at(-1) as number[]
  if (last.length !== 1)
    throw invalid(
      `The model ends with shape [${last.join(', ')}]; end with a flatten and a dense layer`,
      'body.model.layers',
    )
  const outputs = last[0] as number
  const isClassLoss = spec.loss === 'crossEntropy' || spec.loss === 'weightedCrossEntropy'
  if (problemType === 'regression') {
    if (spec.loss !== 'mse' && spec.loss !== 'l1')
      throw invalid(`Regression takes the mse or l1 loss, not ${spec.loss}`, 'body.model.loss')
    if (outputs !== 1)
      throw invalid(`A regression model ends with 1 output; this one ends with ${outputs}`, 'body.model.layers')
    return
  }
  if (isClassLoss && outputs !== classes)
    throw invalid(
      `The target has ${classes} classes, so the last layer needs ${classes} outputs; it has ${outputs}`,
      'body.model.layers',
    )
  if (!isClassLoss && outputs !== classes && !(outputs === 1 && classes === 2))
    throw invalid(
      `With ${spec.loss} the last layer needs ${classes} outputs (one per class)${classes === 2 ? ' or 1' : ''}; it has ${outputs}`,
      'body.model.layers',
    )
}

/** Inverse class frequency, scikit-learn's "balanced": rows / (classes x rows of the class). */
function balancedWeights(targets: Float32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0)
  targets.forEach((c) => (counts[c] = (counts[c] as number) + 1))
  return counts.map((n) => (n === 0 ? 0 : targets.length / (classes * n)))
}

export interface Planned {
  readonly task: TrainModelInput
  readonly encoded: Encoded
  readonly testCount: number
  /** Held-out targets, in the task's row order. */
  readonly testTargets: Float32Array
  readonly inputShape: number[]
  /** What each input value is multiplied by before the model sees it (1/max for images). */
  readonly inputScale: number
}

function isImageModel(spec: NetworkBody | ClassicalSpec): boolean {
  return spec.kind === 'network' && spec.layers.some((l) => l.type === 'conv2d' || l.type === 'maxPool2d')
}

/** The engine's task for the request on the table; throws `invalid_argument` for a model the data cannot train. */
export function planTraining(
  table: Table,
  request: TrainingRequest,
  dataset: Pick<BuiltinDataset, 'image'> | undefined,
): Planned {
  const encoded = encode(table, request)
  const classes = encoded.labels?.length ?? 0
  const split = withSplitDefaults(request.split)
  const { order, testCount } = splitRows(encoded.targets, classes, split)
  const trainCount = order.length - testCount
  const inputs = new Float32Array(order.length * encoded.width)
  for (let i = 0; i < order.length; i += 1) {
    const row = order[i] as number
    inputs.set(encoded.inputs.subarray(row * encoded.width, (row + 1) * encoded.width), i * encoded.width)
  }
  const targets = Float32Array.from(order, (row) => encoded.targets[row] as number)
  const testTargets = targets.slice(trainCount)
  const model = request.model
  const image = isImageModel(model) ? dataset?.image : undefined
  if (isImageModel(model) && (image === undefined || encoded.width !== image.height * image.width * image.channels)) {
    throw invalid(
      'Convolution and pooling layers need an image dataset (DIGITS, or an uploaded image zip) with all its pixel features',
      'body.model.layers',
    )
  }
  const inputShape = image === undefined ? [encoded.width] : [image.height, image.width, image.channels]
  const meta = { features: encoded.features, labels: encoded.labels, problemType: request.problemType }
  if (model.kind === 'classical') {
    checkClassical(model, request.problemType)
    return {
      encoded,
      testCount,
      testTargets,
      inputShape,
      inputScale: 1,
      task: {
        op: 'train-classical',
        algorithm: model.algorithm,
        options: model.options ?? {},
        classes,
        width: encoded.width,
        inputs,
        targets,
        validationCount: testCount,
        seed: split.seed,
        meta,
      },
    }
  }
  const batchSize = model.batchSize ?? 20
  if (testCount < batchSize || trainCount < batchSize)
    throw invalid(
      `reduce batch size, not enough values in dataframe (training rows: ${trainCount}, test rows: ${testCount}, batch size: ${batchSize})`,
      'body.model.batchSize',
    )
  checkOutputs(model, request.problemType, classes, inputShape)
  if (image !== undefined) for (let i = 0; i < inputs.length; i += 1) inputs[i] = (inputs[i] as number) / image.maxValue
  const spec: NetworkSpec = {
    layers: model.layers,
    loss: model.loss,
    optimizer: model.optimizer ?? 'sgd',
    learningRate: model.learningRate ?? 0.05,
    epochs: model.epochs ?? 5,
    batchSize,
    inputShape,
    classes,
    standardize: image === undefined,
    ...(model.loss === 'weightedCrossEntropy' && {
      classWeights: balancedWeights(targets.subarray(0, trainCount), classes),
    }),
  }
  return {
    encoded,
    testCount,
    testTargets,
    inputShape,
    inputScale: image === undefined ? 1 : 1 / image.maxValue,
    task: { op: 'train-network', spec, inputs, targets, validationCount: testCount, seed: split.seed, meta },
  }
}

const CLASSIFIERS_ONLY = new Set(['logisticRegression', 'naiveBayes', 'knn'])

function checkClassical(model: ClassicalSpec, problemType: ProblemType): void {
  if (problemType === 'regression' && CLASSIFIERS_ONLY.has(model.algorithm))
    throw invalid(
      `${model.algorithm} classifies; for regression use linearRegression, decisionTree or randomForest`,
      'body.model.algorithm',
    )
  if (problemType === 'classification' && model.algorithm === 'linearRegression')
    throw invalid(
      'linearRegression predicts numbers; for classification use logisticRegression',
      'body.model.algorithm',
    )
}
