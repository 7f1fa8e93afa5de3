// A sequence regressor: LSTM -> Dense(relu) -> Dense(1). Trained with early stopping on a
// held-out tail, keeping the weights of the best validation epoch.
import type { LayersModel, Tensor } from '@tensorflow/tfjs'
import { fastLstm } from './fast-lstm.js'
import type { Tf } from './tf-runtime.js'

export interface SequenceModelSpec {
  readonly steps: number
  readonly features: number
  readonly lstmUnits: number
  readonly denseUnits: number
  readonly learningRate: number
}

export interface SequenceTrainInput {
  readonly spec: SequenceModelSpec
  /** count x steps x features, row-major. */
  readonly inputs: Float32Array
  readonly targets: Float32Array
  /** The last `validationCount` examples are held out (chronological split, no shuffle across it). */
  readonly validationCount: number
  readonly maxEpochs: number
  readonly batchSize: number
  /** Epochs without a better validation loss before stopping. */
  readonly patience: number
}

export interface EpochReport {
  readonly epoch: number
  readonly loss: number
  readonly valLoss: number | null
  /** Classifiers that score it: the share of training rows classified right after the epoch. */
  readonly accuracy?: number | null
  /** The same share on the held-out rows. */
  readonly valAccuracy?: number | null
}

export function buildSequenceModel(tf: Tf, spec: SequenceModelSpec): LayersModel {
  const model = tf.sequential()
  model.add(fastLstm(tf)({ units: spec.lstmUnits, inputShape: [spec.steps, spec.features] }))
  model.add(tf.layers.dense({ units: spec.denseUnits, activation: 'relu' }))
  model.add(tf.layers.dense({ units: 1 }))
  model.compile({ optimizer: tf.train.adam(spec.learningRate), loss: 'meanSquaredError' })
  return model
}

/** Trains in place; `onEpoch` returning (or resolving to) false stops training after that epoch (cancellation). Resolves to the epochs run. */
export async function trainSequenceModel(
  tf: Tf,
  model: LayersModel,
  input: SequenceTrainInput,
  onEpoch: (report: EpochReport) => boolean | Promise<boolean>,
): Promise<EpochReport[]> {
  const { steps, features } = input.spec
  const count = input.targets.length
  const trainCount = count - input.validationCount
  const x = tf.tensor3d(input.inputs, [count, steps, features])
  const y = tf.tensor2d(input.targets, [count, 1])
  const [xTrain, xVal] = tf.split(x, [trainCount, input.validationCount]) as [Tensor, Tensor]
  const [yTrain, yVal] = tf.split(y, [trainCount, input.validationCount]) as [Tensor, Tensor]
  const reports: EpochReport[] = []
  let best = Number.POSITIVE_INFINITY
  let bestWeights: Tensor[] | undefined
  let sinceBest = 0
  try {
    await model.fit(xTrain, yTrain, {
      epochs: input.maxEpochs,
      batchSize: input.batchSize,
      shuffle: true,
      verbose: 0,
      ...(input.validationCount > 0 && { validationData: [xVal, yVal] as [Tensor, Tensor] }),
      callbacks: {
        onEpochEnd: async (epoch, logs) => {
          const report = {
            epoch: epoch + 1,
            loss: Number(logs?.loss),
            valLoss: logs?.val_loss === undefined ? null : Number(logs.val_loss),
          }
          reports.push(report)
          const score = report.valLoss ?? report.loss
          if (score < best) {
            best = score
            sinceBest = 0
            bestWeights?.forEach((w) => w.dispose())
            bestWeights = model.getWeights().map((w) => w.clone())
          } else {
            sinceBest += 1
          }
          if (!(await onEpoch(report)) || sinceBest >= input.patience) model.stopTraining = true
        },
      },
    })
    if (bestWeights !== undefined) model.setWeights(bestWeights)
    return reports
  } finally {
    bestWeights?.forEach((w) => w.dispose())
    tf.dispose([x, y, xTrain, xVal, yTrain, yVal])
  }
}

/** One batched forward pass: count x steps x features in, one number per row out. */
export function predictSequences(
  tf: Tf,
  model: LayersModel,
  inputs: Float32Array,
  steps: number,
  features: number,
): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor3d(inputs, [inputs.length / (steps * features), steps, features])
    return (model.predict(x) as Tensor).dataSync() as Float32Array
  })
}
