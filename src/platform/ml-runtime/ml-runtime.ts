import type { Logger } from 'pino'
import type { PredictSequenceTask, TrainSequenceResult, TrainSequenceTask, EpochReport } from './ml-tasks.js'
import { createWorkerPool, type WorkerPool } from './worker-pool.js'

/** The ML port: training and inference, each on its own worker threads, never on the event loop. */
export interface MlRuntime {
  /** `onEpoch` answers after each epoch whether to go on; training waits for the answer. */
  train(task: Omit<TrainSequenceTask, 'op'>, onEpoch: (report: EpochReport) => boolean | Promise<boolean>): Promise<TrainSequenceResult>
  predict(task: Omit<PredictSequenceTask, 'op'>): Promise<number[]>
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
  const logger = options.logger
  return {
    async train(task, onEpoch) {
      training ??= createWorkerPool({ entry: ENTRY, size: options.trainingThreads, logger, threadOptions: { nice: TRAINING_NICE } })
      return (await training.run({ op: 'train-sequence', ...task }, { onProgress: (data) => onEpoch(data as EpochReport) })) as TrainSequenceResult
    },
    async predict(task) {
      inference ??= createWorkerPool({ entry: ENTRY, size: 1, logger })
      return (await inference.run({ op: 'predict-sequence', ...task })) as number[]
    },
    async recycleTraining() {
      await training?.recycle()
    },
    async close() {
      await Promise.all([training?.close(), inference?.close()])
    },
  }
}
