import type { Db, DatabaseKind } from '../../platform/db/database.js'
import type { SyncChangesTable } from '../../platform/db/schema.js'
import { incrementOnConflict } from '../../platform/db/upsert.js'

export type ChangeRow = SyncChangesTable

export interface NewChange {
  readonly userId: string
  readonly kind: string
  readonly entityId: string
  readonly change: string
}

/**
 * Moves the user's counter on by one, creating it at 1, in one statement that takes the row's
 * write lock at once. (Creating it apart, then updating, lets three concurrent first writers of a
 * user each hold a share lock from the duplicate-key check and deadlock on the update, on MariaDB.)
 * The upsert's spelling is platform/db/upsert.ts's.
 */
async function incrementCounter(db: Db, kind: DatabaseKind, userId: string): Promise<void> {
  const insert = db.insertInto('sync_cursors').values({ user_id: userId, seq: 1 })
  await incrementOnConflict(insert, kind, 'sync_cursors', 'user_id', 'seq').execute()
}

/**
 * Appends a change to the user's feed inside `trx` and returns its cursor. Bumping the counter
 * locks the user's row until commit, so changes commit in cursor order and no reader skips one.
 */
export async function recordChange(trx: Db, kind: DatabaseKind, change: NewChange, now: number): Promise<number> {
  await incrementCounter(trx, kind, change.userId)
  const { seq } = await trx
    .selectFrom('sync_cursors')
    .select('seq')
    .where('user_id', '=', change.userId)
    .executeTakeFirstOrThrow()
  const cursor = Number(seq)
  await trx
    .insertInto('sync_changes')
    .values({
      user_id: change.userId,
      seq: cursor,
      kind: change.kind,
      entity_id: change.entityId,
      change: change.change,
      at: now,
      notified_at: null,
    })
    .execute()
  return cursor
}

export async function listChanges(db: Db, userId: string, since: number, limit: number): Promise<ChangeRow[]> {
  return db
    .selectFrom('sync_changes')
    .selectAll()
    .where('user_id', '=', userId)
    .where('seq', '>', since)
    .orderBy('seq')
    .limit(limit)
    .execute()
}

/** Marks a change as pushed live; false when an earlier delivery already did (so it is not pushed twice). */
export async function markNotified(db: Db, userId: string, seq: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('sync_changes')
    .set({ notified_at: now })
    .where('user_id', '=', userId)
    .where('seq', '=', seq)
    .where('notified_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** The user's latest position (0 before the first change). */
export async function latestSeq(db: Db, userId: string): Promise<number> {
  const row = await db.selectFrom('sync_cursors').select('seq').where('user_id', '=', userId).executeTakeFirst()
  return row === undefined ? 0 : Number(row.seq)
}
