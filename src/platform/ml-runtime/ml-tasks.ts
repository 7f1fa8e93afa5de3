// The tasks an ML worker thread runs, as plain data: the only contract between the API process
// and its ML threads.
import type { EpochReport, SequenceModelSpec } from './sequence-model.js'

export interface TrainSequenceTask {
  readonly op: 'train-sequence'
  readonly spec: SequenceModelSpec
  readonly inputs: Float32Array
  readonly targets: Float32Array
  readonly validationCount: number
  readonly maxEpochs: number
  readonly batchSize: number
  readonly patience: number
  /** Where the artifacts go (a directory named by model id). */
  readonly directory: string
  readonly meta: unknown
}

export interface TrainSequenceResult {
  readonly epochs: EpochReport[]
  /** The trained model's outputs for the held-out examples, in order. */
  readonly validationOutputs: number[]
  readonly isStopped: boolean
}

export interface PredictSequenceTask {
  readonly op: 'predict-sequence'
  readonly directory: string
  readonly inputs: Float32Array
  readonly steps: number
  readonly features: number
}

export type MlTask = TrainSequenceTask | PredictSequenceTask
export type { EpochReport, SequenceModelSpec }
