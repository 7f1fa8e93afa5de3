// The playground's losses and accuracy on plain arrays, with their gradients written out, for the
// dense-stack trainer (dense-stack.ts). The same maths as `computeLoss` in network-task.ts (PyTorch's
// conventions: cross-entropies on logits, BCE on clipped probabilities, means over every value),
// including TensorFlow.js's broadcasting of a one-column target against several outputs.
import type { NetworkLoss } from './network-task.js'

/** What a loss needs to know of the network besides its outputs. */
export interface LossSpec {
  readonly loss: NetworkLoss
  /** Classes for classification; 0 for regression. */
  readonly classes: number
  /** weightedCrossEntropy only: one weight per output. */
  readonly classWeights?: readonly number[] | undefined
}

/** The clip of `bce`'s probabilities, as in network-task.ts. */
const EPSILON = 1e-7

/**
 * Mean loss of `rows` output rows `z` (rows x width, row-major) against targets `y` of the same
 * shape. When `grad` is given it receives dLoss/dz (same shape), as TensorFlow.js's autodiff of
 * `computeLoss` gives it: the clip in `bce` passes gradient only inside [ε, 1 − ε], |x| and relu
 * have gradient 0 at 0.
 */
export function computeLossGradient(
  spec: LossSpec,
  z: Float64Array,
  y: Float64Array,
  rows: number,
  width: number,
  grad?: Float64Array,
): number {
  const count = rows * width
  if (spec.loss === 'crossEntropy' || spec.loss === 'weightedCrossEntropy')
    return crossEntropy(spec, z, y, rows, width, grad)
  let total = 0
  for (let i = 0; i < count; i += 1) {
    const zi = z[i] as number
    const yi = y[i] as number
    let value: number
    let slope: number
    if (spec.loss === 'l1') {
      value = Math.abs(zi - yi)
      slope = Math.sign(zi - yi)
    } else if (spec.loss === 'mse') {
      value = (zi - yi) ** 2
      slope = 2 * (zi - yi)
    } else if (spec.loss === 'bce') {
      const p = Math.min(Math.max(zi, EPSILON), 1 - EPSILON)
      value = -(yi * Math.log(p) + (1 - yi) * Math.log(1 - p))
      slope = zi >= EPSILON && zi <= 1 - EPSILON ? -(yi / p - (1 - yi) / (1 - p)) : 0
    } else {
      // bceWithLogits: max(z, 0) − z·y + log(1 + exp(−|z|)).
      const e = Math.exp(-Math.abs(zi))
      value = Math.max(zi, 0) - zi * yi + Math.log1p(e)
      slope = (zi > 0 ? 1 : 0) - yi - (Math.sign(zi) * e) / (1 + e)
    }
    total += value
    if (grad !== undefined) grad[i] = slope / count
  }
  return total / count
}

/** −Σ y·logSoftmax(z) per row, then the mean (or the class-weighted mean) over rows; each exp computed once. */
function crossEntropy(
  spec: LossSpec,
  z: Float64Array,
  y: Float64Array,
  rows: number,
  width: number,
  grad?: Float64Array,
): number {
  const weights = spec.loss === 'weightedCrossEntropy' ? spec.classWeights : undefined
  const exps = grad ?? new Float64Array(width)
  let total = 0
  let weightSum = 0
  for (let r = 0; r < rows; r += 1) {
    const at = r * width
    const into = grad === undefined ? 0 : at
    let max = -Infinity
    for (let k = 0; k < width; k += 1) max = Math.max(max, z[at + k] as number)
    let sum = 0
    for (let k = 0; k < width; k += 1) sum += exps[into + k] = Math.exp((z[at + k] as number) - max)
    const logSum = max + Math.log(sum)
    let nll = 0
    let targetSum = 0
    let w = weights === undefined ? 1 : 0
    for (let k = 0; k < width; k += 1) {
      const yk = y[at + k] as number
      nll -= yk * ((z[at + k] as number) - logSum)
      targetSum += yk
      if (weights !== undefined) w += yk * (weights[k] as number)
    }
    total += w * nll
    weightSum += w
    // grad holds the row's w · (softmax · Σy − y) for now; divided by Σw below.
    if (grad !== undefined)
      for (let k = 0; k < width; k += 1)
        grad[at + k] = w * (((grad[at + k] as number) / sum) * targetSum - (y[at + k] as number))
  }
  if (grad !== undefined) for (let i = 0; i < rows * width; i += 1) grad[i] = (grad[i] as number) / weightSum
  return total / weightSum
}

/**
 * Share of rows whose predicted class is the target (`targets[r]`, a class index): over several
 * outputs the first highest one (softmax and sigmoid keep the order), over one output the scored
 * value above 0.5 (sigmoid first after BCE with logits; a one-column softmax is 1). Null for regression.
 */
export function computeAccuracy(
  spec: LossSpec,
  z: Float64Array,
  targets: Float32Array,
  rows: number,
  width: number,
): number | null {
  if (spec.classes === 0 || rows === 0) return null
  const isSoftmax = spec.loss === 'crossEntropy' || spec.loss === 'weightedCrossEntropy'
  let correct = 0
  for (let r = 0; r < rows; r += 1) {
    let predicted = 0
    if (width === 1) {
      const value = z[r] as number
      const p = isSoftmax ? 1 : spec.loss === 'bceWithLogits' ? 1 / (1 + Math.exp(-value)) : value
      predicted = p > 0.5 ? 1 : 0
    } else {
      for (let k = 1; k < width; k += 1)
        if ((z[r * width + k] as number) > (z[r * width + predicted] as number)) predicted = k
    }
    if (predicted === targets[r]) correct += 1
  }
  return correct / rows
}
