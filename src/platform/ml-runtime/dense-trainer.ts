// The playground's dense networks (every layer dense, an activation, dropout or flatten) trained by
// the dense stack (dense-stack.ts) instead of TensorFlow.js kernels: the same epochs, scores and
// saved model as network-task.ts's general path, in a fraction of the time.
import type { LayersModel, Tensor } from '@tensorflow/tfjs'
import { createDenseStack, type DenseRows, type DenseWeights } from './dense-stack.js'
import type { NetworkSpec, TrainNetworkTask } from './network-task.js'
import { seeded } from './seeded.js'
import type { Tf } from './tf-runtime.js'

/** How the epochs of a run are trained and scored: by TensorFlow.js kernels, or by the dense stack's loops. */
export interface EpochTrainer {
  /** Trains one epoch in the given row order; returns the mean training loss over the rows. */
  trainEpoch(order: Int32Array): number
  /** Loss and accuracy of the training or held-out rows in inference mode. */
  score(part: 'train' | 'test'): { loss: number; accuracy: number | null }
  /** Leaves the trained weights in the TensorFlow.js model (for its held-out outputs and its files). */
  finish(): void
  dispose(): void
}

/**
 * The dense stack (dense-stack.ts) on the model's initial weights; `finish` writes the trained ones
 * back. Its dropout masks come from their own seeded stream, a new mask every batch.
 */
export function createDenseTrainer(
  tf: Tf,
  task: TrainNetworkTask,
  model: LayersModel,
  inputs: Float32Array,
  outputs: number,
): EpochTrainer {
  const { spec } = task
  const dense = model.layers.filter((layer) => layer.getClassName() === 'Dense')
  const weights = dense.map((layer) => {
    const [kernel, bias] = layer.getWeights() as [Tensor, Tensor]
    const [inputWidth, units] = kernel.shape as [number, number]
    return {
      inputs: inputWidth,
      units,
      kernel: Float32Array.from(kernel.dataSync()),
      bias: Float32Array.from(bias.dataSync()),
    }
  })
  const stack = createDenseStack({
    layers: spec.layers,
    inputWidth: spec.inputShape.reduce((a, b) => a * b, 1),
    weights,
    loss: spec,
    optimizer: spec.optimizer,
    learningRate: spec.learningRate,
    random: seeded(task.seed + 2),
  })
  const width = inputs.length / Math.max(task.targets.length, 1)
  const trainCount = task.targets.length - task.validationCount
  const targets = denseTargets(spec, task.targets, outputs)
  const rowsOf = (from: number, to: number): DenseRows => ({
    inputs: inputs.subarray(from * width, to * width),
    targets: targets.subarray(from * outputs, to * outputs),
    classes: task.targets.subarray(from, to),
    rows: to - from,
  })
  const parts = { train: rowsOf(0, trainCount), test: rowsOf(trainCount, task.targets.length) }
  return {
    trainEpoch(order) {
      let total = 0
      for (let start = 0; start < order.length; start += spec.batchSize) {
        const batch = order.subarray(start, Math.min(start + spec.batchSize, order.length))
        total += stack.trainBatch(parts.train, batch) * batch.length
      }
      return total / Math.max(order.length, 1)
    },
    score: (part) => stack.evaluate(parts[part]),
    finish() {
      const trained = stack.readWeights()
      dense.forEach((layer, i) => {
        const { inputs: n, units, kernel, bias } = trained[i] as DenseWeights
        tf.tidy(() => layer.setWeights([tf.tensor2d(kernel, [n, units]), tf.tensor1d(bias)]))
      })
    },
    dispose: () => undefined,
  }
}

/** The targets as `targetTensor` gives them, broadcast to rows x outputs (one-hot rows, or the value in every column). */
function denseTargets(spec: NetworkSpec, targets: Float32Array, outputs: number): Float64Array {
  const y = new Float64Array(targets.length * outputs)
  const isOneHot = spec.classes > 0 && outputs > 1
  targets.forEach((target, r) => {
    if (isOneHot) {
      if (target >= 0 && target < outputs) y[r * outputs + target] = 1
    } else y.fill(target, r * outputs, (r + 1) * outputs)
  })
  return y
}

/** The inputs as the network sees them: standardized with the training rows' mean and deviation when asked, in float32. */
export function standardized(inputs: Float32Array, norm: { mean: number[]; std: number[] } | null): Float32Array {
  if (norm === null) return inputs
  const width = norm.mean.length
  return inputs.map((value, i) => (value - (norm.mean[i % width] as number)) / (norm.std[i % width] as number))
}
