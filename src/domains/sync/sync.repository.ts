import type { Db, DatabaseKind } from '../../platform/db/database.js'
import type { SyncChangesTable } from '../../platform/db/schema.js'

export type ChangeRow = SyncChangesTable

export interface NewChange {
  readonly userId: string
  readonly kind: string
  readonly entityId: string
  readonly change: string
}

/** Makes sure the user's counter row exists without failing when another transaction made it. */
async function ensureCounter(db: Db, kind: DatabaseKind, userId: string): Promise<void> {
  const insert = db.insertInto('sync_cursors').values({ user_id: userId, seq: 0 })
  if (kind === 'mysql') await insert.ignore().execute()
  else await insert.onConflict((oc) => oc.column('user_id').doNothing()).execute()
}

async function bumpCounter(db: Db, userId: string): Promise<boolean> {
  const result = await db
    .updateTable('sync_cursors')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Appends a change to the user's feed inside `trx` and returns its cursor. Bumping the counter
 * locks the user's row until commit, so changes commit in cursor order and no reader skips one.
 */
export async function recordChange(trx: Db, kind: DatabaseKind, change: NewChange, now: number): Promise<number> {
  if (!(await bumpCounter(trx, change.userId))) {
    await ensureCounter(trx, kind, change.userId)
    await bumpCounter(trx, change.userId)
  }
  const { seq } = await trx.selectFrom('sync_cursors').select('seq').where('user_id', '=', change.userId).executeTakeFirstOrThrow()
  const cursor = Number(seq)
  await trx
    .insertInto('sync_changes')
    .values({ user_id: change.userId, seq: cursor, kind: change.kind, entity_id: change.entityId, change: change.change, at: now, notified_at: null })
    .execute()
  return cursor
}

export async function listChanges(db: Db, userId: string, since: number, limit: number): Promise<ChangeRow[]> {
  return db.selectFrom('sync_changes').selectAll().where('user_id', '=', userId).where('seq', '>', since).orderBy('seq').limit(limit).execute()
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
