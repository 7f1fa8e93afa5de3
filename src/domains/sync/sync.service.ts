import type { Static } from 'typebox'
import type { SyncLoader } from '../../module.js'
import type { Db } from '../../platform/db/database.js'
import { listChanges } from './sync.repository.js'
import type { SyncPage } from './sync.schema.js'


export interface SyncDeps {
  readonly db: Db
  /** One loader per change kind; each domain registers its own. */
  readonly loaders: Readonly<Record<string, SyncLoader>>
}

/** Everything that changed for the user after `since`, with each entity as it is now. */
export async function changesSince(deps: SyncDeps, userId: string, since: number, limit: number): Promise<Static<typeof SyncPage>> {
  const rows = await listChanges(deps.db, userId, since, limit + 1)
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
      cursor: String(row.seq),
      kind: row.kind,
      id: row.entity_id,
      change: row.change,
      at: new Date(Number(row.at)).toISOString(),
      data: loaded.get(row.kind)?.get(row.entity_id) ?? null,
    })),
    cursor: String(last === undefined ? since : Number(last.seq)),
    hasMore,
  }
}
