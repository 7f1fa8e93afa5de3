// Training jobs: a queued job per request, one run at a time per job, states
// queued -> running -> succeeded | failed | cancelled, each epoch stored and pushed live.
import { randomUUID } from 'node:crypto'
import { AppError } from '../../errors.js'
import type { Db } from '../../platform/db/database.js'
import * as repo from './ml.repository.js'
import type { Model, ModelKind, TrainingEpoch, TrainingJob } from './ml.schema.js'
import { recordChange } from '../sync/sync.repository.js'
import {
  changeJobState,
  MODEL_SYNC_KIND,
  TERMINAL_STATES,
  TRAIN_JOB,
  TRAINING_JOB_SYNC_KIND,
  TRAINING_STALE_MS,
  findTrainer,
  type TrainingDeps,
  type TrainingParams,
} from './training-deps.js'
import { toIsoOrNull } from '../../platform/time/date-time.js'
import { decodePageCursor, encodePageCursor, splitPage } from '../../platform/pagination/page-cursor.js'

export type { ModelTrainer, PreparedTraining, TrainingDeps, TrainingParams } from './training-deps.js'
export { toArtifactKey, TRAINING_MAX_ATTEMPTS, TRAINING_STALE_MS } from './training-deps.js'

export function toTrainingJob(row: repo.TrainingJobRow, epochs: TrainingEpoch[]): TrainingJob {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    attempts: row.attempts,
    error: row.error,
    modelId: row.model_id,
    isCancelRequested: row.is_cancel_requested === 1,
    createdAt: toIsoOrNull(row.created_at) as string,
    startedAt: toIsoOrNull(row.started_at),
    finishedAt: toIsoOrNull(row.finished_at),
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
    dataFrom: toIsoOrNull(row.data_from),
    dataTo: toIsoOrNull(row.data_to),
    examples: row.examples,
    metrics: JSON.parse(row.metrics) as Record<string, unknown>,
    trainingJobId: row.training_job_id,
    createdAt: toIsoOrNull(row.created_at) as string,
  }
}

export async function getTrainingJob(deps: Pick<TrainingDeps, 'db'>, userId: string, id: string): Promise<TrainingJob> {
  const row = await repo.findTrainingJob(deps.db, id, userId)
  if (row === undefined) throw new AppError('not_found', `No training job ${id}`)
  return toTrainingJob(row, (await repo.listEpochs(deps.db, [id])).get(id) ?? [])
}

/** One page of a newest-first list: at most `limit` rows after `cursor` (a `nextCursor` this server gave out). */
export interface ListPageQuery {
  readonly limit: number
  readonly cursor?: string
}

/** The user's training jobs, newest first, a page at a time; `invalid_argument` for a cursor this server did not give out. */
export async function listTrainingJobs(
  deps: Pick<TrainingDeps, 'db'>,
  userId: string,
  query: ListPageQuery,
): Promise<{ trainingJobs: TrainingJob[]; nextCursor: string | null }> {
  const after = query.cursor === undefined ? undefined : decodePageCursor(query.cursor, /[0-9a-f-]{36}/)
  const rows = await repo.listTrainingJobs(
    deps.db,
    userId,
    query.limit + 1,
    after && { createdAt: after.position, id: after.key },
  )
  const { page, nextCursor } = splitPage(rows, query.limit, (last) =>
    encodePageCursor(Number(last.created_at), last.id),
  )
  const epochs = await repo.listEpochs(
    deps.db,
    page.map((r) => r.id),
  )
  return { trainingJobs: page.map((row) => toTrainingJob(row, epochs.get(row.id) ?? [])), nextCursor }
}

/**
 * Checks there is enough data and the user is under the kind's limit of queued or running jobs,
 * stores the job (with `params`) as queued, then queues its run. `alsoWrite` stores the caller's
 * own rows about the job in the same transaction (nothing is written when it throws).
 */
export async function requestTraining(
  deps: TrainingDeps,
  userId: string,
  kind: ModelKind,
  params: TrainingParams = {},
  alsoWrite?: (trx: Db, jobId: string) => Promise<void>,
): Promise<TrainingJob> {
  const trainer = findTrainer(deps, kind)
  const limit = trainer.maxActivePerUser ?? 1
  const active = await repo.findActiveTrainingJobs(deps.db, userId, kind, limit)
  const newest = active[0]
  if (newest !== undefined && active.length >= limit) {
    const message =
      limit === 1
        ? `A ${kind} model is already training (job ${newest.id}, ${newest.state}); wait for it or cancel it`
        : `You already have ${limit} ${kind} jobs queued or running, the most one account may have; wait for one or cancel it`
    throw new AppError('conflict', message, [
      { path: 'body.kind', message: 'already training', trainingJobId: newest.id },
    ])
  }
  await trainer.assertEnoughData(deps.db, userId, params)
  const row: repo.TrainingJobRow = {
    id: randomUUID(),
    user_id: userId,
    kind,
    state: 'queued',
    params: JSON.stringify(params),
    attempts: 0,
    error: null,
    model_id: null,
    is_cancel_requested: 0,
    created_at: deps.now(),
    started_at: null,
    heartbeat_at: null,
    finished_at: null,
    duration_ms: null,
  }
  // The row and its run commit together: no queued job without a run coming, even after a crash.
  await deps.outbox.transaction(async (trx, stage) => {
    await repo.insertTrainingJob(trx, row)
    await alsoWrite?.(trx, row.id)
    await recordChange(
      trx,
      deps.kind,
      { userId, kind: TRAINING_JOB_SYNC_KIND, entityId: row.id, change: 'queued' },
      row.created_at,
    )
    await stage(TRAIN_JOB, { trainingJobId: row.id })
  })
  deps.publish(userId, { jobId: row.id, kind, state: 'queued' })
  return toTrainingJob(row, [])
}

/** Like `requestTraining`, but when a job of this kind is already queued or running, that job is the answer. */
export async function requestOrJoinTraining(deps: TrainingDeps, userId: string, kind: ModelKind): Promise<TrainingJob> {
  try {
    return await requestTraining(deps, userId, kind)
  } catch (error) {
    const running = error instanceof AppError && error.code === 'conflict' ? error.details[0]?.trainingJobId : undefined
    if (typeof running !== 'string') throw error
    return getTrainingJob(deps, userId, running)
  }
}

/**
 * The job once it is succeeded, failed or cancelled, looked at every `pollMs` (ms); throws
 * `unavailable` when it is still queued or running after `timeoutMs` (ms) of the injected clock.
 */
export async function awaitTrainingJob(
  deps: Pick<TrainingDeps, 'db' | 'now'>,
  userId: string,
  id: string,
  timeoutMs: number,
  pollMs = 100,
): Promise<TrainingJob> {
  const deadline = deps.now() + timeoutMs
  for (;;) {
    const job = await getTrainingJob(deps, userId, id)
    if (TERMINAL_STATES.has(job.state)) return job
    if (deps.now() > deadline)
      throw new AppError(
        'unavailable',
        `Training job ${id} has not finished after ${Math.round(timeoutMs / 1000)} s; it goes on in the background`,
      )
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}

/** Queued jobs are cancelled at once; a running one stops after its current epoch. */
export async function cancelTraining(deps: TrainingDeps, userId: string, id: string): Promise<TrainingJob> {
  const job = await getTrainingJob(deps, userId, id)
  if (TERMINAL_STATES.has(job.state))
    throw new AppError(
      'conflict',
      `Training job ${id} has already ${job.state === 'cancelled' ? 'been cancelled' : job.state}`,
    )
  await repo.requestCancel(deps.db, id)
  if (
    job.state === 'queued' &&
    (await changeJobState(deps, { id, userId }, 'cancelled', (trx) =>
      repo.finishTrainingJob(trx, id, 'cancelled', { finished_at: deps.now() }),
    ))
  ) {
    deps.publish(userId, { jobId: id, kind: job.kind, state: 'cancelled' })
  }
  return getTrainingJob(deps, userId, id)
}

export async function latestModel(
  deps: Pick<TrainingDeps, 'db'>,
  userId: string,
  kind: ModelKind,
): Promise<Model | undefined> {
  const row = await repo.latestModel(deps.db, userId, kind)
  return row === undefined ? undefined : toModel(row)
}

/** The user's models (of one kind, or all), newest first, a page at a time; `invalid_argument` for a foreign cursor. */
export async function listModels(
  deps: Pick<TrainingDeps, 'db'>,
  userId: string,
  query: ListPageQuery,
  kind?: ModelKind,
): Promise<{ models: Model[]; nextCursor: string | null }> {
  const rows = await repo.listModels(deps.db, userId, query.limit + 1, { kind, after: modelsAfter(query.cursor) })
  const { page, nextCursor } = splitPage(rows, query.limit, (last) =>
    encodePageCursor(Number(last.created_at), `${last.version}.${last.id}`),
  )
  return { models: page.map(toModel), nextCursor }
}

function modelsAfter(cursor: string | undefined): repo.ListAfter | undefined {
  if (cursor === undefined) return undefined
  const { position, key } = decodePageCursor(cursor, /\d{1,9}\.[0-9a-f-]{36}/)
  const [version, id] = key.split('.') as [string, string]
  return { createdAt: position, version: Number(version), id }
}

/** One of the user's models with its artifact (the blob key prefix of its files); not_found for anyone else's. */
export async function findModel(
  deps: Pick<TrainingDeps, 'db'>,
  userId: string,
  id: string,
): Promise<{ model: Model; artifact: string }> {
  const row = await repo.findModel(deps.db, userId, id)
  if (row === undefined) throw new AppError('not_found', `No model ${id}`)
  return { model: toModel(row), artifact: row.artifact }
}

/** Fails, visibly, running jobs whose worker stopped beating (a process that died mid-run). */
export async function sweepStaleTrainingJobs(deps: TrainingDeps): Promise<number> {
  const now = deps.now()
  let failed = 0
  for (const row of await repo.staleRunningJobs(deps.db, now - TRAINING_STALE_MS)) {
    const error = `The training run stopped without finishing (no heartbeat since ${toIsoOrNull(row.heartbeat_at)}); its worker was lost`
    if (
      await changeJobState(deps, { id: row.id, userId: row.user_id }, 'failed', (trx) =>
        repo.finishTrainingJob(trx, row.id, 'failed', { error, finished_at: now }),
      )
    ) {
      failed += 1
      deps.publish(row.user_id, { jobId: row.id, kind: row.kind, state: 'failed', error })
    }
  }
  return failed
}

export { runTrainingJob } from './training-run.js'

/** Sync loaders: the user's training jobs (with their epochs) and models, by id. */
export async function loadTrainingJobs(
  db: TrainingDeps['db'],
  userId: string,
  ids: readonly string[],
): Promise<Map<string, unknown>> {
  const rows = await repo.findTrainingJobs(db, userId, ids)
  const epochs = await repo.listEpochs(
    db,
    rows.map((row) => row.id),
  )
  return new Map(rows.map((row) => [row.id, toTrainingJob(row, epochs.get(row.id) ?? [])]))
}

export async function loadModels(
  db: TrainingDeps['db'],
  userId: string,
  ids: readonly string[],
): Promise<Map<string, unknown>> {
  return new Map((await repo.findModels(db, userId, ids)).map((row) => [row.id, toModel(row)]))
}

export { MODEL_SYNC_KIND, TRAINING_JOB_SYNC_KIND }
