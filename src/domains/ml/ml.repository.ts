import type { Db } from '../../platform/db/database.js'
import type { MlModelsTable, MlTrainingJobsTable } from '../../platform/db/schema.js'
import { isOlderThan } from '../../platform/pagination/keyset.js'
import type { TrainingEpoch, TrainingState } from './ml.schema.js'

export type TrainingJobRow = MlTrainingJobsTable
export type ModelRow = MlModelsTable

export async function insertTrainingJob(db: Db, row: TrainingJobRow): Promise<void> {
  await db.insertInto('ml_training_jobs').values(row).execute()
}

export async function findTrainingJob(db: Db, id: string, userId?: string): Promise<TrainingJobRow | undefined> {
  let query = db.selectFrom('ml_training_jobs').selectAll().where('id', '=', id)
  if (userId !== undefined) query = query.where('user_id', '=', userId)
  return query.executeTakeFirst()
}

export async function findTrainingJobs(db: Db, userId: string, ids: readonly string[]): Promise<TrainingJobRow[]> {
  if (ids.length === 0) return []
  return db
    .selectFrom('ml_training_jobs')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', 'in', [...ids])
    .execute()
}

export async function findModels(db: Db, userId: string, ids: readonly string[]): Promise<ModelRow[]> {
  if (ids.length === 0) return []
  return db
    .selectFrom('ml_models')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', 'in', [...ids])
    .execute()
}

/** The user's jobs of a kind that are queued or running, newest first, at most `limit`. */
export async function findActiveTrainingJobs(
  db: Db,
  userId: string,
  kind: string,
  limit: number,
): Promise<TrainingJobRow[]> {
  return db
    .selectFrom('ml_training_jobs')
    .selectAll()
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .where('state', 'in', ['queued', 'running'])
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute()
}

/** Where the previous page of a newest-first list ended (`created_at`, then the tie-breakers). */
export interface ListAfter {
  readonly createdAt: number
  readonly version?: number
  readonly id: string
}

/** Newest first; `after` is the last row of the previous page. */
export async function listTrainingJobs(
  db: Db,
  userId: string,
  limit: number,
  after?: ListAfter,
): Promise<TrainingJobRow[]> {
  let query = db.selectFrom('ml_training_jobs').selectAll().where('user_id', '=', userId)
  if (after !== undefined)
    query = query.where((eb) =>
      isOlderThan(eb, [
        ['created_at', after.createdAt],
        ['id', after.id],
      ]),
    )
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
}

export async function listEpochs(db: Db, jobIds: readonly string[]): Promise<Map<string, TrainingEpoch[]>> {
  const byJob = new Map<string, TrainingEpoch[]>(jobIds.map((id) => [id, []]))
  if (jobIds.length === 0) return byJob
  const rows = await db
    .selectFrom('ml_training_epochs')
    .selectAll()
    .where('job_id', 'in', [...jobIds])
    .orderBy('job_id')
    .orderBy('epoch')
    .execute()
  for (const row of rows)
    byJob.get(row.job_id)?.push({
      epoch: row.epoch,
      loss: row.loss,
      valLoss: row.val_loss,
      ...(row.accuracy !== null && { accuracy: row.accuracy }),
      ...(row.val_accuracy !== null && { valAccuracy: row.val_accuracy }),
    })
  return byJob
}

/**
 * Takes the job for one run: from queued, or from running when its heartbeat is older than
 * `staleBefore` (the run that held it died). True when this caller got it.
 */
export async function claimTrainingJob(db: Db, id: string, now: number, staleBefore: number): Promise<boolean> {
  const result = await db
    .updateTable('ml_training_jobs')
    .set((eb) => ({
      state: 'running',
      attempts: eb('attempts', '+', 1),
      started_at: now,
      heartbeat_at: now,
      error: null,
    }))
    .where('id', '=', id)
    .where((eb) =>
      eb.or([eb('state', '=', 'queued'), eb.and([eb('state', '=', 'running'), eb('heartbeat_at', '<', staleBefore)])]),
    )
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Moves a job out of queued or running; false when it had already left them. */
export async function finishTrainingJob(
  db: Db,
  id: string,
  state: TrainingState,
  fields: Partial<TrainingJobRow>,
): Promise<boolean> {
  const result = await db
    .updateTable('ml_training_jobs')
    .set({ ...fields, state })
    .where('id', '=', id)
    .where('state', 'in', ['queued', 'running'])
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function isCancelRequested(db: Db, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('ml_training_jobs')
    .select('is_cancel_requested')
    .where('id', '=', id)
    .executeTakeFirst()
  return row?.is_cancel_requested === 1
}

export async function requestCancel(db: Db, id: string): Promise<void> {
  await db.updateTable('ml_training_jobs').set({ is_cancel_requested: 1 }).where('id', '=', id).execute()
}

/** Stores finished epochs (maybe none) and refreshes the heartbeat; resolves to whether a cancel was requested. */
export async function recordProgress(
  db: Db,
  id: string,
  epochs: readonly TrainingEpoch[],
  now: number,
): Promise<boolean> {
  if (epochs.length > 0) {
    await db
      .insertInto('ml_training_epochs')
      .values(
        epochs.map((e) => ({
          job_id: id,
          epoch: e.epoch,
          loss: e.loss,
          val_loss: e.valLoss,
          accuracy: e.accuracy ?? null,
          val_accuracy: e.valAccuracy ?? null,
          at: now,
        })),
      )
      .execute()
  }
  return heartbeat(db, id, now)
}

/** Refreshes the heartbeat; resolves to whether a cancel was requested. */
export async function heartbeat(db: Db, id: string, now: number): Promise<boolean> {
  await db
    .updateTable('ml_training_jobs')
    .set({ heartbeat_at: now })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .execute()
  const row = await db
    .selectFrom('ml_training_jobs')
    .select('is_cancel_requested')
    .where('id', '=', id)
    .executeTakeFirst()
  return row?.is_cancel_requested === 1
}

export async function deleteEpochs(db: Db, id: string): Promise<void> {
  await db.deleteFrom('ml_training_epochs').where('job_id', '=', id).execute()
}

export async function staleRunningJobs(db: Db, staleBefore: number): Promise<TrainingJobRow[]> {
  return db
    .selectFrom('ml_training_jobs')
    .selectAll()
    .where('state', '=', 'running')
    .where('heartbeat_at', '<', staleBefore)
    .execute()
}

export async function nextModelVersion(db: Db, userId: string, kind: string): Promise<number> {
  const row = await db
    .selectFrom('ml_models')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .executeTakeFirst()
  return Number(row?.v ?? 0) + 1
}

export async function insertModel(db: Db, row: ModelRow): Promise<void> {
  await db.insertInto('ml_models').values(row).execute()
}

export async function latestModel(db: Db, userId: string, kind: string): Promise<ModelRow | undefined> {
  return db
    .selectFrom('ml_models')
    .selectAll()
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** Newest first (then the higher version); `after` is the last row of the previous page. */
export async function listModels(
  db: Db,
  userId: string,
  limit: number,
  options: { kind?: string; after?: ListAfter } = {},
): Promise<ModelRow[]> {
  let query = db.selectFrom('ml_models').selectAll().where('user_id', '=', userId)
  if (options.kind !== undefined) query = query.where('kind', '=', options.kind)
  const after = options.after
  if (after !== undefined)
    query = query.where((eb) =>
      isOlderThan(eb, [
        ['created_at', after.createdAt],
        ['version', after.version ?? 0],
        ['id', after.id],
      ]),
    )
  return query.orderBy('created_at', 'desc').orderBy('version', 'desc').orderBy('id', 'desc').limit(limit).execute()
}

export async function findModel(db: Db, userId: string, id: string): Promise<ModelRow | undefined> {
  return db.selectFrom('ml_models').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst()
}

/** The blob-store prefix (`artifact`) of every model of the user, any kind. */
export async function modelArtifactsOf(db: Db, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('ml_models').select('artifact').where('user_id', '=', userId).execute()
  return rows.map((row) => row.artifact)
}
