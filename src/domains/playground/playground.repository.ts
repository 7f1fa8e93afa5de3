// SQL of the playground's own rows: runs (beside their training jobs) and answered questions.
import type { Db } from '../../platform/db/database.js'
import type { PlaygroundAnswersTable, PlaygroundRunsTable } from '../../platform/db/schema.js'
import { isUniqueViolation } from '../../platform/db/unique-violation.js'

export type RunRow = PlaygroundRunsTable

export async function insertRun(db: Db, row: RunRow): Promise<void> {
  await db.insertInto('playground_runs').values(row).execute()
}

export async function findRun(db: Db, userId: string, id: string): Promise<RunRow | undefined> {
  return db
    .selectFrom('playground_runs')
    .selectAll()
    .where('user_id', '=', userId)
    .where('training_job_id', '=', id)
    .executeTakeFirst()
}

export async function listRuns(db: Db, userId: string, limit: number): Promise<RunRow[]> {
  return db
    .selectFrom('playground_runs')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('training_job_id', 'desc')
    .limit(limit)
    .execute()
}

/** Epochs the run's model asked for (a classical model: 1), from its training job's stored request. */
export async function plannedEpochs(db: Db, id: string): Promise<number> {
  const row = await db.selectFrom('ml_training_jobs').select('params').where('id', '=', id).executeTakeFirst()
  const model =
    row === undefined ? undefined : (JSON.parse(row.params) as { model?: { kind?: string; epochs?: number } }).model
  return model?.kind === 'network' ? (model.epochs ?? 5) : 1
}

/** Marks the run mailed; false when it already was (another process got there first). */
export async function markEmailed(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('playground_runs')
    .set({ emailed_at: now })
    .where('training_job_id', '=', id)
    .where('emailed_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function listAnswers(
  db: Db,
  userId: string,
): Promise<Pick<PlaygroundAnswersTable, 'module_id' | 'section_id' | 'question_id'>[]> {
  return db
    .selectFrom('playground_answers')
    .select(['module_id', 'section_id', 'question_id'])
    .where('user_id', '=', userId)
    .orderBy('answered_at')
    .execute()
}

/** Records an answered question; false when the user had already answered it (a repeat changes nothing). */
export async function insertAnswer(db: Db, row: PlaygroundAnswersTable): Promise<boolean> {
  try {
    await db.insertInto('playground_answers').values(row).execute()
    return true
  } catch (error) {
    if (isUniqueViolation(error)) return false
    throw error
  }
}

/** The account's own e-mail address (the only one playground mail goes to unless allow-listed). */
export async function accountEmail(db: Db, userId: string): Promise<string | undefined> {
  return (await db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst())?.email
}

/** The ids of every dataset the user uploaded (their files are `datasetBlobKey(id)` in the blob store). */
export async function uploadedDatasetIds(db: Db, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('playground_datasets').select('id').where('user_id', '=', userId).execute()
  return rows.map((row) => row.id)
}
