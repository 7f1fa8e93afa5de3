import type { Kysely } from 'kysely'
import type { Database } from '../../platform/db/schema.js'
import { deleteExpiredSessions } from './sessions.repository.js'
import { DAY_MS } from '../../platform/time/date-time.js'

/** Deletes refresh tokens and login sessions that expired over a day before `now` (epoch ms); safe to run twice. */
export async function purgeExpiredSessions(db: Kysely<Database>, now: number): Promise<number> {
  return deleteExpiredSessions(db, now - DAY_MS)
}
