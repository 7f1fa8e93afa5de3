import type { Kysely, Selectable } from 'kysely'
import type { Database, DevicesTable } from '../../platform/db/schema.js'

export type DeviceRow = Selectable<DevicesTable>

export async function insertDevice(db: Kysely<Database>, row: DeviceRow): Promise<void> {
  await db.insertInto('devices').values(row).execute()
}

export function listDevices(db: Kysely<Database>, userId: string): Promise<DeviceRow[]> {
  return db.selectFrom('devices').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute()
}

export function findDevice(db: Kysely<Database>, userId: string, id: string): Promise<DeviceRow | undefined> {
  return db.selectFrom('devices').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst()
}

export function findDevices(db: Kysely<Database>, userId: string, ids: readonly string[]): Promise<DeviceRow[]> {
  if (ids.length === 0) return Promise.resolve([])
  return db.selectFrom('devices').selectAll().where('user_id', '=', userId).where('id', 'in', [...ids]).execute()
}

export function findDeviceByKeyHash(db: Kysely<Database>, keyHash: string) {
  return db
    .selectFrom('devices')
    .innerJoin('users', 'users.id', 'devices.user_id')
    .select(['devices.id', 'devices.user_id', 'devices.revoked_at', 'devices.last_seen_at', 'users.role'])
    .where('devices.key_hash', '=', keyHash)
    .executeTakeFirst()
}

/** Applies changes to a device of this user; false when there is no such device. */
export async function updateDevice(
  db: Kysely<Database>,
  userId: string,
  id: string,
  changes: Partial<Pick<DeviceRow, 'name' | 'revoked_at' | 'last_seen_at' | 'time_zone'>>,
): Promise<boolean> {
  const result = await db.updateTable('devices').set(changes).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst()
  return Number(result.numUpdatedRows) > 0 || (await findDevice(db, userId, id)) !== undefined
}

export async function deleteDevice(db: Kysely<Database>, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('devices').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}
