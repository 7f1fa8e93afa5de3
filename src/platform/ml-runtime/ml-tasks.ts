// The tasks an ML worker thread runs, as plain data: the only contract between the API process
// and its ML threads.
import type { PredictClassifierTask, TrainClassifierTask } from './classifier-task.js'
import type { EpochReport, SequenceModelSpec, SequenceTrainInput } from './sequence-model.js'

/** The training input itself is the sequence model's; the task adds where the artifacts go. */
export interface TrainSequenceTask extends SequenceTrainInput {
  readonly op: 'train-sequence'
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

export type MlTask = TrainSequenceTask | PredictSequenceTask | TrainClassifierTask | PredictClassifierTask
export type { EpochReport, SequenceModelSpec }
export type { ClassifierPrediction, ClassifierSpec, PredictClassifierTask, TrainClassifierResult, TrainClassifierTask } from './classifier-task.js'
