// One run of a training job, as the `ml.train` queue handler performs it.
import { randomUUID } from 'node:crypto'
import { AppError } from '../../errors.js'
import { isUniqueViolation } from '../../platform/db/unique-violation.js'
import type { EpochReport } from '../../platform/ml-runtime/ml-tasks.js'
import { WorkerCrashedError } from '../../platform/ml-runtime/worker-pool.js'
import * as repo from './ml.repository.js'
import type { ModelKind, TrainingEpoch } from './ml.schema.js'
import type { Db } from '../../platform/db/database.js'
import { recordChange } from '../sync/sync.repository.js'
import {
  toArtifactKey,
  changeJobState,
  MODEL_SYNC_KIND,
  type PreparedTraining,
  TERMINAL_STATES,
  TRAINING_JOB_SYNC_KIND,
  TRAINING_MAX_ATTEMPTS,
  TRAINING_STALE_MS,
  findTrainer,
  type TrainingDeps,
  type TrainingParams,
} from './training-deps.js'

const HEARTBEAT_MS = 5_000
const PROGRESS_FLUSH_MS = 250

type Finish = (
  state: 'succeeded' | 'failed' | 'cancelled' | 'queued',
  fields: Partial<repo.TrainingJobRow>,
) => Promise<void>

/**
 * Idempotent: a job already finished is left alone; a job running elsewhere with a fresh heartbeat
 * makes this delivery throw, so the queue tries again later. `queueAttempt` is the delivery count.
 */
export async function runTrainingJob(deps: TrainingDeps, trainingJobId: string, queueAttempt: number): Promise<void> {
  const row = await repo.findTrainingJob(deps.db, trainingJobId)
  if (row === undefined || TERMINAL_STATES.has(row.state)) return
  const started = deps.now()
  const finish: Finish = async (state, fields) => {
    const done = await changeJobState(deps, { id: row.id, userId: row.user_id }, state, (trx) =>
      state === 'queued'
        ? setQueued(trx, trainingJobId, fields)
        : repo.finishTrainingJob(trx, trainingJobId, state, { finished_at: deps.now(), ...fields }),
    )
    if (done)
      deps.publish(row.user_id, {
        jobId: row.id,
        kind: row.kind,
        state,
        ...(fields.model_id && { modelId: fields.model_id }),
        ...(fields.error && { error: fields.error }),
      })
    if (done && state !== 'queued') await notifyFinished(deps, row, state)
  }
  if (row.is_cancel_requested === 1) return finish('cancelled', {})
  if (row.attempts >= TRAINING_MAX_ATTEMPTS)
    return finish('failed', { error: `Gave up after ${row.attempts} runs: ${row.error ?? 'the worker was lost'}` })
  if (
    !(await changeJobState(deps, { id: row.id, userId: row.user_id }, 'running', (trx) =>
      repo.claimTrainingJob(trx, trainingJobId, started, started - TRAINING_STALE_MS),
    ))
  ) {
    throw new Error(`training job ${trainingJobId} is running elsewhere`)
  }
  await repo.deleteEpochs(deps.db, trainingJobId)
  deps.publish(row.user_id, { jobId: row.id, kind: row.kind, state: 'running' })
  try {
    const prepared = await findTrainer(deps, row.kind as ModelKind).prepare(
      deps.db,
      row.user_id,
      JSON.parse(row.params) as TrainingParams,
    )
    await trainAndStore(deps, row, prepared, started, finish)
  } catch (error) {
    const mayRetry =
      error instanceof WorkerCrashedError &&
      row.attempts + 1 < TRAINING_MAX_ATTEMPTS &&
      queueAttempt < deps.queueMaxAttempts
    const message = error instanceof AppError || error instanceof WorkerCrashedError ? error.message : 'Training failed'
    deps.logger.error({ err: error, trainingJobId, willRetry: mayRetry }, 'training run failed')
    if (!mayRetry) return finish('failed', { error: message })
    await finish('queued', { error: message })
    throw error
  }
}

async function setQueued(db: Db, id: string, fields: Partial<repo.TrainingJobRow>): Promise<boolean> {
  const result = await db
    .updateTable('ml_training_jobs')
    .set({ ...fields, state: 'queued' })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

async function trainAndStore(
  deps: TrainingDeps,
  row: repo.TrainingJobRow,
  prepared: PreparedTraining,
  started: number,
  finish: Finish,
): Promise<void> {
  const modelId = randomUUID()
  const artifact = toArtifactKey(modelId)
  let isCancelRequested = false
  // Epochs are stored in batches (at most every PROGRESS_FLUSH_MS, and at the end), each with a
  // heartbeat and a look at the cancel flag: fast epochs must not turn into a query storm on the
  // API process. Live events still go out per epoch. The pacing is of I/O, not of data, so it reads
  // the monotonic timer (`performance.now()`), never the platform's clock (a pinned one never moves).
  let writes = Promise.resolve()
  let pending: TrainingEpoch[] = []
  let lastFlush = 0
  const flush = () => {
    const epochs = pending
    pending = []
    lastFlush = performance.now()
    writes = writes
      .then(async () => {
        const isCancelled = await repo.recordProgress(deps.db, row.id, epochs, deps.now())
        isCancelRequested ||= isCancelled
      })
      .catch((err: unknown) => deps.logger.warn({ err, trainingJobId: row.id }, 'training progress not stored'))
  }
  const timer = setInterval(flush, HEARTBEAT_MS)
  let result
  const onEpoch = async (report: EpochReport) => {
    const epoch: TrainingEpoch = {
      epoch: report.epoch,
      loss: report.loss,
      valLoss: report.valLoss,
      ...(report.accuracy != null && { accuracy: report.accuracy }),
      ...(report.valAccuracy != null && { valAccuracy: report.valAccuracy }),
    }
    pending.push(epoch)
    const percent =
      prepared.plannedEpochs === undefined
        ? {}
        : { percent: Math.min(100, (report.epoch / prepared.plannedEpochs) * 100) }
    deps.publish(row.user_id, { jobId: row.id, kind: row.kind, state: 'running', epoch, ...percent })
    if (performance.now() - lastFlush >= PROGRESS_FLUSH_MS) flush()
    // One primary-key read per epoch (the writes stay batched): the next epoch starts only after it,
    // so a cancel committed during an epoch stops training at that epoch's end.
    const isCancelled = await repo.isCancelRequested(deps.db, row.id).catch(() => false)
    isCancelRequested ||= isCancelled
    return !isCancelRequested
  }
  try {
    const { task } = prepared
    if (!('op' in task)) result = await deps.runtime.train({ ...task, artifact }, onEpoch)
    else if (task.op === 'train-classifier') result = await deps.runtime.trainClassifier({ ...task, artifact }, onEpoch)
    else result = await deps.runtime.trainModel({ ...task, artifact }, onEpoch, row.user_id)
  } finally {
    clearInterval(timer)
    flush()
    await writes
  }
  if (result.isStopped) {
    await deps.runtime.deleteArtifact(artifact)
    return finish('cancelled', {})
  }
  const metrics = prepared.evaluate(result.validationOutputs, result.epochs)
  const params = { ...prepared.params, epochs: result.epochs.length }
  const isStored = await storeModel(deps, row, {
    id: modelId,
    artifact,
    params,
    metrics,
    prepared,
    durationMs: deps.now() - started,
  })
  if (!isStored) {
    // The job left `running` meanwhile (the sweep failed it): keep its verdict, drop the files.
    await deps.runtime.deleteArtifact(artifact)
    return
  }
  deps.publish(row.user_id, { jobId: row.id, kind: row.kind, state: 'succeeded', modelId })
  await notifyFinished(deps, row, 'succeeded')
}

/** The kind's `onFinished` hook, if any; a failing hook is logged and never fails the run. */
async function notifyFinished(
  deps: TrainingDeps,
  row: repo.TrainingJobRow,
  state: 'succeeded' | 'failed' | 'cancelled',
): Promise<void> {
  const trainer = deps.trainers.get(row.kind as ModelKind)
  await trainer
    ?.onFinished?.({ id: row.id, userId: row.user_id, state })
    .catch((err: unknown) => deps.logger.error({ err, trainingJobId: row.id }, 'training end hook failed'))
}

interface NewModel {
  readonly id: string
  readonly artifact: string
  readonly params: Record<string, unknown>
  readonly metrics: Record<string, unknown>
  readonly prepared: PreparedTraining
  readonly durationMs: number
}

class JobNotRunning extends Error {}

/**
 * The next model version and the job's `succeeded` in one transaction, so neither exists without
 * the other. False when the job is no longer running. Two runs finishing at once for one user and
 * kind retry on the unique version.
 */
async function storeModel(deps: TrainingDeps, job: repo.TrainingJobRow, model: NewModel): Promise<boolean> {
  for (let tries = 0; ; tries += 1) {
    try {
      await deps.db.transaction().execute(async (trx) => {
        const version = await repo.nextModelVersion(trx, job.user_id, job.kind)
        await repo.insertModel(trx, {
          id: model.id,
          user_id: job.user_id,
          kind: job.kind,
          version,
          params: JSON.stringify(model.params),
          data_from: model.prepared.dataFrom,
          data_to: model.prepared.dataTo,
          examples: model.prepared.examples,
          metrics: JSON.stringify(model.metrics),
          artifact: model.artifact,
          training_job_id: job.id,
          created_at: deps.now(),
        })
        const fields = { model_id: model.id, duration_ms: model.durationMs, finished_at: deps.now() }
        if (!(await repo.finishTrainingJob(trx, job.id, 'succeeded', fields))) throw new JobNotRunning()
        const now = deps.now()
        await recordChange(
          trx,
          deps.kind,
          { userId: job.user_id, kind: TRAINING_JOB_SYNC_KIND, entityId: job.id, change: 'succeeded' },
          now,
        )
        await recordChange(
          trx,
          deps.kind,
          { userId: job.user_id, kind: MODEL_SYNC_KIND, entityId: model.id, change: 'created' },
          now,
        )
      })
      return true
    } catch (error) {
      if (error instanceof JobNotRunning) return false
      if (!isUniqueViolation(error) || tries >= 3) throw error
    }
  }
}
