// A network of dense, activation, dropout and flatten layers trained on plain arrays with a
// hand-written backward pass and optimizer step, as lstm-sequence.ts did for the LSTM: for the
// playground's small MLPs TensorFlow.js's fixed cost per kernel (about 40 kernels a batch, 2–3 ms on
// wasm, found by profiling bench/playground-torch.ts) is far more than the arithmetic, which here is
// a few loops over rows. The maths are the TensorFlow.js path's (network-task.ts): the same layers,
// losses (dense-loss.ts), SGD and Adam updates (tfjs' Adam: β 0.9 / 0.999, ε 1e-7), in float32
// weights; the model is built and saved by TensorFlow.js as before, only its weights come from here.
import { computeAccuracy, computeLossGradient, type LossSpec } from './dense-loss.js'
import type { NetworkLayer } from './network-task.js'

/** A dense layer's weights, as TensorFlow.js holds them: kernel inputs x units (row-major), bias units. */
export interface DenseWeights {
  readonly inputs: number
  readonly units: number
  readonly kernel: Float32Array
  readonly bias: Float32Array
}

export interface DenseStackOptions {
  readonly layers: readonly NetworkLayer[]
  /** Values in one input row. */
  readonly inputWidth: number
  /** The initial weights, one per dense layer in order (copied: `readWeights` gives the trained ones). */
  readonly weights: readonly DenseWeights[]
  readonly loss: LossSpec
  readonly optimizer: 'sgd' | 'adam'
  readonly learningRate: number
  /** Uniform [0, 1) draws for the dropout masks (seeded by the caller, so a run is reproducible). */
  readonly random: () => number
}

/** Rows of a dataset: inputs rows x inputWidth, targets rows x outputs (as the loss compares them). */
export interface DenseRows {
  readonly inputs: Float32Array
  readonly targets: Float64Array
  /** Class index per row, for accuracy. */
  readonly classes: Float32Array
  readonly rows: number
}

export interface DenseStack {
  /** One optimizer step on the given rows (a batch) in training mode; returns the batch's mean loss before the step. */
  trainBatch(data: DenseRows, batch: Int32Array): number
  /** Loss and accuracy of every row in inference mode (dropout off). */
  evaluate(data: DenseRows): { loss: number; accuracy: number | null }
  /** The weights now, one per dense layer, in TensorFlow.js's layout. */
  readWeights(): DenseWeights[]
}

type Activation = Extract<NetworkLayer, { type: 'activation' }>['activation']
type Step =
  | { readonly kind: 'dense'; readonly layer: Dense; readonly moments: Moments | null }
  | { readonly kind: 'activation'; readonly activation: Activation; readonly slope: number; readonly width: number }
  | { readonly kind: 'dropout'; readonly rate: number; readonly width: number }

interface Moments {
  readonly kernel: [Float64Array, Float64Array]
  readonly bias: [Float64Array, Float64Array]
}

const [BETA1, BETA2, ADAM_EPSILON] = [0.9, 0.999, 1e-7]

/** True when every layer is dense, an activation, dropout or flatten, with at least one dense layer. */
export function isDenseStack(layers: readonly NetworkLayer[]): boolean {
  return (
    layers.some((layer) => layer.type === 'dense') &&
    layers.every((layer) => ['dense', 'activation', 'dropout', 'flatten'].includes(layer.type))
  )
}

function buildSteps(options: DenseStackOptions): Step[] {
  const steps: Step[] = []
  let width = options.inputWidth
  let dense = 0
  for (const layer of options.layers) {
    if (layer.type === 'dense') {
      const weights = options.weights[dense++]
      if (weights === undefined || weights.inputs !== width || weights.units !== layer.units)
        throw new Error(`dense layer ${dense} has no weights of ${width} x ${layer.units}`)
      const zeros = (n: number): [Float64Array, Float64Array] => [new Float64Array(n), new Float64Array(n)]
      const moments =
        options.optimizer === 'adam' ? { kernel: zeros(weights.kernel.length), bias: zeros(weights.bias.length) } : null
      const kernelT = transposed(weights.kernel, weights.inputs, weights.units)
      steps.push({ kind: 'dense', layer: { ...weights, kernelT, bias: weights.bias.slice() }, moments })
      width = layer.units
    } else if (layer.type === 'activation')
      steps.push({ kind: 'activation', activation: layer.activation, slope: layer.negativeSlope ?? 0.01, width })
    else if (layer.type === 'dropout') steps.push({ kind: 'dropout', rate: layer.rate, width })
  }
  return steps
}

/** The stack over `options.weights` (changed in place by `trainBatch`). */
export function createDenseStack(options: DenseStackOptions): DenseStack {
  const steps = buildSteps(options)
  const widths = [options.inputWidth]
  for (const step of steps) widths.push(step.kind === 'dense' ? step.layer.units : (widths.at(-1) as number))
  const outputs = widths.at(-1) as number
  const maxWidth = Math.max(...widths)
  let capacity = 0
  let values: Float64Array[] = []
  let masks: Float64Array[] = []
  let grads: [Float64Array, Float64Array] = [new Float64Array(0), new Float64Array(0)]
  const gradients = steps.map((step) =>
    step.kind === 'dense'
      ? { kernel: new Float64Array(step.layer.kernelT.length), bias: new Float64Array(step.layer.units) }
      : null,
  )
  let adamStep = 0

  function ensure(rows: number) {
    if (rows <= capacity) return
    capacity = rows
    values = widths.map((w) => new Float64Array(rows * w))
    masks = widths.map((w) => new Float64Array(rows * w))
    grads = [new Float64Array(rows * maxWidth), new Float64Array(rows * maxWidth)]
  }

  function forward(rows: number, isTraining: boolean): Float64Array {
    steps.forEach((step, s) => {
      const input = values[s] as Float64Array
      const output = values[s + 1] as Float64Array
      if (step.kind === 'dense') denseForward(step.layer, input, output, rows)
      else if (step.kind === 'activation') activationForward(step, input, output, rows)
      else dropoutForward(step, input, output, masks[s] as Float64Array, rows, isTraining, options.random)
    })
    return values[steps.length] as Float64Array
  }

  function backward(rows: number, dOutput: Float64Array) {
    let [g, spare] = [dOutput, grads[1]]
    for (let s = steps.length - 1; s >= 0; s -= 1) {
      const step = steps[s] as Step
      const [input, output] = [values[s] as Float64Array, values[s + 1] as Float64Array]
      if (step.kind === 'dense') {
        const gradient = gradients[s] as { kernel: Float64Array; bias: Float64Array }
        denseBackward(step.layer, input, g, rows, gradient.kernel, gradient.bias, s > 0 ? spare : null)
        ;[g, spare] = [spare, g]
      } else if (step.kind === 'activation') activationBackward(step, input, output, g, rows)
      else multiplyInPlace(g, masks[s] as Float64Array, rows * step.width)
    }
  }

  function update() {
    adamStep += 1
    steps.forEach((step, s) => {
      if (step.kind !== 'dense') return
      const gradient = gradients[s] as { kernel: Float64Array; bias: Float64Array }
      applyUpdate(step.layer.kernelT, gradient.kernel, step.moments?.kernel, options, adamStep)
      applyUpdate(step.layer.bias, gradient.bias, step.moments?.bias, options, adamStep)
    })
  }

  function load(data: DenseRows, index: Int32Array | null, rows: number): Float64Array {
    ensure(rows)
    const [x, y] = [values[0] as Float64Array, new Float64Array(rows * outputs)]
    const width = options.inputWidth
    for (let r = 0; r < rows; r += 1) {
      const source = index === null ? r : (index[r] as number)
      for (let i = 0; i < width; i += 1) x[r * width + i] = data.inputs[source * width + i] as number
      for (let k = 0; k < outputs; k += 1) y[r * outputs + k] = data.targets[source * outputs + k] as number
    }
    return y
  }

  return {
    trainBatch(data, batch) {
      const rows = batch.length
      const y = load(data, batch, rows)
      const z = forward(rows, true)
      const dz = grads[0]
      const loss = computeLossGradient(options.loss, z, y, rows, outputs, dz)
      backward(rows, dz)
      update()
      return loss
    },
    evaluate(data) {
      if (data.rows === 0) return { loss: Number.NaN, accuracy: null }
      const y = load(data, null, data.rows)
      const z = forward(data.rows, false)
      return {
        loss: computeLossGradient(options.loss, z, y, data.rows, outputs),
        accuracy: computeAccuracy(options.loss, z, data.classes, data.rows, outputs),
      }
    },
    readWeights: () =>
      steps.flatMap((step) =>
        step.kind === 'dense'
          ? [
              {
                inputs: step.layer.inputs,
                units: step.layer.units,
                kernel: transposed(step.layer.kernelT, step.layer.units, step.layer.inputs),
                bias: step.layer.bias.slice(),
              },
            ]
          : [],
      ),
  }
}

/** A dense layer as the stack holds it: the kernel transposed (units x inputs), so each output is one dot product over a row. */
interface Dense {
  readonly inputs: number
  readonly units: number
  readonly kernelT: Float32Array
  readonly bias: Float32Array
}

/** Transposes a row-major rows x columns matrix. */
function transposed(values: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(values.length)
  for (let r = 0; r < rows; r += 1)
    for (let c = 0; c < columns; c += 1) out[c * rows + r] = values[r * columns + c] as number
  return out
}

/** output = input · kernel + bias, a row at a time (dot products unrolled by four). */
function denseForward(layer: Dense, input: Float64Array, output: Float64Array, rows: number) {
  const { inputs: n, units: m, kernelT, bias } = layer
  const whole = n - (n % 4)
  for (let r = 0; r < rows; r += 1) {
    const base = r * n
    for (let j = 0; j < m; j += 1) {
      const k = j * n
      // Separate lets: a destructured array here would be allocated per output.
      let s0 = 0
      let s1 = 0
      let s2 = 0
      let s3 = 0
      let i = 0
      for (; i < whole; i += 4) {
        s0 += (input[base + i] as number) * (kernelT[k + i] as number)
        s1 += (input[base + i + 1] as number) * (kernelT[k + i + 1] as number)
        s2 += (input[base + i + 2] as number) * (kernelT[k + i + 2] as number)
        s3 += (input[base + i + 3] as number) * (kernelT[k + i + 3] as number)
      }
      for (; i < n; i += 1) s0 += (input[base + i] as number) * (kernelT[k + i] as number)
      output[r * m + j] = (bias[j] as number) + s0 + s1 + s2 + s3
    }
  }
}

/** Kernel (transposed) and bias gradients of the batch (gᵀ·input, Σ g), and the input's gradient g·kernelᵀ into `dInput` when given. */
function denseBackward(
  layer: Dense,
  input: Float64Array,
  g: Float64Array,
  rows: number,
  dKernelT: Float64Array,
  dBias: Float64Array,
  dInput: Float64Array | null,
) {
  const { inputs: n, units: m, kernelT } = layer
  dKernelT.fill(0)
  dBias.fill(0)
  if (dInput !== null) dInput.fill(0, 0, rows * n)
  for (let r = 0; r < rows; r += 1) {
    const base = r * n
    for (let j = 0; j < m; j += 1) {
      const gj = g[r * m + j] as number
      if (gj === 0) continue
      dBias[j] = (dBias[j] as number) + gj
      const k = j * n
      for (let i = 0; i < n; i += 1) dKernelT[k + i] = (dKernelT[k + i] as number) + gj * (input[base + i] as number)
      if (dInput !== null)
        for (let i = 0; i < n; i += 1) dInput[base + i] = (dInput[base + i] as number) + gj * (kernelT[k + i] as number)
    }
  }
}

function activationForward(
  step: Extract<Step, { kind: 'activation' }>,
  input: Float64Array,
  output: Float64Array,
  rows: number,
) {
  const count = rows * step.width
  if (step.activation === 'softmax') {
    for (let r = 0; r < rows; r += 1) softmaxRow(input, output, r * step.width, step.width)
    return
  }
  for (let i = 0; i < count; i += 1) {
    const x = input[i] as number
    if (step.activation === 'relu') output[i] = x > 0 ? x : 0
    else if (step.activation === 'leakyRelu') output[i] = x > 0 ? x : step.slope * x
    else if (step.activation === 'sigmoid') output[i] = 1 / (1 + Math.exp(-x))
    else output[i] = Math.tanh(x)
  }
}

function softmaxRow(input: Float64Array, output: Float64Array, at: number, width: number) {
  let max = -Infinity
  for (let k = 0; k < width; k += 1) max = Math.max(max, input[at + k] as number)
  let sum = 0
  for (let k = 0; k < width; k += 1) sum += output[at + k] = Math.exp((input[at + k] as number) - max)
  for (let k = 0; k < width; k += 1) output[at + k] = (output[at + k] as number) / sum
}

/** g ← dLoss/dinput from g = dLoss/doutput, in place (relu and leaky relu: the input's sign, 0 counting as negative). */
function activationBackward(
  step: Extract<Step, { kind: 'activation' }>,
  input: Float64Array,
  output: Float64Array,
  g: Float64Array,
  rows: number,
) {
  const width = step.width
  if (step.activation === 'softmax') {
    for (let r = 0; r < rows; r += 1) {
      let dot = 0
      for (let k = 0; k < width; k += 1) dot += (g[r * width + k] as number) * (output[r * width + k] as number)
      for (let k = 0; k < width; k += 1)
        g[r * width + k] = (output[r * width + k] as number) * ((g[r * width + k] as number) - dot)
    }
    return
  }
  for (let i = 0; i < rows * width; i += 1) {
    const x = input[i] as number
    const y = output[i] as number
    const slope =
      step.activation === 'relu'
        ? x > 0
          ? 1
          : 0
        : step.activation === 'leakyRelu'
          ? x > 0
            ? 1
            : step.slope
          : step.activation === 'sigmoid'
            ? y * (1 - y)
            : 1 - y * y
    g[i] = (g[i] as number) * slope
  }
}

/** Inverted dropout: in training each value is kept with probability 1 − rate and scaled by 1 / (1 − rate). */
function dropoutForward(
  step: Extract<Step, { kind: 'dropout' }>,
  input: Float64Array,
  output: Float64Array,
  mask: Float64Array,
  rows: number,
  isTraining: boolean,
  random: () => number,
) {
  const count = rows * step.width
  const keep = 1 - step.rate
  for (let i = 0; i < count; i += 1) {
    mask[i] = !isTraining || step.rate === 0 ? 1 : random() < keep ? 1 / keep : 0
    output[i] = (input[i] as number) * (mask[i] as number)
  }
}

function multiplyInPlace(g: Float64Array, by: Float64Array, count: number) {
  for (let i = 0; i < count; i += 1) g[i] = (g[i] as number) * (by[i] as number)
}

/** SGD (w −= lr·g) or TensorFlow.js's Adam (bias-corrected moments, ε added to √v̂) at step `t` (from 1). */
function applyUpdate(
  weights: Float32Array,
  gradient: Float64Array,
  moments: [Float64Array, Float64Array] | undefined,
  options: Pick<DenseStackOptions, 'learningRate'>,
  t: number,
) {
  const lr = options.learningRate
  if (moments === undefined) {
    for (let i = 0; i < weights.length; i += 1) weights[i] = (weights[i] as number) - lr * (gradient[i] as number)
    return
  }
  const [m, v] = moments
  const [correct1, correct2] = [1 - BETA1 ** t, 1 - BETA2 ** t]
  for (let i = 0; i < weights.length; i += 1) {
    const gi = gradient[i] as number
    m[i] = BETA1 * (m[i] as number) + (1 - BETA1) * gi
    v[i] = BETA2 * (v[i] as number) + (1 - BETA2) * gi * gi
    weights[i] =
      (weights[i] as number) -
      (lr * ((m[i] as number) / correct1)) / (Math.sqrt((v[i] as number) / correct2) + ADAM_EPSILON)
  }
}
