import type { Db } from '../../platform/db/database.js'
import { datasetBlobKey } from '../playground/uploads.js'

/** Revokes every live login session of the user except `keepSessionId`. */
export async function revokeSessions(db: Db, userId: string, now: number, keepSessionId?: string): Promise<void> {
  let query = db
    .updateTable('auth_sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
  if (keepSessionId !== undefined) query = query.where('id', '!=', keepSessionId)
  await query.execute()
}

export async function setPasswordHash(db: Db, userId: string, hash: string, now: number): Promise<void> {
  await db.updateTable('users').set({ password_hash: hash, updated_at: now }).where('id', '=', userId).execute()
}

/**
 * What deleting a user leaves outside the database: its devices (key caches), and the blob-store
 * prefixes of its files: every model's artifact (`<artifact>/`, any kind) and every uploaded dataset.
 */
export async function ownedOutside(db: Db, userId: string): Promise<{ deviceIds: string[]; blobPrefixes: string[] }> {
  const devices = await db.selectFrom('devices').select('id').where('user_id', '=', userId).execute()
  const models = await db.selectFrom('ml_models').select('artifact').where('user_id', '=', userId).execute()
  const uploads = await db.selectFrom('playground_datasets').select('id').where('user_id', '=', userId).execute()
  return {
    deviceIds: devices.map((d) => d.id),
    blobPrefixes: [...models.map((m) => `${m.artifact}/`), ...uploads.map((u) => datasetBlobKey(u.id))],
  }
}

/** Deletes the user; every user-owned row goes with it (foreign keys cascade). False when there was none. */
export async function deleteUser(db: Db, userId: string): Promise<boolean> {
  const { numDeletedRows } = await db.deleteFrom('users').where('id', '=', userId).executeTakeFirst()
  return numDeletedRows > 0n
}
