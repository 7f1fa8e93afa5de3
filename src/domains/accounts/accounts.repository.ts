import type { Db } from '../../platform/db/database.js'

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

/** Deletes the user row; any user-owned row the modules' cleaners left goes with it (foreign keys cascade). False when there was none. */
export async function deleteUser(db: Db, userId: string): Promise<boolean> {
  const { numDeletedRows } = await db.deleteFrom('users').where('id', '=', userId).executeTakeFirst()
  return numDeletedRows > 0n
}
