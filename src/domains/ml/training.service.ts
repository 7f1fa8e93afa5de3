// Training jobs: a queued job per request, one run at a time per job, states
// queued -> running -> succeeded | failed | cancelled, each epoch stored and pushed live.
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { AppError } from '../../errors.js'
import type { Db } from '../../platform/db/database.js'
import type { MlRuntime } from '../../platform/ml-runtime/ml-runtime.js'
import type { TrainSequenceTask } from '../../platform/ml-runtime/ml-tasks.js'
import * as repo from './ml.repository.js'
import type { Model, ModelKind, TrainingEpoch, TrainingEvent, TrainingJob } from './ml.schema.js'

/** What a model kind hands the engine: a ready task and how to score the held-out outputs. */
export interface PreparedTraining {
  readonly task: Omit<TrainSequenceTask, 'op' | 'directory'>
  readonly params: Record<string, unknown>
  readonly dataFrom: number | null
  readonly dataTo: number | null
  readonly examples: number
  evaluate(validationOutputs: readonly number[]): Record<string, number>
}

export interface ModelTrainer {
  /** Throws AppError('invalid_argument') with a message a person can act on when there is too little data. */
  assertEnoughData(db: Db, userId: string): Promise<void>
  prepare(db: Db, userId: string): Promise<PreparedTraining>
}

export interface TrainingDeps {
  readonly db: Db
  readonly runtime: MlRuntime
  /** Model artifacts go under `<dataDir>/models/<model id>`. */
  readonly dataDir: string
  readonly trainers: Readonly<Record<ModelKind, ModelTrainer>>
  /** Queues the run of a training job (the `ml.train` job). */
  readonly enqueue: (trainingJobId: string) => Promise<void>
  readonly publish: (userId: string, event: TrainingEvent) => void
  /** Deliveries the queue makes before dead-lettering; a run is retried only while the queue will redeliver. */
  readonly queueMaxAttempts: number
  readonly logger: Logger
  readonly now?: () => number
}

/** Runs of one job at most (a run whose worker thread died counts). */
export const TRAINING_MAX_ATTEMPTS = 3
/** A running job whose heartbeat is older than this has lost its worker. */
export const TRAINING_STALE_MS = 60_000
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled'])

const nowOf = (deps: Pick<TrainingDeps, 'now'>) => (deps.now ?? Date.now)()
const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString())

export function toTrainingJob(row: repo.TrainingJobRow, epochs: TrainingEpoch[]): TrainingJob {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    attempts: row.attempts,
    error: row.error,
    modelId: row.model_id,
    isCancelRequested: row.is_cancel_requested === 1,
    createdAt: iso(row.created_at) as string,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    epochs,
  }
}

export function toModel(row: repo.ModelRow): Model {
  return {
    id: row.id,
    kind: row.kind,
    version: row.version,
    params: JSON.parse(row.params) as Record<string, unknown>,
    dataFrom: iso(row.data_from),
    dataTo: iso(row.data_to),
    examples: row.examples,
    metrics: JSON.parse(row.metrics) as Record<string, number>,
    trainingJobId: row.training_job_id,
    createdAt: iso(row.created_at) as string,
  }
}

export async function getTrainingJob(deps: Pick<TrainingDeps, 'db'>, userId: string, id: string): Promise<TrainingJob> {
  const row = await repo.findTrainingJob(deps.db, id, userId)
  if (row === undefined) throw new AppError('not_found', `No training job ${id}`)
  return toTrainingJob(row, (await repo.listEpochs(deps.db, [id])).get(id) ?? [])
}

export async function listTrainingJobs(deps: Pick<TrainingDeps, 'db'>, userId: string, limit: number): Promise<TrainingJob[]> {
  const rows = await repo.listTrainingJobs(deps.db, userId, limit)
  const epochs = await repo.listEpochs(deps.db, rows.map((r) => r.id))
  return rows.map((row) => toTrainingJob(row, epochs.get(row.id) ?? []))
}

/** Checks there is enough data, stores the job as queued, then queues its run. */
export async function requestTraining(deps: TrainingDeps, userId: string, kind: ModelKind): Promise<TrainingJob> {
  await deps.trainers[kind].assertEnoughData(deps.db, userId)
  const row: repo.TrainingJobRow = {
    id: randomUUID(), user_id: userId, kind, state: 'queued', params: '{}', attempts: 0, error: null, model_id: null,
    is_cancel_requested: 0, created_at: nowOf(deps), started_at: null, heartbeat_at: null, finished_at: null, duration_ms: null,
  }
  await repo.insertTrainingJob(deps.db, row)
  try {
    await deps.enqueue(row.id)
  } catch (error) {
    deps.logger.error({ err: error, trainingJobId: row.id }, 'training job not queued')
    await repo.finishTrainingJob(deps.db, row.id, 'failed', { error: 'The job could not be queued', finished_at: nowOf(deps) })
    throw new AppError('unavailable', 'The job queue is not available; try again later')
  }
  deps.publish(userId, { jobId: row.id, kind, state: 'queued' })
  return toTrainingJob(row, [])
}

/** Queued jobs are cancelled at once; a running one stops after its current epoch. */
export async function cancelTraining(deps: TrainingDeps, userId: string, id: string): Promise<TrainingJob> {
  const job = await getTrainingJob(deps, userId, id)
  if (TERMINAL.has(job.state)) throw new AppError('conflict', `Training job ${id} has already ${job.state === 'cancelled' ? 'been cancelled' : job.state}`)
  await repo.requestCancel(deps.db, id)
  if (job.state === 'queued' && (await repo.finishTrainingJob(deps.db, id, 'cancelled', { finished_at: nowOf(deps) }))) {
    deps.publish(userId, { jobId: id, kind: job.kind, state: 'cancelled' })
  }
  return getTrainingJob(deps, userId, id)
}

export async function latestModel(deps: Pick<TrainingDeps, 'db'>, userId: string, kind: ModelKind): Promise<Model | undefined> {
  const row = await repo.latestModel(deps.db, userId, kind)
  return row === undefined ? undefined : toModel(row)
}

export async function listModels(deps: Pick<TrainingDeps, 'db'>, userId: string, limit: number): Promise<Model[]> {
  return (await repo.listModels(deps.db, userId, limit)).map(toModel)
}

/** Fails, visibly, running jobs whose worker stopped beating (a process that died mid-run). */
export async function sweepStaleTrainingJobs(deps: TrainingDeps): Promise<number> {
  const now = nowOf(deps)
  let failed = 0
  for (const row of await repo.staleRunningJobs(deps.db, now - TRAINING_STALE_MS)) {
    const error = `The training run stopped without finishing (no heartbeat since ${iso(row.heartbeat_at)}); its worker was lost`
    if (await repo.finishTrainingJob(deps.db, row.id, 'failed', { error, finished_at: now })) {
      failed += 1
      deps.publish(row.user_id, { jobId: row.id, kind: row.kind, state: 'failed', error })
    }
  }
  return failed
}

export { runTrainingJob } from './training-run.js'
