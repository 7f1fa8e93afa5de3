import type { Logger } from 'pino'
import type { ClassifierPrediction, EpochReport, ModelOutputs, PredictClassifierTask, PredictModelTask, TrainModelResult, TrainModelTask, PredictSequenceTask, TrainClassifierResult, TrainClassifierTask, TrainSequenceResult, TrainSequenceTask } from './ml-tasks.js'
import { createWorkerPool, type WorkerPool } from './worker-pool.js'

/** The ML port: training and inference, each on its own worker threads, never on the event loop. */
export interface MlRuntime {
  /** `onEpoch` answers after each epoch whether to go on; training waits for the answer. */
  train(task: Omit<TrainSequenceTask, 'op'>, onEpoch: (report: EpochReport) => boolean | Promise<boolean>): Promise<TrainSequenceResult>
  predict(task: Omit<PredictSequenceTask, 'op'>): Promise<number[]>
  /** Trains a dense classifier (classifier-task.ts) on a training thread. */
  trainClassifier(task: Omit<TrainClassifierTask, 'op'>, onEpoch: (report: EpochReport) => boolean | Promise<boolean>): Promise<TrainClassifierResult>
  /** Class probabilities from a trained classifier, on the inference thread. */
  predictClassifier(task: Omit<PredictClassifierTask, 'op'>): Promise<ClassifierPrediction>
  /**
   * Trains a model described by its caller (a network or a classical model) on a training thread.
   * Tasks of different `owner`s (users) waiting for a thread take turns, so one user's queue of
   * runs never holds back another's.
   */
  trainModel(task: TrainModelTask, onEpoch: (report: EpochReport) => boolean | Promise<boolean>, owner?: string): Promise<TrainModelResult>
  /** Outputs of a trained network or classical model, on the inference thread. */
  predictModel(task: PredictModelTask): Promise<ModelOutputs>
  /** Inference tasks sent and not yet answered (queued or running): the depth callers shed load by. */
  inferenceBacklog(): number
  /** Ends the training threads now, as a crash would (their runs fail with WorkerCrashedError), and starts fresh ones. */
  recycleTraining(): Promise<void>
  close(): Promise<void>
}

// Beside this module: ml-worker.ts when run from source, ml-worker.js when compiled to dist/.
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './ml-worker.ts' : './ml-worker.js', import.meta.url)
/**
 * Training threads run at this Linux nice value (per thread there), so the event loop and the
 * inference thread keep the CPU they need while models train on every core.
 */
const TRAINING_NICE = 10

/**
 * Training threads and one inference thread, so a recommendation never waits behind a training
 * run. Threads start lazily: a process that never trains or predicts never loads TensorFlow.js.
 */
export function createMlRuntime(options: { trainingThreads: number; logger: Logger }): MlRuntime {
  let training: WorkerPool | undefined
  let inference: WorkerPool | undefined
  let backlog = 0
  const logger = options.logger
  const trainingPool = () => (training ??= createWorkerPool({ entry: ENTRY, size: options.trainingThreads, logger, threadOptions: { nice: TRAINING_NICE } }))
  const infer = async (task: unknown) => {
    inference ??= createWorkerPool({ entry: ENTRY, size: 1, logger })
    backlog += 1
    try {
      return await inference.run(task)
    } finally {
      backlog -= 1
    }
  }
  return {
    async train(task, onEpoch) {
      return (await trainingPool().run({ op: 'train-sequence', ...task }, { onProgress: (data) => onEpoch(data as EpochReport) })) as TrainSequenceResult
    },
    async predict(task) {
      return (await infer({ op: 'predict-sequence', ...task })) as number[]
    },
    async trainClassifier(task, onEpoch) {
      return (await trainingPool().run({ op: 'train-classifier', ...task }, { onProgress: (data) => onEpoch(data as EpochReport) })) as TrainClassifierResult
    },
    async predictClassifier(task) {
      return (await infer({ op: 'predict-classifier', ...task })) as ClassifierPrediction
    },
    async trainModel(task, onEpoch, owner) {
      return (await trainingPool().run(task, { owner, onProgress: (data) => onEpoch(data as EpochReport) })) as TrainModelResult
    },
    async predictModel(task) {
      return (await infer(task)) as ModelOutputs
    },
    inferenceBacklog: () => backlog,
    async recycleTraining() {
      await training?.recycle()
    },
    async close() {
      await Promise.all([training?.close(), inference?.close()])
    },
  }
}
