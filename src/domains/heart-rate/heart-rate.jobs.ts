import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../../platform/db/schema.js'
import { deleteSamplesBefore } from './heart-rate.repository.js'
import { DAY_MS } from '../../platform/time/date-time.js'

/** The retention policy: deletes samples older than `retentionDays` before `nowMs` (epoch ms; 0 days keeps everything). */
export async function purgeOldSamples(
  db: Kysely<Database>,
  retentionDays: number,
  logger: Logger,
  nowMs: number,
): Promise<number> {
  if (retentionDays === 0) return 0
  const deleted = await deleteSamplesBefore(db, nowMs - retentionDays * DAY_MS)
  if (deleted > 0) logger.info({ deleted, retentionDays }, 'old heart-rate samples deleted')
  return deleted
}
