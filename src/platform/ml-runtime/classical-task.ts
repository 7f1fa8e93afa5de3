// Classical models from the ml.js packages (decision tree, random forest, k-NN, logistic and linear
// regression, Gaussian naive Bayes), trained and used in an ML worker thread. A model is saved as
// its own `toJSON()` in one file, classical.json, that the runtime stores in the blob store.
import { DecisionTreeClassifier, DecisionTreeRegression } from 'ml-cart'
import KNN from 'ml-knn'
import LogisticRegression from 'ml-logistic-regression'
import { Matrix } from 'ml-matrix'
import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest'
import MLR from 'ml-regression-multivariate-linear'
import { ARTIFACT_NEEDED, type ArtifactFile, type ArtifactNeeded, findFile } from './artifact-files.js'
import { fitGaussianNb, type GaussianNbModel, gaussianNbProbabilities } from './gaussian-nb.js'
import { fitLogistic, type LogisticModel, logisticProbabilities } from './logistic-regression.js'
import { standardization } from './standardization.js'
import type { TaskContext } from './worker-host.js'

export type ClassicalAlgorithm =
  'decisionTree' | 'randomForest' | 'knn' | 'logisticRegression' | 'linearRegression' | 'naiveBayes'

export interface ClassicalOptions {
  readonly maxDepth?: number | undefined
  readonly minSamplesLeaf?: number | undefined
  readonly nEstimators?: number | undefined
  readonly maxFeatures?: number | undefined
  readonly k?: number | undefined
  readonly maxIterations?: number | undefined
  readonly learningRate?: number | undefined
}

export interface TrainClassicalTask {
  readonly op: 'train-classical'
  readonly algorithm: ClassicalAlgorithm
  readonly options: ClassicalOptions
  /** Classes for classification; 0 for regression. */
  readonly classes: number
  readonly width: number
  /** rows x width. */
  readonly inputs: Float32Array
  /** Class index or value per row. */
  readonly targets: Float32Array
  /** The last rows are held out. */
  readonly validationCount: number
  readonly seed: number
  /** The artifact's key prefix in the blob store (the runtime stores classical.json there). */
  readonly artifact: string
  readonly meta: unknown
}

export interface TrainClassicalResult {
  /** One pass: `loss` is the training rows' error rate (classification) or mean squared error (regression). */
  readonly epochs: {
    epoch: number
    loss: number
    valLoss: number | null
    accuracy: number | null
    valAccuracy: number | null
    seconds: number
  }[]
  /** Held-out rows x outputs: class probabilities (one-hot where the algorithm gives no probability), or one value per row. */
  readonly validationOutputs: number[]
  readonly outputs: number
  readonly isStopped: boolean
  /** classical.json (none when stopped); the runtime stores it and leaves it out of what it returns. */
  readonly files?: ArtifactFile[]
}

export interface PredictClassicalTask {
  readonly op: 'predict-classical'
  /** The artifact's key prefix in the blob store. */
  readonly artifact: string
  /** The artifact's files, sent by the runtime when the thread answered that it does not hold them. */
  readonly files?: readonly ArtifactFile[]
  readonly inputs: Float32Array
}

interface Fitted {
  predict(rows: number[][]): number[]
  /** Class probabilities per row, when the algorithm has them. */
  probabilities?(rows: number[][]): number[][]
  toJSON(): unknown
}

interface ClassicalFile {
  readonly format: 'pulsebase-classical/1'
  readonly algorithm: ClassicalAlgorithm
  readonly classes: number
  readonly width: number
  readonly model: unknown
  /** Per-feature mean and deviation of the training rows, for algorithms that take standardized inputs. */
  readonly norm: { mean: number[]; std: number[] } | null
  readonly meta: unknown
}

/**
 * Logistic regression here is plain gradient descent, which crawls on raw features of very
 * different scales (scikit-learn's lbfgs does not): it gets standardized inputs. The others see
 * the data as scikit-learn's estimators would.
 */
const STANDARDIZED: ReadonlySet<ClassicalAlgorithm> = new Set(['logisticRegression'])

const normalized = (rows: number[][], norm: ClassicalFile['norm']): number[][] =>
  norm === null ? rows : rows.map((row) => row.map((x, j) => (x - (norm.mean[j] as number)) / (norm.std[j] as number)))

const toRows = (values: Float32Array, width: number): number[][] =>
  Array.from({ length: values.length / width }, (_, r) => Array.from(values.subarray(r * width, (r + 1) * width)))

function wrap(model: { predict(x: never): unknown; toJSON(): unknown }, toMatrix = false): Fitted {
  return {
    predict: (rows) => {
      const out = model.predict((toMatrix ? new Matrix(rows) : rows) as never) as number[] | number[][]
      return out.map((v) => (Array.isArray(v) ? (v[0] as number) : v))
    },
    toJSON: () => model.toJSON(),
  }
}

function naiveBayes(model: GaussianNbModel): Fitted {
  const probabilities = (rows: number[][]) => rows.map((row) => gaussianNbProbabilities(model, row))
  return {
    predict: (rows) => probabilities(rows).map((p) => p.indexOf(Math.max(...p))),
    probabilities,
    toJSON: () => model,
  }
}

function logistic(model: LogisticModel): Fitted {
  const probabilities = (rows: number[][]) => rows.map((row) => logisticProbabilities(model, row))
  return {
    predict: (rows) => probabilities(rows).map((p) => p.indexOf(Math.max(...p))),
    probabilities,
    toJSON: () => model,
  }
}

/**
 * k-NN votes as scikit-learn's uniform KNeighborsClassifier: each of the k nearest rows one vote,
 * the vote shares are the probabilities, and a tie goes to the lowest class index (ml-knn's own
 * predict breaks ties by its heap's order).
 */
function neighbours(model: KNN, classes: number): Fitted {
  const probabilities = (rows: number[][]) =>
    rows.map((row) => {
      const votes = new Array<number>(classes).fill(0)
      const nearest = model.kdTree.nearest(row, model.k)
      for (const [point] of nearest)
        votes[point[point.length - 1] as number] = (votes[point[point.length - 1] as number] as number) + 1
      return votes.map((v) => v / Math.max(nearest.length, 1))
    })
  return {
    predict: (rows) => probabilities(rows).map((p) => p.indexOf(Math.max(...p))),
    probabilities,
    toJSON: () => model.toJSON(),
  }
}

/**
 * A forest's class probabilities are the shares of its trees' votes, the predicted class the most
 * voted (a tie to the lowest class). Counted here: ml-random-forest 2.1.0's `predictProbability`
 * leaves the first tree's vote out.
 */
function forest(model: RandomForestClassifier, classes: number): Fitted {
  const probabilities = (rows: number[][]) => {
    const votes = model.predictionValues(rows)
    return rows.map((_, r) => {
      const shares = new Array<number>(classes).fill(0)
      const row = votes.getRow(r)
      for (const c of row) shares[c] = (shares[c] as number) + 1 / row.length
      return shares
    })
  }
  return {
    predict: (rows) => probabilities(rows).map((p) => p.indexOf(Math.max(...p))),
    probabilities,
    toJSON: () => model.toJSON(),
  }
}

/** Fits the algorithm; options it does not take are ignored (the schema documents which apply). */
function fit(task: TrainClassicalTask, x: number[][], y: number[]): Fitted {
  const o = task.options
  const isClassifier = task.classes > 0
  const tree = {
    maxDepth: o.maxDepth ?? Number.POSITIVE_INFINITY,
    minNumSamples: o.minSamplesLeaf ?? 1,
    gainFunction: 'gini' as const,
  }
  switch (task.algorithm) {
    case 'decisionTree': {
      const model = isClassifier
        ? new DecisionTreeClassifier(tree)
        : new DecisionTreeRegression({ maxDepth: tree.maxDepth, minNumSamples: tree.minNumSamples })
      model.train(x, y)
      return wrap(model)
    }
    case 'randomForest': {
      // Unset tree options stay unset: ml-cart reads an undefined maxDepth as "never split".
      const treeOptions = {
        minNumSamples: o.minSamplesLeaf ?? 1,
        ...(o.maxDepth !== undefined && { maxDepth: o.maxDepth }),
      }
      // ml-random-forest draws a tree's features once for the whole tree (scikit-learn draws √p
      // anew at every split, so each of its trees can still use every feature): a √p share per
      // tree would cap each tree at √p features. By default every tree gets all the features,
      // distinct ones (`replacement` is the feature draw's; the rows are always bootstrapped). No
      // out-of-bag score: unused, and with few trees a row in no tree's out-of-bag set crashes it.
      const options = {
        seed: task.seed,
        nEstimators: o.nEstimators ?? 100,
        maxFeatures: o.maxFeatures ?? 1,
        replacement: false,
        useSampleBagging: true,
        noOOB: true,
        treeOptions,
      }
      if (!isClassifier) {
        const model = new RandomForestRegression(options)
        model.train(x, y)
        return wrap(model)
      }
      const model = new RandomForestClassifier(options)
      model.train(x, y)
      return forest(model, task.classes)
    }
    case 'knn':
      return neighbours(new KNN(x, y, { k: Math.min(o.k ?? 5, x.length) }), task.classes)
    case 'naiveBayes':
      return naiveBayes(fitGaussianNb(x, y, task.classes))
    case 'logisticRegression': {
      return logistic(fitLogistic(x, y, task.classes, { maxIterations: o.maxIterations, learningRate: o.learningRate }))
    }
    case 'linearRegression':
      return wrap(
        new MLR(
          x,
          y.map((v) => [v]),
        ),
      )
  }
}

function load(file: ClassicalFile): Fitted {
  const isClassifier = file.classes > 0
  const json = file.model as never
  switch (file.algorithm) {
    case 'decisionTree':
      return wrap(isClassifier ? DecisionTreeClassifier.load(json) : DecisionTreeRegression.load(json))
    case 'randomForest':
      return isClassifier
        ? forest(RandomForestClassifier.load(json), file.classes)
        : wrap(RandomForestRegression.load(json))
    case 'knn':
      return neighbours(KNN.load(json), file.classes)
    case 'naiveBayes':
      return naiveBayes(json)
    case 'logisticRegression':
      // Model files written by earlier builds hold ml-logistic-regression's JSON.
      return (file.model as { name?: string }).name === 'LogisticRegression'
        ? wrap(LogisticRegression.load(json), true)
        : logistic(json)
    case 'linearRegression':
      return wrap(MLR.load(json))
  }
}

/** Rows x outputs: probabilities, or one-hot of the predicted class, or the predicted value. */
function computeOutputs(model: Fitted, rows: number[][], classes: number): number[] {
  if (classes === 0) return model.predict(rows)
  if (model.probabilities !== undefined) return model.probabilities(rows).flat()
  return model.predict(rows).flatMap((c) => Array.from({ length: classes }, (_, k) => (k === Math.round(c) ? 1 : 0)))
}

function computeError(
  model: Fitted,
  rows: number[][],
  targets: number[],
  classes: number,
): { loss: number; accuracy: number | null } {
  const predicted = model.predict(rows)
  if (classes === 0)
    return {
      loss: predicted.reduce((sum, p, i) => sum + (p - (targets[i] as number)) ** 2, 0) / Math.max(rows.length, 1),
      accuracy: null,
    }
  const accuracy = predicted.filter((p, i) => Math.round(p) === targets[i]).length / Math.max(rows.length, 1)
  return { loss: 1 - accuracy, accuracy }
}

export async function trainClassical(task: TrainClassicalTask, context: TaskContext): Promise<TrainClassicalResult> {
  const raw = toRows(task.inputs, task.width)
  const targets = Array.from(task.targets)
  const trainCount = raw.length - task.validationCount
  const norm = STANDARDIZED.has(task.algorithm) ? standardization(task.inputs, task.width, trainCount) : null
  const rows = normalized(raw, norm)
  const [trainRows, testRows] = [rows.slice(0, trainCount), rows.slice(trainCount)]
  const [trainTargets, testTargets] = [targets.slice(0, trainCount), targets.slice(trainCount)]
  const started = performance.now()
  const model = fit(task, trainRows, trainTargets)
  const seconds = (performance.now() - started) / 1000
  const train = computeError(model, trainRows, trainTargets, task.classes)
  const test = testRows.length > 0 ? computeError(model, testRows, testTargets, task.classes) : null
  const report = {
    epoch: 1,
    loss: train.loss,
    valLoss: test?.loss ?? null,
    accuracy: train.accuracy,
    valAccuracy: test?.accuracy ?? null,
    seconds,
  }
  const isStopped = !(await context.ask(report))
  const validationOutputs = testRows.length > 0 ? computeOutputs(model, testRows, task.classes) : []
  const file: ClassicalFile = {
    format: 'pulsebase-classical/1',
    algorithm: task.algorithm,
    classes: task.classes,
    width: task.width,
    model: model.toJSON(),
    norm,
    meta: task.meta,
  }
  const files = isStopped ? [] : [{ name: 'classical.json', bytes: new TextEncoder().encode(JSON.stringify(file)) }]
  return { epochs: [report], validationOutputs, outputs: task.classes === 0 ? 1 : task.classes, isStopped, files }
}

const cache = new Map<string, { file: ClassicalFile; model: Fitted }>()
const CACHE_SIZE = 16

/** Outputs of a trained classical model; `ARTIFACT_NEEDED` when this thread does not hold it and no files came. */
export function predictClassical(task: PredictClassicalTask): { outputs: number; values: number[] } | ArtifactNeeded {
  let hit = cache.get(task.artifact)
  if (hit === undefined) {
    if (task.files === undefined) return ARTIFACT_NEEDED
    const file = JSON.parse(
      new TextDecoder().decode(findFile(task.files, 'classical.json', task.artifact)),
    ) as ClassicalFile
    hit = { file, model: load(file) }
    cache.set(task.artifact, hit)
    for (const key of cache.keys()) if (cache.size > CACHE_SIZE) cache.delete(key)
  }
  const { file, model } = hit
  if (task.inputs.length === 0 || task.inputs.length % file.width !== 0)
    throw new Error(`inputs are not whole rows of ${file.width} values`)
  return {
    outputs: file.classes === 0 ? 1 : file.classes,
    values: computeOutputs(model, normalized(toRows(task.inputs, file.width), file.norm), file.classes),
  }
}
