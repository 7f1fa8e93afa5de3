import type { Db } from '../db/database.js'

export interface OutboxRow {
  readonly id: string
  readonly queue: string
  readonly payload: string
}

export async function insertOutboxRow(db: Db, row: OutboxRow, now: number, claimedUntil: number): Promise<void> {
  await db
    .insertInto('outbox')
    .values({ ...row, created_at: now, claimed_until: claimedUntil })
    .execute()
}

export async function deleteOutboxRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('outbox').where('id', '=', id).execute()
}

/** Rows whose claim has lapsed (their process died, or the broker refused them), oldest first. */
export async function listUnclaimedRows(db: Db, now: number, limit: number): Promise<OutboxRow[]> {
  return db
    .selectFrom('outbox')
    .select(['id', 'queue', 'payload'])
    .where('claimed_until', '<', now)
    .orderBy('created_at')
    .limit(limit)
    .execute()
}

/** Takes a lapsed row for this relay; false when another relay took it first. */
export async function claimRow(db: Db, id: string, now: number, claimedUntil: number): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ claimed_until: claimedUntil })
    .where('id', '=', id)
    .where('claimed_until', '<', now)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Gives a row back for a later sweep, after a failed publish. */
export async function postponeRow(db: Db, id: string, until: number): Promise<void> {
  await db.updateTable('outbox').set({ claimed_until: until }).where('id', '=', id).execute()
}
