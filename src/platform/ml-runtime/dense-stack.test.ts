import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs'
import { createDenseStack, type DenseRows, type DenseWeights } from './dense-stack.js'
import {
  buildNetwork,
  computeLoss,
  type NetworkLayer,
  type NetworkSpec,
  trainNetwork,
  type TrainNetworkTask,
} from './network-task.js'
import { seeded } from './seeded.js'
import { loadTf, type Tf } from './tf-runtime.js'

const ROWS = 12

function makeSpec(overrides: Partial<NetworkSpec> & Pick<NetworkSpec, 'layers' | 'loss' | 'classes'>): NetworkSpec {
  return {
    optimizer: 'sgd',
    learningRate: 0.1,
    epochs: 3,
    batchSize: 5,
    inputShape: [4],
    standardize: false,
    ...overrides,
  }
}

/** Rows of random inputs and targets shaped as the loss compares them (one-hot over several outputs). */
function makeRows(spec: NetworkSpec, outputs: number, seed: number): DenseRows & { tfTargets: Float64Array } {
  const random = seeded(seed)
  const width = spec.inputShape.reduce((a, b) => a * b, 1)
  const inputs = Float32Array.from({ length: ROWS * width }, () => random() * 2 - 1)
  const classes = Float32Array.from({ length: ROWS }, () =>
    spec.classes > 0 ? Math.floor(random() * spec.classes) : random() * 3,
  )
  const targets = new Float64Array(ROWS * outputs)
  classes.forEach((c, r) => {
    if (spec.classes > 0 && outputs > 1) targets[r * outputs + c] = 1
    else targets.fill(c, r * outputs, (r + 1) * outputs)
  })
  return { inputs, targets, classes, rows: ROWS, tfTargets: targets }
}

async function compare(tf: Tf, spec: NetworkSpec, steps: number) {
  const model = buildNetwork(tf, spec, 7)
  const dense = model.layers.filter((layer) => layer.getClassName() === 'Dense')
  const initial: DenseWeights[] = dense.map((layer) => {
    const [kernel, bias] = layer.getWeights() as [Tensor, Tensor]
    const [inputs, units] = kernel.shape as [number, number]
    return { inputs, units, kernel: Float32Array.from(kernel.dataSync()), bias: Float32Array.from(bias.dataSync()) }
  })
  const outputs = initial.at(-1)?.units as number
  const data = makeRows(spec, outputs, 3)
  const width = spec.inputShape.reduce((a, b) => a * b, 1)
  const stack = createDenseStack({
    layers: spec.layers,
    inputWidth: width,
    weights: initial,
    loss: spec,
    optimizer: spec.optimizer,
    learningRate: spec.learningRate,
    random: () => 0.5,
  })
  const optimizer = spec.optimizer === 'adam' ? tf.train.adam(spec.learningRate) : tf.train.sgd(spec.learningRate)
  const variables = model.trainableWeights.map((w) => w.read() as Variable)
  const batches = [Int32Array.of(0, 3, 5, 7, 11), Int32Array.of(1, 2, 4, 6, 8, 9, 10)]
  for (let step = 0; step < steps; step += 1) {
    const batch = batches[step % batches.length] as Int32Array
    const ours = stack.trainBatch(data, batch)
    const theirs = tf.tidy(() => {
      const rows = Array.from(batch)
      const x = tf.tensor2d(
        rows.flatMap((r) => Array.from(data.inputs.subarray(r * width, (r + 1) * width))),
        [rows.length, width],
      )
      const y = tf.tensor2d(
        rows.flatMap((r) => Array.from(data.tfTargets.subarray(r * outputs, (r + 1) * outputs))),
        [rows.length, outputs],
      )
      const shaped = tf.reshape(x, [rows.length, ...spec.inputShape])
      const cost = optimizer.minimize(
        () => computeLoss(tf, spec, y, model.apply(shaped, { training: true }) as Tensor) as Scalar,
        true,
        variables,
      ) as Scalar
      return cost.dataSync()[0] as number
    })
    assert.ok(Math.abs(ours - theirs) < 1e-4 * Math.max(1, Math.abs(theirs)), `step ${step} loss ${ours} vs ${theirs}`)
  }
  const trained = stack.readWeights()
  dense.forEach((layer, i) => {
    const [kernel, bias] = layer.getWeights().map((w) => w.dataSync()) as [Float32Array, Float32Array]
    const mine = trained[i] as DenseWeights
    const moved = kernel.some((v, k) => Math.abs(v - (initial[i]?.kernel[k] as number)) > 1e-4)
    assert.ok(moved, `layer ${i} kernel was trained`)
    kernel.forEach((v, k) => assert.ok(Math.abs(v - (mine.kernel[k] as number)) < 1e-4, `layer ${i} kernel[${k}]`))
    bias.forEach((v, k) => assert.ok(Math.abs(v - (mine.bias[k] as number)) < 1e-4, `layer ${i} bias[${k}]`))
  })
  optimizer.dispose()
  model.dispose()
}

const hidden = (activation: Extract<NetworkLayer, { type: 'activation' }>['activation']): NetworkLayer[] => [
  { type: 'dense', units: 5 },
  { type: 'activation', activation, negativeSlope: 0.2 },
]

describe('the dense stack against TensorFlow.js autodiff', () => {
  const cases: [string, NetworkSpec][] = [
    [
      'relu, cross-entropy',
      makeSpec({ layers: [...hidden('relu'), { type: 'dense', units: 3 }], loss: 'crossEntropy', classes: 3 }),
    ],
    [
      'tanh, weighted cross-entropy',
      makeSpec({
        layers: [...hidden('tanh'), { type: 'dense', units: 3 }],
        loss: 'weightedCrossEntropy',
        classes: 3,
        classWeights: [0.5, 2, 1],
      }),
    ],
    [
      'leaky relu, MSE regression',
      makeSpec({ layers: [...hidden('leakyRelu'), { type: 'dense', units: 1 }], loss: 'mse', classes: 0 }),
    ],
    [
      'sigmoid, L1 regression over two outputs',
      makeSpec({ layers: [...hidden('sigmoid'), { type: 'dense', units: 2 }], loss: 'l1', classes: 0 }),
    ],
    [
      'BCE on a sigmoid output',
      makeSpec({
        layers: [...hidden('relu'), { type: 'dense', units: 1 }, { type: 'activation', activation: 'sigmoid' }],
        loss: 'bce',
        classes: 2,
      }),
    ],
    [
      'BCE with logits',
      makeSpec({ layers: [...hidden('tanh'), { type: 'dense', units: 1 }], loss: 'bceWithLogits', classes: 2 }),
    ],
    [
      'a softmax layer inside, dropout 0, Adam',
      makeSpec({
        layers: [...hidden('softmax'), { type: 'dropout', rate: 0 }, { type: 'dense', units: 3 }],
        loss: 'crossEntropy',
        classes: 3,
        optimizer: 'adam',
        learningRate: 0.05,
      }),
    ],
    [
      'an image row through flatten, Adam',
      makeSpec({
        layers: [{ type: 'flatten' }, ...hidden('relu'), { type: 'dense', units: 2 }],
        loss: 'crossEntropy',
        classes: 2,
        inputShape: [2, 2, 1],
        optimizer: 'adam',
        learningRate: 0.05,
      }),
    ],
  ]
  for (const [name, spec] of cases)
    test(`${name}: the same losses and weights after four steps`, async () => {
      await compare(await loadTf(), spec, 4)
    })
})

describe('a dense network trained by trainNetwork', () => {
  const spec = makeSpec({
    layers: [
      { type: 'dense', units: 8 },
      { type: 'activation', activation: 'relu' },
      { type: 'dropout', rate: 0.3 },
      { type: 'dense', units: 3 },
    ],
    loss: 'crossEntropy',
    classes: 3,
    epochs: 4,
  })
  const random = seeded(11)
  const inputs = Float32Array.from({ length: 60 * 4 }, () => random())
  const targets = Float32Array.from({ length: 60 }, (_, r) => r % 3)
  const quiet = { progress() {}, isStopRequested: () => false, ask: async () => true }
  const task = (seed: number): TrainNetworkTask => ({
    op: 'train-network',
    spec,
    inputs,
    targets,
    validationCount: 15,
    seed,
    artifact: 'models/dense-test',
    meta: {},
  })

  test('is reproducible with its seed (dropout masks included) and differs with another', async () => {
    const tf = await loadTf()
    const losses = async (seed: number) => (await trainNetwork(tf, task(seed), quiet)).epochs.map((e) => e.loss)
    const first = await losses(1)
    assert.deepEqual(await losses(1), first)
    assert.notDeepEqual(await losses(2), first)
  })

  test('leaves its trained weights in the saved model: its held-out outputs are probabilities of those weights', async () => {
    const tf = await loadTf()
    const result = await trainNetwork(tf, task(1), quiet)
    assert.equal(result.validationOutputs.length, 15 * 3)
    const last = result.epochs.at(-1)
    assert.ok(last !== undefined && last.valAccuracy !== null)
    let [correct, loss] = [0, 0]
    for (let r = 0; r < 15; r += 1) {
      const row = result.validationOutputs.slice(r * 3, r * 3 + 3)
      const target = targets[45 + r] as number
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5)
      if (row.indexOf(Math.max(...row)) === target) correct += 1
      loss -= Math.log(row[target] as number) / 15
    }
    assert.ok(
      Math.abs(correct / 15 - last.valAccuracy) < 1e-9,
      'the saved model scores the held-out rows as training did',
    )
    assert.ok(Math.abs(loss - (last.valLoss as number)) < 1e-4, `held-out loss ${loss} vs ${last.valLoss}`)
    assert.ok((result.files ?? []).some((file) => file.name === 'model.json'))
  })
})
