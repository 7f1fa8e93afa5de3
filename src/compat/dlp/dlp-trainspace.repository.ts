// SQL of the DLP adapter's trainspace records (migration 0020), always scoped by the owning user.
import type { Db } from '../../platform/db/database.js'
import type { CompatDlpTrainspacesTable } from '../../platform/db/schema.js'

export type TrainspaceRow = CompatDlpTrainspacesTable

/** Stores one trainspace (its id is the caller's fresh UUID). */
export async function insertTrainspace(db: Db, row: TrainspaceRow): Promise<void> {
  await db.insertInto('compat_dlp_trainspaces').values(row).execute()
}

/** The user's trainspaces, newest first (at most `limit`). */
export async function listTrainspaces(db: Db, userId: string, limit: number): Promise<TrainspaceRow[]> {
  return db
    .selectFrom('compat_dlp_trainspaces')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}
