import type { AuthedPlatform, Module } from '../../module.js'
import { registerAccountsHttp } from './accounts.http.js'
import type { AccountsDeps } from './accounts.service.js'

const HOUR_MS = 3_600_000

/** The account lifecycle: delete my account, change password, password reset by mail, admin deletion. */
export function accountsModule(platform: AuthedPlatform, revokeDeviceKey: (deviceId: string) => void): Module {
  const deps: AccountsDeps = {
    db: platform.database.db,
    now: platform.now,
    blobs: platform.blobs,
    mail: platform.mail,
    publishLive: platform.publishLive,
    revokeDeviceKey,
    logger: platform.logger.child({ module: 'accounts' }),
    resetTokenTtlMs: HOUR_MS,
  }
  return { name: 'accounts', http: (server) => registerAccountsHttp(server, deps, platform.guards) }
}
