// A network described as data (the playground's model spec): a sequential TensorFlow.js model built
// layer by layer, trained with PyTorch's conventions (its losses, its default initialisation, SGD
// or Adam) on a seeded batch order, each epoch scored on the training and held-out rows. Runs in an
// ML worker thread; its files are in the TensorFlow.js layers format (model-files.ts), stored by the runtime.
import type { LayersModel, Optimizer, Scalar, Tensor, Variable } from '@tensorflow/tfjs'
import type { ArtifactFile } from './artifact-files.js'
import { isDenseStack } from './dense-stack.js'
import { createDenseTrainer, type EpochTrainer, standardized } from './dense-trainer.js'
import { modelToFiles } from './model-files.js'
import { seeded, shuffled } from './seeded.js'
import { standardization } from './standardization.js'
import type { Tf } from './tf-runtime.js'
import type { TaskContext } from './worker-host.js'

export type NetworkLayer =
  | { readonly type: 'dense'; readonly units: number }
  | {
      readonly type: 'activation'
      readonly activation: 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'leakyRelu'
      readonly negativeSlope?: number | undefined
    }
  | { readonly type: 'dropout'; readonly rate: number }
  | { readonly type: 'batchNorm' }
  | {
      readonly type: 'conv2d'
      readonly filters: number
      readonly kernelSize: number
      readonly stride?: number | undefined
      readonly padding?: 'valid' | 'same' | undefined
    }
  | { readonly type: 'maxPool2d'; readonly poolSize: number; readonly stride?: number | undefined }
  | { readonly type: 'flatten' }

export type NetworkLoss = 'l1' | 'mse' | 'bce' | 'bceWithLogits' | 'crossEntropy' | 'weightedCrossEntropy'

export interface NetworkSpec {
  readonly layers: readonly NetworkLayer[]
  readonly loss: NetworkLoss
  readonly optimizer: 'sgd' | 'adam'
  readonly learningRate: number
  readonly epochs: number
  readonly batchSize: number
  /** One row's shape: [features] for tables, [height, width, channels] for images. */
  readonly inputShape: readonly number[]
  /** Classes for classification; 0 for regression. */
  readonly classes: number
  /** weightedCrossEntropy only: one weight per class. */
  readonly classWeights?: readonly number[] | undefined
  /** Standardize each input value with the training rows' mean and deviation (tables; images come scaled). */
  readonly standardize: boolean
}

export interface TrainNetworkTask {
  readonly op: 'train-network'
  readonly spec: NetworkSpec
  /** rows x prod(inputShape), row-major. */
  readonly inputs: Float32Array
  /** Class index (classification) or value (regression) per row. */
  readonly targets: Float32Array
  /** The last rows are held out: scored every epoch, never trained on. */
  readonly validationCount: number
  readonly seed: number
  /** The artifact's key prefix in the blob store, e.g. `models/<model id>` (the runtime stores the files there). */
  readonly artifact: string
  readonly meta: unknown
}

export interface NetworkEpoch {
  readonly epoch: number
  readonly loss: number
  readonly valLoss: number | null
  readonly accuracy: number | null
  readonly valAccuracy: number | null
  /** Wall time of the epoch's training, in seconds. */
  readonly seconds: number
}

export interface TrainNetworkResult {
  readonly epochs: NetworkEpoch[]
  /** The held-out rows' outputs, rows x outputs, flattened (probabilities after softmax/sigmoid for classification). */
  readonly validationOutputs: number[]
  readonly outputs: number
  readonly isStopped: boolean
  /** model.json and weights.bin (none when stopped); the runtime stores them and leaves them out of what it returns. */
  readonly files?: ArtifactFile[]
}

export interface PredictNetworkTask {
  readonly op: 'predict-network'
  /** The artifact's key prefix in the blob store. */
  readonly artifact: string
  /** The artifact's files, sent by the runtime when the thread answered that it does not hold them. */
  readonly files?: readonly ArtifactFile[]
  /** rows x prod(inputShape). */
  readonly inputs: Float32Array
}

/** What model.json's `meta` holds for a network: enough to predict with it again. */
export interface NetworkMeta {
  readonly format: 'pulsebase-network/1'
  readonly spec: NetworkSpec
  readonly mean: number[] | null
  readonly std: number[] | null
  readonly extra: unknown
}

/** Output shape of each layer for an input row shape; throws a sentence naming the layer that cannot take its input. */
export function layerShapes(layers: readonly NetworkLayer[], inputShape: readonly number[]): number[][] {
  let shape = [...inputShape]
  return layers.map((layer, i) => {
    const where = `layer ${i + 1} (${layer.type})`
    if (layer.type === 'dense') {
      if (shape.length !== 1)
        throw new Error(`${where} takes a flat row but gets shape [${shape.join(', ')}]: add a flatten layer before it`)
      shape = [layer.units]
    } else if (layer.type === 'conv2d' || layer.type === 'maxPool2d') {
      if (shape.length !== 3)
        throw new Error(`${where} takes an image (height, width, channels) but gets shape [${shape.join(', ')}]`)
      const [h, w, c] = shape as [number, number, number]
      const kernel = layer.type === 'conv2d' ? layer.kernelSize : layer.poolSize
      const stride = layer.stride ?? (layer.type === 'conv2d' ? 1 : layer.poolSize)
      const isSame = layer.type === 'conv2d' && layer.padding === 'same'
      const out = (n: number) => (isSame ? Math.ceil(n / stride) : Math.floor((n - kernel) / stride) + 1)
      if (out(h) < 1 || out(w) < 1) throw new Error(`${where} with size ${kernel} does not fit an input of ${h}x${w}`)
      shape = [out(h), out(w), layer.type === 'conv2d' ? layer.filters : c]
    } else if (layer.type === 'flatten') {
      shape = [shape.reduce((a, b) => a * b, 1)]
    }
    return [...shape]
  })
}

/** PyTorch's default for Linear and Conv2d: weights and biases uniform in ±1/sqrt(fan in). */
function torchInit(tf: Tf, fanIn: number, seed: number) {
  const limit = 1 / Math.sqrt(fanIn)
  return tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed })
}

export function buildNetwork(tf: Tf, spec: NetworkSpec, seed: number): LayersModel {
  const model = tf.sequential()
  let shape = [...spec.inputShape]
  const shapes = layerShapes(spec.layers, spec.inputShape)
  spec.layers.forEach((layer, i) => {
    const first = i === 0 ? { inputShape: [...spec.inputShape] } : {}
    const fanIn =
      layer.type === 'conv2d'
        ? (shape[2] as number) * layer.kernelSize * layer.kernelSize
        : shape.reduce((a, b) => a * b, 1)
    const init = {
      kernelInitializer: torchInit(tf, fanIn, seed + 2 * i),
      biasInitializer: torchInit(tf, fanIn, seed + 2 * i + 1),
    }
    if (layer.type === 'dense') model.add(tf.layers.dense({ ...first, units: layer.units, ...init }))
    else if (layer.type === 'conv2d')
      model.add(
        tf.layers.conv2d({
          ...first,
          filters: layer.filters,
          kernelSize: layer.kernelSize,
          strides: layer.stride ?? 1,
          padding: layer.padding ?? 'valid',
          ...init,
        }),
      )
    else if (layer.type === 'maxPool2d')
      model.add(tf.layers.maxPooling2d({ ...first, poolSize: layer.poolSize, strides: layer.stride ?? layer.poolSize }))
    else if (layer.type === 'flatten') model.add(tf.layers.flatten(first))
    else if (layer.type === 'dropout') model.add(tf.layers.dropout({ ...first, rate: layer.rate, seed: seed + 2 * i }))
    // PyTorch's BatchNorm momentum 0.1 is Keras' 0.9; its epsilon 1e-5.
    else if (layer.type === 'batchNorm')
      model.add(tf.layers.batchNormalization({ ...first, momentum: 0.9, epsilon: 1e-5 }))
    else if (layer.activation === 'leakyRelu')
      model.add(tf.layers.leakyReLU({ ...first, alpha: layer.negativeSlope ?? 0.01 }))
    else model.add(tf.layers.activation({ ...first, activation: layer.activation }))
    shape = shapes[i] as number[]
  })
  return model
}

/** Width of the network's output row. */
export const outputWidth = (spec: Pick<NetworkSpec, 'layers' | 'inputShape'>): number =>
  (layerShapes(spec.layers, spec.inputShape).at(-1) ?? spec.inputShape).reduce((a, b) => a * b, 1)

/** The targets as the loss wants them: one-hot rows for a classification loss over several outputs, else a column. */
function targetTensor(tf: Tf, spec: NetworkSpec, targets: Float32Array, outputs: number): Tensor {
  if (spec.classes > 0 && outputs > 1) return tf.oneHot(tf.tensor1d(targets, 'int32'), outputs).toFloat()
  return tf.tensor2d(targets, [targets.length, 1])
}

const EPSILON = 1e-7

/** Mean loss over the rows, as PyTorch computes it (cross-entropies on logits, BCE on probabilities). */
export function computeLoss(tf: Tf, spec: NetworkSpec, y: Tensor, z: Tensor): Tensor {
  return tf.tidy(() => {
    switch (spec.loss) {
      case 'l1':
        return tf.mean(tf.abs(tf.sub(z, y)))
      case 'mse':
        return tf.mean(tf.square(tf.sub(z, y)))
      case 'bce': {
        const p = tf.clipByValue(z, EPSILON, 1 - EPSILON)
        return tf.neg(tf.mean(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))))))
      }
      case 'bceWithLogits':
        // max(z, 0) - z*y + log(1 + exp(-|z|)), the stable form.
        return tf.mean(tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))))
      case 'crossEntropy':
      case 'weightedCrossEntropy': {
        const nll = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(z)), 1))
        if (spec.loss === 'crossEntropy' || spec.classWeights === undefined) return tf.mean(nll)
        const w = tf.sum(tf.mul(y, tf.tensor1d([...spec.classWeights])), 1)
        return tf.div(tf.sum(tf.mul(w, nll)), tf.sum(w))
      }
    }
  })
}

/** Class probabilities (or values) from the raw outputs: softmax after a cross-entropy, sigmoid after BCE with logits. */
function scored(tf: Tf, spec: NetworkSpec, z: Tensor): Tensor {
  if (spec.classes > 0 && (spec.loss === 'crossEntropy' || spec.loss === 'weightedCrossEntropy')) return tf.softmax(z)
  if (spec.loss === 'bceWithLogits') return tf.sigmoid(z)
  return z
}

/** Share of rows whose predicted class is right: argmax over several outputs, p > 0.5 for one. */
function computeAccuracy(tf: Tf, spec: NetworkSpec, targets: Float32Array, z: Tensor): number | null {
  if (spec.classes === 0) return null
  const classes = tf.tidy(() => {
    const p = scored(tf, spec, z)
    return p.shape[1] === 1 ? tf.greater(p, 0.5).reshape([-1]) : tf.argMax(p, 1)
  })
  const predicted = classes.dataSync()
  classes.dispose()
  let correct = 0
  predicted.forEach((c, i) => {
    if (c === targets[i]) correct += 1
  })
  return targets.length > 0 ? correct / targets.length : null
}

function inputTensor(
  tf: Tf,
  spec: NetworkSpec,
  inputs: Float32Array,
  norm: { mean: number[]; std: number[] } | null,
): Tensor {
  const width = spec.inputShape.reduce((a, b) => a * b, 1)
  const rows = inputs.length / width
  return tf.tidy(() => {
    let x: Tensor = tf.tensor2d(inputs, [rows, width])
    if (norm !== null) x = tf.div(tf.sub(x, tf.tensor1d(norm.mean)), tf.tensor1d(norm.std))
    return tf.reshape(x, [rows, ...spec.inputShape])
  })
}

interface Split {
  readonly x: Tensor
  readonly y: Tensor
  readonly targets: Float32Array
}

/** Loss and accuracy of the rows in inference mode (dropout off, batch norm on its running statistics). */
function score(tf: Tf, spec: NetworkSpec, model: LayersModel, part: Split): { loss: number; accuracy: number | null } {
  const z = model.predict(part.x) as Tensor
  try {
    const loss = computeLoss(tf, spec, part.y, z)
    const value = loss.dataSync()[0] as number
    loss.dispose()
    return { loss: value, accuracy: computeAccuracy(tf, spec, part.targets, z) }
  } finally {
    z.dispose()
  }
}

/**
 * One epoch in the given row order, batch by batch (the last one partial), by a plain loop of
 * `optimizer.minimize` over the layers in training mode (dropout on, batch norm on the batch's
 * statistics, updating its running ones): what Keras' `fit` does, without its per-batch callbacks
 * and bookkeeping, which on the wasm backend cost more than a small network's own kernels.
 * Returns the mean training loss over the rows.
 */
function trainEpoch(
  tf: Tf,
  spec: NetworkSpec,
  model: LayersModel,
  optimizer: Optimizer,
  train: Split,
  order: Int32Array,
): number {
  const weights = model.trainableWeights.map((w) => w.read() as Variable)
  const rows = order.length
  let total: Tensor = tf.scalar(0)
  for (let start = 0; start < rows; start += spec.batchSize) {
    const batch = order.subarray(start, Math.min(start + spec.batchSize, rows))
    const cost = tf.tidy(() => {
      const index = tf.tensor1d(batch, 'int32')
      const [xb, yb] = [tf.gather(train.x, index), tf.gather(train.y, index)]
      return optimizer.minimize(
        () => computeLoss(tf, spec, yb, model.apply(xb, { training: true }) as Tensor) as Scalar,
        true,
        weights,
      ) as Scalar
    })
    const next = tf.add(total, tf.mul(cost, batch.length))
    tf.dispose([total, cost])
    total = next
  }
  const loss = (total.dataSync()[0] as number) / Math.max(rows, 1)
  total.dispose()
  return loss
}

/**
 * Trains on the thread's backend (wasm), except networks with convolutions: wasm has no gradient
 * kernels for them (Conv2DBackpropFilter/Input), so those train on TensorFlow.js's CPU backend and
 * the thread returns to wasm afterwards. Saved models predict on wasm either way.
 */
export async function trainNetwork(tf: Tf, task: TrainNetworkTask, context: TaskContext): Promise<TrainNetworkResult> {
  const backend = tf.getBackend()
  const needsCpu = task.spec.layers.some((layer) => layer.type === 'conv2d')
  if (needsCpu) {
    await tf.setBackend('cpu')
    // The CPU backend's first tensor prints advice to install tfjs-node; this thread knows.
    Object.assign(tf.findBackend('cpu') ?? {}, { firstUse: false })
  }
  try {
    return await trainOnBackend(tf, task, context)
  } finally {
    if (needsCpu) await tf.setBackend(backend)
  }
}

function tfjsTrainer(
  tf: Tf,
  spec: NetworkSpec,
  model: LayersModel,
  parts: { train: Split; test: Split },
): EpochTrainer {
  const optimizer = spec.optimizer === 'adam' ? tf.train.adam(spec.learningRate) : tf.train.sgd(spec.learningRate)
  return {
    trainEpoch: (order) => trainEpoch(tf, spec, model, optimizer, parts.train, order),
    score: (part) => score(tf, spec, model, parts[part]),
    finish: () => undefined,
    dispose: () => optimizer.dispose(),
  }
}

async function trainOnBackend(tf: Tf, task: TrainNetworkTask, context: TaskContext): Promise<TrainNetworkResult> {
  const { spec } = task
  const width = spec.inputShape.reduce((a, b) => a * b, 1)
  const rows = task.targets.length
  const trainCount = rows - task.validationCount
  const norm = spec.standardize ? standardization(task.inputs, width, trainCount) : null
  const model = buildNetwork(tf, spec, task.seed)
  const outputs = outputWidth(spec)
  const x = inputTensor(tf, spec, task.inputs, norm)
  const y = targetTensor(tf, spec, task.targets, outputs)
  const [xTrain, xTest] = tf.split(x, [trainCount, task.validationCount]) as [Tensor, Tensor]
  const [yTrain, yTest] = tf.split(y, [trainCount, task.validationCount]) as [Tensor, Tensor]
  const train: Split = { x: xTrain, y: yTrain, targets: task.targets.subarray(0, trainCount) }
  const test: Split = { x: xTest, y: yTest, targets: task.targets.subarray(trainCount) }
  const trainer = isDenseStack(spec.layers)
    ? createDenseTrainer(tf, task, model, standardized(task.inputs, norm), outputs)
    : tfjsTrainer(tf, spec, model, { train, test })
  const random = seeded(task.seed + 1)
  const epochs: NetworkEpoch[] = []
  let isStopped = false
  try {
    for (let epoch = 1; epoch <= spec.epochs && !isStopped; epoch += 1) {
      const started = performance.now()
      const loss = trainer.trainEpoch(shuffled(trainCount, random))
      const seconds = (performance.now() - started) / 1000
      const trainScore = trainer.score('train')
      const testScore = task.validationCount > 0 ? trainer.score('test') : null
      const report = {
        epoch,
        loss,
        valLoss: testScore?.loss ?? null,
        accuracy: trainScore.accuracy,
        valAccuracy: testScore?.accuracy ?? null,
        seconds,
      }
      epochs.push(report)
      // The next epoch waits for the caller's word, so a cancel is honoured at the end of this one.
      isStopped = !(await context.ask(report))
    }
    trainer.finish()
    const validationOutputs =
      task.validationCount > 0
        ? tf.tidy(() => Array.from(scored(tf, spec, model.predict(xTest) as Tensor).dataSync()))
        : []
    const meta = {
      format: 'pulsebase-network/1',
      spec,
      mean: norm?.mean ?? null,
      std: norm?.std ?? null,
      extra: task.meta,
    } satisfies NetworkMeta
    const files = isStopped ? [] : await modelToFiles(tf, model, meta)
    return { epochs, validationOutputs, outputs, isStopped, files }
  } finally {
    trainer.dispose()
    model.dispose()
    tf.dispose([x, y, xTrain, xTest, yTrain, yTest])
  }
}

/** Outputs (rows x outputs, probabilities for classification) of a trained network, loaded by the worker's model cache. */
export function predictNetwork(
  tf: Tf,
  task: PredictNetworkTask,
  loaded: { model: LayersModel; meta: unknown },
): { outputs: number; values: number[] } {
  const { model, meta } = loaded
  const { spec, mean, std } = meta as NetworkMeta
  const width = spec.inputShape.reduce((a, b) => a * b, 1)
  if (task.inputs.length === 0 || task.inputs.length % width !== 0)
    throw new Error(`inputs are not whole rows of ${width} values`)
  const norm = mean !== null && std !== null ? { mean, std } : null
  return tf.tidy(() => {
    const z = model.predict(inputTensor(tf, spec, task.inputs, norm)) as Tensor
    return { outputs: z.shape[1] as number, values: Array.from(scored(tf, spec, z).dataSync()) }
  })
}
