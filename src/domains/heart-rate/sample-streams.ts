import { CompiledQuery, type Kysely, type Transaction } from 'kysely'
import type { DatabaseKind } from '../../platform/db/database.js'
import { insertSkippingSql } from '../../platform/db/insert-skipping.js'
import type { Database } from '../../platform/db/schema.js'

type Db = Kysely<Database> | Transaction<Database>

/** A (user, device) pair of samples and its integer key (heart_rate_streams, migration 0017). */
export interface Stream {
  readonly id: number
  /** '' for a person's own uploads. */
  readonly deviceId: string
}

/** The user's streams (or the one of `deviceId`), by device id. */
export async function findStreams(db: Db, userId: string, deviceId?: string): Promise<Stream[]> {
  let query = db.selectFrom('heart_rate_streams').select(['id', 'device_id']).where('user_id', '=', userId)
  if (deviceId !== undefined) query = query.where('device_id', '=', deviceId)
  const rows = await query.orderBy('device_id').execute()
  return rows.map((row) => ({ id: Number(row.id), deviceId: row.device_id }))
}

/** The subquery of a user's stream keys, for statements over all their devices. */
export function selectStreamIds(db: Db, userId: string) {
  return db.selectFrom('heart_rate_streams').select('id').where('user_id', '=', userId)
}

async function findStreamId(db: Db, userId: string, deviceId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('heart_rate_streams')
    .select('id')
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .executeTakeFirst()
  return row === undefined ? undefined : Number(row.id)
}

/** The stream key of (user, device), created on first use (a concurrent creator's row is taken as is). */
export async function streamIdFor(db: Db, kind: DatabaseKind, userId: string, deviceId: string): Promise<number> {
  const found = await findStreamId(db, userId, deviceId)
  if (found !== undefined) return found
  const text = insertSkippingSql(kind, 'heart_rate_streams', ['user_id', 'device_id'], 1, 'id')
  const inserted = await db.executeQuery<{ id: number }>(CompiledQuery.raw(text, [userId, deviceId]))
  const id = inserted.rows[0]?.id ?? (await findStreamId(db, userId, deviceId))
  if (id === undefined) throw new Error(`heart-rate stream of ${userId}/${deviceId} could not be created`)
  return Number(id)
}
