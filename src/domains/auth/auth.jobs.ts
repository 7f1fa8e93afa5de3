import type { Kysely } from 'kysely'
import type { Database } from '../../platform/db/schema.js'

const DAY_MS = 86_400_000

/** Deletes refresh tokens and login sessions that expired over a day ago; safe to run twice. */
export async function purgeExpiredSessions(db: Kysely<Database>, now = Date.now()): Promise<number> {
  const cutoff = now - DAY_MS
  await db.deleteFrom('refresh_tokens').where('expires_at', '<', cutoff).execute()
  const result = await db.deleteFrom('auth_sessions').where('expires_at', '<', cutoff).executeTakeFirst()
  return Number(result.numDeletedRows)
}
