import type { Db } from '../../platform/db/database.js'
import type { SensorLiveClassifiersTable } from '../../platform/db/schema.js'
import { isUniqueViolation } from '../../platform/db/unique-violation.js'

export type LiveRow = SensorLiveClassifiersTable

export function findLive(db: Db, deviceId: string, kind: string): Promise<LiveRow | undefined> {
  return db
    .selectFrom('sensor_live_classifiers')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('kind', '=', kind)
    .executeTakeFirst()
}

export function listLive(db: Db, userId: string): Promise<LiveRow[]> {
  return db
    .selectFrom('sensor_live_classifiers')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('device_id')
    .execute()
}

/** Sets the model of a device's stream (a new model starts without a latest prediction). */
export async function upsertLive(db: Db, row: LiveRow): Promise<void> {
  const { device_id: deviceId, kind, ...rest } = row
  const result = await db
    .updateTable('sensor_live_classifiers')
    .set({ model_id: rest.model_id, user_id: rest.user_id, latest: null, latest_at: null })
    .where('device_id', '=', deviceId)
    .where('kind', '=', kind)
    .where('model_id', '<>', rest.model_id)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) > 0 || (await findLive(db, deviceId, kind)) !== undefined) return
  try {
    await db.insertInto('sensor_live_classifiers').values(row).execute()
  } catch (error) {
    if (!isUniqueViolation(error)) throw error // a concurrent set of the same stream won; it is set
  }
}

export async function deleteLive(db: Db, userId: string, deviceId: string, kind: string): Promise<boolean> {
  const result = await db
    .deleteFrom('sensor_live_classifiers')
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .where('kind', '=', kind)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/** Stores the latest prediction of a stream, if it still uses that model. */
export async function storeLatest(
  db: Db,
  deviceId: string,
  kind: string,
  modelId: string,
  latest: string,
  atMs: number,
): Promise<void> {
  await db
    .updateTable('sensor_live_classifiers')
    .set({ latest, latest_at: atMs })
    .where('device_id', '=', deviceId)
    .where('kind', '=', kind)
    .where('model_id', '=', modelId)
    .execute()
}
