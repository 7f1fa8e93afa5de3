import type { Logger } from 'pino'
import type { Db } from '../../platform/db/database.js'
import { deleteFramesBefore } from './frames.repository.js'
import { DAY_MS } from '../../platform/time/date-time.js'

/** The retention policy: deletes frames older than `retentionDays` (0 keeps everything); datasets keep their copies. */
export async function purgeOldFrames(db: Db, retentionDays: number, logger: Logger, nowMs: number): Promise<number> {
  if (retentionDays === 0) return 0
  const deleted = await deleteFramesBefore(db, nowMs - retentionDays * DAY_MS)
  if (deleted > 0) logger.info({ deleted, retentionDays }, 'old sensor frames deleted')
  return deleted
}
