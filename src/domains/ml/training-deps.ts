// What the training engine needs, and the rules of a run: shared by the service and the run.
import type { Logger } from 'pino'
import { AppError } from '../../errors.js'
import type { DatabaseKind, Db } from '../../platform/db/database.js'
import { recordChange } from '../sync/sync.repository.js'
import type { MlRuntime } from '../../platform/ml-runtime/ml-runtime.js'
import type {
  EpochReport,
  TrainClassifierTask,
  TrainModelInput,
  TrainSequenceTask,
} from '../../platform/ml-runtime/ml-tasks.js'
import type { Outbox } from '../../platform/queue/outbox.js'
import type { ModelKind, TrainingEvent } from './ml.schema.js'
import type { Clock } from '../../platform/time/clock.js'

/** What a model kind hands the engine: a ready task (a sequence model, or a classifier, network or classical model named by its `op`) and how to score the held-out outputs. */
export interface PreparedTraining {
  readonly task: Omit<TrainSequenceTask, 'op' | 'artifact'> | Omit<TrainClassifierTask, 'artifact'> | TrainModelInput
  /** Epochs the run will train unless stopped (no early stopping): live events then carry a percent. */
  readonly plannedEpochs?: number
  readonly params: Record<string, unknown>
  readonly dataFrom: number | null
  readonly dataTo: number | null
  readonly examples: number
  /** Held-out metrics from the outputs, with every epoch the run reported (some kinds keep their history). */
  evaluate(validationOutputs: readonly number[], epochs: readonly EpochReport[]): Record<string, unknown>
}

/** What a training request asked for beyond its kind (e.g. the dataset a sensor classifier trains on), stored with the job. */
export type TrainingParams = Readonly<Record<string, unknown>>

export interface ModelTrainer {
  /** Jobs of this kind one user may have queued or running at once (1 unless set); one more is a 409. */
  readonly maxActivePerUser?: number
  /** Throws AppError('invalid_argument') with a message a person can act on when there is too little data. */
  assertEnoughData(db: Db, userId: string, params: TrainingParams): Promise<void>
  prepare(db: Db, userId: string, params: TrainingParams): Promise<PreparedTraining>
  /**
   * Called once a run has left the job succeeded, failed or cancelled (after the commit, in the
   * process that ran it); its errors are logged, never the run's.
   */
  onFinished?(job: {
    readonly id: string
    readonly userId: string
    readonly state: 'succeeded' | 'failed' | 'cancelled'
  }): Promise<void>
}

export interface TrainingDeps {
  readonly db: Db
  readonly kind: DatabaseKind
  readonly runtime: MlRuntime
  /** One trainer per model kind, registered by the module that owns the kind. */
  readonly trainers: ReadonlyMap<ModelKind, ModelTrainer>
  /** A training job's row and its `ml.train` job are written in one transaction through it. */
  readonly outbox: Outbox
  readonly publish: (userId: string, event: TrainingEvent) => void
  /** Deliveries the queue makes before dead-lettering; a run is retried only while the queue will redeliver. */
  readonly queueMaxAttempts: number
  readonly logger: Logger
  /** The time now (ms since the epoch): the platform's clock. */
  readonly now: Clock
}

/** The blob key prefix of a model's files: `models/<model id>` (the `artifact` column of its row). */
export const toArtifactKey = (modelId: string): string => `models/${modelId}`

/** The queued job that runs a training job. */
export const TRAIN_JOB = 'ml.train'
/** Runs of one job at most (a run whose worker thread died counts). */
export const TRAINING_MAX_ATTEMPTS = 3
/** A running job whose heartbeat is older than this has lost its worker. */
export const TRAINING_STALE_MS = 60_000
/** States a job never leaves. */
export const TERMINAL_STATES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled'])

/** The trainer of a model kind; throws `invalid_argument` when no module registered one (its domain is not enabled). */
export function findTrainer(deps: Pick<TrainingDeps, 'trainers'>, kind: ModelKind): ModelTrainer {
  const trainer = deps.trainers.get(kind)
  if (trainer === undefined)
    throw new AppError('invalid_argument', `No trainer for models of kind "${kind}" in this server`)
  return trainer
}

/** Sync feed kinds of this domain. */
export const TRAINING_JOB_SYNC_KIND = 'training-job'
export const MODEL_SYNC_KIND = 'model'

/**
 * A training job's state change and its entry on the owner's sync feed, in one transaction:
 * `change` runs in it and says whether the job moved (a lost race changes nothing and records nothing).
 */
export async function changeJobState(
  deps: Pick<TrainingDeps, 'db' | 'kind' | 'now'>,
  job: { id: string; userId: string },
  state: string,
  change: (trx: Db) => Promise<boolean>,
): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const isChanged = await change(trx)
    if (isChanged)
      await recordChange(
        trx,
        deps.kind,
        { userId: job.userId, kind: TRAINING_JOB_SYNC_KIND, entityId: job.id, change: state },
        deps.now(),
      )
    return isChanged
  })
}
