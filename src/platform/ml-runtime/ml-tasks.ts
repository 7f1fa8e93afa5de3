// The tasks an ML worker thread runs, as plain data: the only contract between the API process
// and its ML threads.
import type { ArtifactFile } from './artifact-files.js'
import type { PredictClassicalTask, TrainClassicalResult, TrainClassicalTask } from './classical-task.js'
import type { PredictClassifierTask, TrainClassifierTask } from './classifier-task.js'
import type { PredictNetworkTask, TrainNetworkResult, TrainNetworkTask } from './network-task.js'
import type { EpochReport, SequenceModelSpec, SequenceTrainInput } from './sequence-model.js'

/** The training input itself is the sequence model's; the task adds where the artifacts go. */
export interface TrainSequenceTask extends SequenceTrainInput {
  readonly op: 'train-sequence'
  /** The artifact's key prefix in the blob store, e.g. `models/<model id>` (the runtime stores the files there). */
  readonly artifact: string
  readonly meta: unknown
}

export interface TrainSequenceResult {
  readonly epochs: EpochReport[]
  /** The trained model's outputs for the held-out examples, in order. */
  readonly validationOutputs: number[]
  readonly isStopped: boolean
  /** The trained model's files (none when stopped); the runtime stores them and leaves them out of what it returns. */
  readonly files?: ArtifactFile[]
}

export interface PredictSequenceTask {
  readonly op: 'predict-sequence'
  /** The artifact's key prefix in the blob store. */
  readonly artifact: string
  /** The artifact's files, sent by the runtime when the thread answered that it does not hold them. */
  readonly files?: readonly ArtifactFile[]
  readonly inputs: Float32Array
  readonly steps: number
  readonly features: number
}

/** A model trained from a spec the caller describes: a network or a classical model. */
export type TrainModelTask = TrainNetworkTask | TrainClassicalTask
/** A TrainModelTask before the engine names its artifact. */
export type TrainModelInput = Omit<TrainNetworkTask, 'artifact'> | Omit<TrainClassicalTask, 'artifact'>
export type TrainModelResult = TrainNetworkResult | TrainClassicalResult
export type PredictModelTask = PredictNetworkTask | PredictClassicalTask
/** Rows x outputs, flattened (class probabilities, or values). */
export interface ModelOutputs {
  readonly outputs: number
  readonly values: number[]
}

export type MlTask =
  | TrainSequenceTask
  | PredictSequenceTask
  | TrainClassifierTask
  | PredictClassifierTask
  | TrainModelTask
  | PredictModelTask
export type { EpochReport, SequenceModelSpec }
export type {
  ClassifierPrediction,
  ClassifierSpec,
  PredictClassifierTask,
  TrainClassifierResult,
  TrainClassifierTask,
} from './classifier-task.js'
export type {
  NetworkLayer,
  NetworkLoss,
  NetworkSpec,
  PredictNetworkTask,
  TrainNetworkResult,
  TrainNetworkTask,
} from './network-task.js'
export type {
  ClassicalAlgorithm,
  ClassicalOptions,
  PredictClassicalTask,
  TrainClassicalResult,
  TrainClassicalTask,
} from './classical-task.js'
