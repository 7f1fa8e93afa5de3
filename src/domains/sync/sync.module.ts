import type { AuthedPlatform, Module, SyncLoader } from '../../module.js'
import { deleteUserRows } from '../../platform/db/user-rows.js'
import { registerSyncHttp } from './sync.http.js'

/** `GET /v1/sync`, the per-user change feed; `loaders` are every module's `syncLoaders`, merged. */
export function syncModule(platform: AuthedPlatform, loaders: Readonly<Record<string, SyncLoader>>): Module {
  return {
    name: 'sync',
    onAccountDeleted: async (trx, userId) => {
      await deleteUserRows(trx, userId, ['sync_changes', 'sync_cursors'])
      return undefined
    },
    http: (server) => registerSyncHttp(server, { db: platform.database.db, loaders }, platform.guards),
  }
}
