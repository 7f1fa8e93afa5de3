import type { AuthedPlatform, Module, SyncLoader } from '../../module.js'
import { registerSyncHttp } from './sync.http.js'

/** `GET /v1/sync`, the per-user change feed; `loaders` are every module's `syncLoaders`, merged. */
export function syncModule(platform: AuthedPlatform, loaders: Readonly<Record<string, SyncLoader>>): Module {
  return {
    name: 'sync',
    http: (server) => registerSyncHttp(server, { db: platform.database.db, loaders }, platform.guards),
  }
}
