import { type Kysely, type Selectable, sql } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { Database, DevicesTable } from '../../platform/db/schema.js'

export type DeviceRow = Selectable<DevicesTable>

export async function insertDevice(db: Kysely<Database>, row: DeviceRow): Promise<void> {
  await db.insertInto('devices').values(row).execute()
}

export function listDevices(db: Kysely<Database>, userId: string): Promise<DeviceRow[]> {
  return db
    .selectFrom('devices')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

export function findDevice(db: Kysely<Database>, userId: string, id: string): Promise<DeviceRow | undefined> {
  return db.selectFrom('devices').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst()
}

export function findDevices(db: Kysely<Database>, userId: string, ids: readonly string[]): Promise<DeviceRow[]> {
  if (ids.length === 0) return Promise.resolve([])
  return db
    .selectFrom('devices')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', 'in', [...ids])
    .execute()
}

/** The device of a key: its current key, or its previous one while that is in its grace period (at `now`). */
export function findDeviceByKeyHash(db: Kysely<Database>, keyHash: string, now: number) {
  return db
    .selectFrom('devices')
    .innerJoin('users', 'users.id', 'devices.user_id')
    .select(['devices.id', 'devices.user_id', 'devices.revoked_at', 'users.role'])
    .where((eb) =>
      eb.or([
        eb('devices.key_hash', '=', keyHash),
        eb.and([eb('devices.previous_key_hash', '=', keyHash), eb('devices.previous_key_expires_at', '>', now)]),
      ]),
    )
    .executeTakeFirst()
}

/** Makes the current key the previous one (valid until `previousExpiresAt`) and sets the new one. */
export async function rotateKey(
  db: Kysely<Database>,
  userId: string,
  id: string,
  next: { keyHash: string; keyPrefix: string; previousExpiresAt: number },
): Promise<void> {
  await db
    .updateTable('devices')
    .set((eb) => ({
      previous_key_hash: eb.ref('key_hash'),
      previous_key_expires_at: next.previousExpiresAt,
      key_hash: next.keyHash,
      key_prefix: next.keyPrefix,
    }))
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .execute()
}

/** Applies changes to a device of this user; false when there is no such device. */
export async function updateDevice(
  db: Kysely<Database>,
  userId: string,
  id: string,
  changes: Partial<Pick<DeviceRow, 'name' | 'revoked_at' | 'presence_timeout_ms' | 'time_zone'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('devices')
    .set(changes)
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0 || (await findDevice(db, userId, id)) !== undefined
}

export async function deleteDevice(db: Kysely<Database>, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('devices').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/** `last_seen_at + timeout`: when a device stops being online (its own timeout, else the default). */
const expiresAt = (defaultTimeoutMs: number) =>
  sql<number>`last_seen_at + coalesce(presence_timeout_ms, ${sql.lit(defaultTimeoutMs)})`

export interface PresenceRow {
  readonly id: string
  readonly user_id: string
  readonly last_seen_at: number | null
  readonly remote_address: string | null
}

/** Stores a contact: `last_seen_at` only moves forward; the address is the latest contact's. */
export async function recordContact(db: Db, deviceId: string, atMs: number, address: string | null): Promise<void> {
  await db
    .updateTable('devices')
    .set({ last_seen_at: atMs, ...(address !== null && { remote_address: address }) })
    .where('id', '=', deviceId)
    .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', atMs)]))
    .execute()
}

/** Marks the online transition announced; true for the one caller (of any process) that changed it. */
export async function claimOnlineAnnouncement(db: Db, deviceId: string): Promise<boolean> {
  const result = await db
    .updateTable('devices')
    .set({ presence_announced: 'online' })
    .where('id', '=', deviceId)
    .where('presence_announced', '=', 'offline')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Marks the offline transition announced if the device's timeout has passed at `nowMs`; true for the one caller that changed it. */
export async function claimOfflineAnnouncement(
  db: Db,
  deviceId: string,
  nowMs: number,
  defaultTimeoutMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('devices')
    .set({ presence_announced: 'offline' })
    .where('id', '=', deviceId)
    .where('presence_announced', '=', 'online')
    .where(expiresAt(defaultTimeoutMs), '<', nowMs)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Devices announced online whose timeout has passed at `nowMs` (the next offline announcements). */
export function expiredOnlineDevices(db: Db, nowMs: number, defaultTimeoutMs: number): Promise<PresenceRow[]> {
  return db
    .selectFrom('devices')
    .select(['id', 'user_id', 'last_seen_at', 'remote_address'])
    .where('presence_announced', '=', 'online')
    .where(expiresAt(defaultTimeoutMs), '<', nowMs)
    .limit(1000)
    .execute()
}

export function findPresence(db: Db, deviceId: string): Promise<PresenceRow | undefined> {
  return db
    .selectFrom('devices')
    .select(['id', 'user_id', 'last_seen_at', 'remote_address'])
    .where('id', '=', deviceId)
    .executeTakeFirst()
}
