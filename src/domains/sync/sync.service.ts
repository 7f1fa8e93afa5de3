import type { Static } from 'typebox'
import type { SyncLoader } from '../../module.js'
import type { Db } from '../../platform/db/database.js'
import { AppError } from '../../errors.js'
import { decodeSyncCursor, encodeSyncCursor } from './sync-cursor.js'
import { latestSeq, listChanges } from './sync.repository.js'
import type { SyncPage } from './sync.schema.js'
import { toIso } from '../../platform/time/date-time.js'

export interface SyncDeps {
  readonly db: Db
  /** One loader per change kind; each domain registers its own. */
  readonly loaders: Readonly<Record<string, SyncLoader>>
}

/** The position `since` names in the user's feed; 400 `cursor_unknown` for a cursor of another feed, or one beyond its end. */
async function resolvePosition(deps: SyncDeps, userId: string, since: string | undefined): Promise<number> {
  if (since === undefined) return 0
  const seq = decodeSyncCursor(userId, since)
  if (seq === undefined || seq > (await latestSeq(deps.db, userId))) {
    const message =
      "This cursor is not one your change feed gave out (another account's, or the feed was reset): sync again from the start, without since"
    throw new AppError('invalid_argument', message, [{ path: 'querystring.since', message, reason: 'cursor_unknown' }])
  }
  return seq
}

/** Everything that changed for the user after the cursor `since` (from the start without it), with each entity as it is now. */
export async function changesSince(
  deps: SyncDeps,
  userId: string,
  since: string | undefined,
  limit: number,
): Promise<Static<typeof SyncPage>> {
  const position = await resolvePosition(deps, userId, since)
  const rows = await listChanges(deps.db, userId, position, limit + 1)
  const hasMore = rows.length > limit
  const page = rows.slice(0, limit)
  const idsByKind = new Map<string, string[]>()
  for (const row of page) idsByKind.set(row.kind, [...(idsByKind.get(row.kind) ?? []), row.entity_id])
  const loaded = new Map<string, Map<string, unknown>>()
  for (const [kind, ids] of idsByKind) {
    const loader = deps.loaders[kind]
    loaded.set(kind, loader ? await loader(deps.db, userId, [...new Set(ids)]) : new Map())
  }
  const last = page.at(-1)
  return {
    changes: page.map((row) => ({
      cursor: encodeSyncCursor(userId, Number(row.seq)),
      kind: row.kind,
      id: row.entity_id,
      change: row.change,
      at: toIso(row.at),
      data: loaded.get(row.kind)?.get(row.entity_id) ?? null,
    })),
    cursor: encodeSyncCursor(userId, last === undefined ? position : Number(last.seq)),
    hasMore,
  }
}
