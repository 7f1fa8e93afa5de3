import type { Logger } from 'pino'
import type { BlobStore } from '../blob/blob.port.js'
import { type ArtifactFile, isArtifactNeeded } from './artifact-files.js'
import { createArtifactStore } from './artifact-store.js'
import type {
  ClassifierPrediction,
  EpochReport,
  ModelOutputs,
  PredictClassifierTask,
  PredictModelTask,
  TrainModelResult,
  TrainModelTask,
  PredictSequenceTask,
  TrainClassifierResult,
  TrainClassifierTask,
  TrainSequenceResult,
  TrainSequenceTask,
} from './ml-tasks.js'
import { releasedWhenIdle } from './idle-release.js'
import { createWorkerPool, type WorkerPool } from './worker-pool.js'

/**
 * The ML port: training and inference, each on its own worker threads, never on the event loop.
 * A trained model's files go to the blob store under its `artifact` prefix (`<artifact>/<file>`),
 * so any process of the deployment can load a model any other trained.
 */
export interface MlRuntime {
  /** `onEpoch` answers after each epoch whether to go on; training waits for the answer. */
  train(
    task: Omit<TrainSequenceTask, 'op'>,
    onEpoch: (report: EpochReport) => boolean | Promise<boolean>,
  ): Promise<TrainSequenceResult>
  predict(task: Omit<PredictSequenceTask, 'op'>): Promise<number[]>
  /** Trains a dense classifier (classifier-task.ts) on a training thread. */
  trainClassifier(
    task: Omit<TrainClassifierTask, 'op'>,
    onEpoch: (report: EpochReport) => boolean | Promise<boolean>,
  ): Promise<TrainClassifierResult>
  /** Class probabilities from a trained classifier, on the inference thread. */
  predictClassifier(task: Omit<PredictClassifierTask, 'op'>): Promise<ClassifierPrediction>
  /**
   * Trains a model described by its caller (a network or a classical model) on a training thread.
   * Tasks of different `owner`s (users) waiting for a thread take turns, so one user's queue of
   * runs never holds back another's.
   */
  trainModel(
    task: TrainModelTask,
    onEpoch: (report: EpochReport) => boolean | Promise<boolean>,
    owner?: string,
  ): Promise<TrainModelResult>
  /** Outputs of a trained network or classical model, on the inference thread. */
  predictModel(task: PredictModelTask): Promise<ModelOutputs>
  /** Inference tasks sent and not yet answered (queued or running): the depth callers shed load by. */
  inferenceBacklog(): number
  /** Every stored file of a model (e.g. for a download); `unavailable` when the blob store has none. */
  loadArtifact(artifact: string): Promise<ArtifactFile[]>
  /** Removes a model's stored files (a cancelled run's, a deleted model's); resolves with how many. */
  deleteArtifact(artifact: string): Promise<number>
  /** Ends the training threads now, as a crash would (their runs fail with WorkerCrashedError), and starts fresh ones. */
  recycleTraining(): Promise<void>
  /** Training threads running now: 0 before the first training and again once training has been idle for `trainingIdleMs`. */
  trainingThreads(): number
  close(): Promise<void>
}

// Beside this module: ml-worker.ts when run from source, ml-worker.js when compiled to dist/.
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './ml-worker.ts' : './ml-worker.js', import.meta.url)
/**
 * Training threads run at this Linux nice value (per thread there), so the event loop and the
 * inference thread keep the CPU they need while models train on every core: the lowest priority,
 * a weight of 15 against a nice-0 thread's 1,024 under CFS (10 was 110, and left `/healthz`
 * waiting behind four busy training threads on two cores).
 */
export const TRAINING_NICE = 19
/**
 * Training threads end after this long without a training run (each holds TensorFlow.js and its
 * wasm heap, about 130 MB), and start again with the next run; `PULSEBASE_ML_TRAINING_IDLE_SECONDS`.
 */
export const TRAINING_IDLE_MS = 60_000

/**
 * Training threads and one inference thread, so a recommendation never waits behind a training
 * run. Threads start lazily: a process that never trains or predicts never loads TensorFlow.js.
 */
export function createMlRuntime(options: {
  trainingThreads: number
  logger: Logger
  blobs: BlobStore
  legacyRoot?: string
  trainingIdleMs?: number
}): MlRuntime {
  const artifacts = createArtifactStore(options.blobs, options.legacyRoot)
  const logger = options.logger
  const training = releasedWhenIdle({
    open: () =>
      createWorkerPool({ entry: ENTRY, size: options.trainingThreads, logger, threadOptions: { nice: TRAINING_NICE } }),
    close: (pool: WorkerPool) => pool.close(),
    idleMs: options.trainingIdleMs ?? TRAINING_IDLE_MS,
  })
  let inference: WorkerPool | undefined
  let backlog = 0
  /**
   * Runs `task` on a training thread (taking turns between `owner`s when given); the threads end once
   * no run has been in flight for the idle period.
   */
  const onTraining = (task: unknown, onProgress: (data: unknown) => boolean | Promise<boolean>, owner?: string) =>
    training.use((pool) => pool.run(task, { owner, onProgress }))
  const infer = async (task: unknown) => {
    inference ??= createWorkerPool({ entry: ENTRY, size: 1, logger })
    backlog += 1
    try {
      return await inference.run(task)
    } finally {
      backlog -= 1
    }
  }
  // The inference thread keeps models it loaded; one it does not hold yet it asks for, and gets the files.
  const predictWith = async (task: { readonly op: string; readonly artifact: string }) => {
    const answer = await infer(task)
    return isArtifactNeeded(answer) ? infer({ ...task, files: await artifacts.load(task.artifact) }) : answer
  }
  const trainWith = async <R extends { isStopped: boolean; files?: unknown }>(
    task: { readonly op: string; readonly artifact: string },
    onEpoch: (report: EpochReport) => boolean | Promise<boolean>,
    owner?: string,
  ): Promise<R> => {
    const { files, ...result } = (await onTraining(task, (data) => onEpoch(data as EpochReport), owner)) as R
    if (!result.isStopped) await artifacts.store(task.artifact, (files ?? []) as never)
    return result as R
  }
  return {
    train: (task, onEpoch) =>
      trainWith<TrainSequenceResult>({ op: 'train-sequence', ...task } as TrainSequenceTask, onEpoch),
    async predict(task) {
      return (await predictWith({ op: 'predict-sequence', ...task })) as number[]
    },
    trainClassifier: (task, onEpoch) =>
      trainWith<TrainClassifierResult>({ op: 'train-classifier', ...task } as TrainClassifierTask, onEpoch),
    async predictClassifier(task) {
      return (await predictWith({ op: 'predict-classifier', ...task })) as ClassifierPrediction
    },
    trainModel: (task, onEpoch, owner) => trainWith<TrainModelResult>(task, onEpoch, owner),
    async predictModel(task) {
      return (await predictWith(task)) as ModelOutputs
    },
    loadArtifact: (artifact) => artifacts.load(artifact),
    inferenceBacklog: () => backlog,
    deleteArtifact: (artifact) => artifacts.remove(artifact),
    async recycleTraining() {
      await training.current()?.recycle()
    },
    trainingThreads: () => training.current()?.size ?? 0,
    async close() {
      await Promise.all([training.close(), inference?.close()])
    },
  }
}
