// A dense classifier of feature vectors made of named channel groups: per group a small MLP
// (Dense(hidden, relu) -> Dense(classes, softmax), the CSI seed's Dense(24) -> softmax), and, when
// there are several groups, one more on all of them together ("combined"). Inputs are standardized
// with the training rows' mean and standard deviation (kept with the model). The held-out rows are
// scored every epoch for progress only: the weights kept are the last epoch's, so held-out metrics
// stay honest. Runs in an ML worker thread.
//
// All heads are one pair of block-masked matrices (hidden = relu(x (W1 * M1) + b1), logits =
// hidden (W2 * M2) + b2, M the blocks each head may see), trained by a plain loop: a handful of
// kernels per step instead of Keras' per-layer, per-output bookkeeping, which on the wasm backend
// cost about 20 ms a batch for the seed's model.
import type { Tensor, Variable } from '@tensorflow/tfjs'
import { ARTIFACT_NEEDED, type ArtifactFile, type ArtifactNeeded } from './artifact-files.js'
import { cachedClassifier, classifierToFiles, type Params, computeWidth } from './classifier-files.js'
import { seeded, shuffled } from './seeded.js'
import { standardization } from './standardization.js'
import type { EpochReport } from './sequence-model.js'
import type { Tf } from './tf-runtime.js'
import type { TaskContext } from './worker-host.js'

export interface ClassifierSpec {
  /** The input's channel groups, in input order. */
  readonly groups: readonly { readonly name: string; readonly length: number }[]
  readonly classes: number
  readonly hiddenUnits: number
  readonly learningRate: number
}

export interface TrainClassifierTask {
  readonly op: 'train-classifier'
  readonly spec: ClassifierSpec
  /** rows x width (the groups concatenated), row-major. */
  readonly inputs: Float32Array
  /** The class index of each row. */
  readonly labels: Int32Array
  /** The last rows are held out: scored, never trained on. */
  readonly validationCount: number
  readonly maxEpochs: number
  readonly batchSize: number
  /** Epochs without a lower training loss before stopping. */
  readonly patience: number
  /** Seeds the initial weights. */
  readonly seed: number
  /** The artifact's key prefix in the blob store, e.g. `models/<model id>` (the runtime stores the files there). */
  readonly artifact: string
  readonly meta: unknown
}

export interface TrainClassifierResult {
  readonly epochs: EpochReport[]
  /** Class probabilities of the held-out rows: heads x rows x classes, flattened, heads in `heads` order. */
  readonly validationOutputs: number[]
  readonly heads: string[]
  readonly isStopped: boolean
  /** The trained model's files (none when stopped); the runtime stores them and leaves them out of what it returns. */
  readonly files?: ArtifactFile[]
}

export interface PredictClassifierTask {
  readonly op: 'predict-classifier'
  /** The artifact's key prefix in the blob store. */
  readonly artifact: string
  /** rows x width. */
  readonly inputs: Float32Array
  /** The artifact's files, sent by the runtime when the thread answered that it does not hold them. */
  readonly files?: readonly ArtifactFile[]
}

export interface ClassifierPrediction {
  readonly heads: string[]
  readonly classes: number
  /** heads x rows x classes, flattened. */
  readonly probabilities: number[]
}

/** One head per group, plus `combined` over all groups when there are several; a single group's head is `combined`. */
export function listHeads(spec: Pick<ClassifierSpec, 'groups'>): string[] {
  return spec.groups.length > 1 ? [...spec.groups.map((g) => g.name), 'combined'] : ['combined']
}

/** The input rows each head sees: a group's own, or all of them for `combined`. */
function headRows(spec: ClassifierSpec): [number, number][] {
  let offset = 0
  const own = spec.groups.map((g) => {
    const rows: [number, number] = [offset, offset + g.length]
    offset += g.length
    return rows
  })
  return spec.groups.length > 1 ? [...own, [0, offset]] : [[0, offset]]
}

/** The block masks and Glorot-uniform initial weights (per head block: limit sqrt(6 / (fan in + fan out))). */
function initialWeights(spec: ClassifierSpec, seed: number) {
  const random = seeded(seed)
  const width = computeWidth(spec)
  const rows = headRows(spec)
  const heads = rows.length
  const [hidden, classes] = [spec.hiddenUnits, spec.classes]
  const m1 = new Float32Array(width * heads * hidden)
  const w1 = new Float32Array(width * heads * hidden)
  const m2 = new Float32Array(heads * hidden * heads * classes)
  const w2 = new Float32Array(heads * hidden * heads * classes)
  rows.forEach(([from, to], h) => {
    const limit1 = Math.sqrt(6 / (to - from + hidden))
    for (let i = from; i < to; i += 1) {
      for (let u = 0; u < hidden; u += 1) {
        const at = i * heads * hidden + h * hidden + u
        m1[at] = 1
        w1[at] = (random() * 2 - 1) * limit1
      }
    }
    const limit2 = Math.sqrt(6 / (hidden + classes))
    for (let u = 0; u < hidden; u += 1) {
      for (let c = 0; c < classes; c += 1) {
        const at = (h * hidden + u) * heads * classes + h * classes + c
        m2[at] = 1
        w2[at] = (random() * 2 - 1) * limit2
      }
    }
  })
  return { heads, w1, m1, w2, m2 }
}

/** Logits, rows x (heads * classes). */
function logits(tf: Tf, x: Tensor, p: Params): Tensor {
  const hidden = tf.fused.matMul({ a: x as never, b: p.w1 as never, bias: p.b1, activation: 'relu' })
  return tf.fused.matMul({ a: hidden, b: p.w2 as never, bias: p.b2 })
}

/** Mean cross-entropy per head: y is one-hot rows x classes. */
function computeLoss(tf: Tf, z: Tensor, y: Tensor, heads: number, classes: number): Tensor {
  const rows = z.shape[0] as number
  const logProbabilities = tf.logSoftmax(tf.reshape(z, [rows * heads, classes]))
  const targets = tf.reshape(tf.tile(tf.expandDims(y, 1), [1, heads, 1]), [rows * heads, classes])
  return tf.div(tf.neg(tf.sum(tf.mul(targets, logProbabilities))), rows * heads)
}

/** Class probabilities, heads x rows x classes, flattened. */
function probabilities(tf: Tf, x: Tensor, p: Params, heads: number, classes: number): number[] {
  return tf.tidy(() => {
    const rows = x.shape[0] as number
    const soft = tf.softmax(tf.reshape(logits(tf, x, p), [rows, heads, classes]))
    return Array.from(tf.transpose(soft, [1, 0, 2]).dataSync())
  })
}

function standardized(tf: Tf, inputs: Float32Array, width: number, norm: { mean: number[]; std: number[] }): Tensor {
  const rows = inputs.length / width
  return tf.div(tf.sub(tf.tensor2d(inputs, [rows, width]), tf.tensor1d(norm.mean)), tf.tensor1d(norm.std))
}

export async function trainClassifier(
  tf: Tf,
  task: TrainClassifierTask,
  context: TaskContext,
): Promise<TrainClassifierResult> {
  const { spec } = task
  const width = computeWidth(spec)
  const trainCount = task.labels.length - task.validationCount
  const norm = standardization(task.inputs, width, trainCount)
  const init = initialWeights(spec, task.seed)
  const [heads, hidden, classes] = [init.heads, spec.hiddenUnits, spec.classes]
  const m1 = tf.tensor2d(init.m1, [width, heads * hidden])
  const m2 = tf.tensor2d(init.m2, [heads * hidden, heads * classes])
  const vars: Variable[] = [
    tf.variable(tf.tensor2d(init.w1, [width, heads * hidden])),
    tf.variable(tf.zeros([heads * hidden])),
    tf.variable(tf.tensor2d(init.w2, [heads * hidden, heads * classes])),
    tf.variable(tf.zeros([heads * classes])),
  ]
  const [w1, b1, w2, b2] = vars as [Variable, Variable, Variable, Variable]
  const masked = (): Params => ({ w1: tf.mul(w1, m1), b1, w2: tf.mul(w2, m2), b2 })
  const x = standardized(tf, task.inputs.subarray(0, trainCount * width), width, norm)
  const y = tf.oneHot(tf.tensor1d(task.labels.subarray(0, trainCount), 'int32'), classes)
  const xVal = standardized(tf, task.inputs.subarray(trainCount * width), width, norm)
  const yVal = tf.oneHot(tf.tensor1d(task.labels.subarray(trainCount), 'int32'), classes)
  const optimizer = tf.train.adam(spec.learningRate)
  const random = seeded(task.seed + 1)
  const epochs: EpochReport[] = []
  let isStopped = false
  let best = Number.POSITIVE_INFINITY
  let sinceBest = 0
  try {
    for (let epoch = 1; epoch <= task.maxEpochs && !isStopped && sinceBest < task.patience; epoch += 1) {
      const order = shuffled(trainCount, random)
      let total: Tensor = tf.scalar(0)
      for (let start = 0; start < trainCount; start += task.batchSize) {
        const batch = order.subarray(start, Math.min(start + task.batchSize, trainCount))
        const cost = tf.tidy(() => {
          const index = tf.tensor1d(batch, 'int32')
          const [xb, yb] = [tf.gather(x, index), tf.gather(y, index)]
          return optimizer.minimize(
            () => computeLoss(tf, logits(tf, xb, masked()), yb, heads, classes) as never,
            true,
            vars,
          ) as Tensor
        })
        const next = tf.add(total, tf.mul(cost, batch.length))
        tf.dispose([total, cost])
        total = next
      }
      const loss = (total.dataSync()[0] as number) / trainCount
      total.dispose()
      const valLoss =
        task.validationCount > 0
          ? tf.tidy(() => computeLoss(tf, logits(tf, xVal, masked()), yVal, heads, classes).dataSync()[0] as number)
          : null
      const report = { epoch, loss, valLoss }
      epochs.push(report)
      if (loss < best - 1e-4) [best, sinceBest] = [loss, 0]
      else sinceBest += 1
      // The next epoch waits for the caller's word, so a cancel is honoured at the end of this one.
      isStopped = !(await context.ask(report))
    }
    const final = tf.tidy(() => ({ ...masked() }))
    try {
      const validationOutputs = task.validationCount > 0 ? probabilities(tf, xVal, final, heads, classes) : []
      const files = isStopped
        ? []
        : classifierToFiles(
            {
              format: 'pulsebase-dense-classifier/1',
              spec,
              heads: listHeads(spec),
              mean: norm.mean,
              std: norm.std,
              meta: task.meta,
            },
            final,
          )
      return { epochs, validationOutputs, heads: listHeads(spec), isStopped, files }
    } finally {
      tf.dispose([final.w1, final.w2])
    }
  } finally {
    optimizer.dispose()
    tf.dispose([...vars, m1, m2, x, y, xVal, yVal])
  }
}

export async function predictClassifier(
  tf: Tf,
  task: PredictClassifierTask,
): Promise<ClassifierPrediction | ArtifactNeeded> {
  const loaded = cachedClassifier(tf, task.artifact, task.files)
  if (loaded === undefined) return ARTIFACT_NEEDED
  const { file, params, mean, std } = loaded
  const width = computeWidth(file.spec)
  if (task.inputs.length === 0 || task.inputs.length % width !== 0)
    throw new Error(`inputs are not whole rows of ${width} values`)
  const x = tf.tidy(() => tf.div(tf.sub(tf.tensor2d(task.inputs, [task.inputs.length / width, width]), mean), std))
  try {
    return {
      heads: file.heads,
      classes: file.spec.classes,
      probabilities: probabilities(tf, x, params, file.heads.length, file.spec.classes),
    }
  } finally {
    x.dispose()
  }
}
