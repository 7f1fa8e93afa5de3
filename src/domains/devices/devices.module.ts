import type { AuthedPlatform, Module, Platform } from '../../module.js'
import { deleteUserRows } from '../../platform/db/user-rows.js'
import { registerDevicesHttp } from './devices.http.js'
import { DEVICE_SYNC_KIND, loadDevices } from './devices.service.js'
import { createDevicePresence, type DevicePresence } from './presence.js'

/**
 * The presence tracker, built before the other modules because `authenticate` records every
 * device call through it (`authenticateWithContact`).
 */
export function devicePresence(platform: Platform): DevicePresence {
  return createDevicePresence({
    db: platform.database.db,
    defaultTimeoutMs: platform.config.devicePresenceTimeoutMs,
    publish: platform.publishLive,
    logger: platform.logger.child({ module: 'presence' }),
    now: platform.now,
  })
}

/** Devices, their API keys and presence. `onKeyRevoked` runs once a key stopped working (revoked or deleted). */
export function devicesModule(
  platform: AuthedPlatform,
  onKeyRevoked: (deviceId: string) => void,
  presence: DevicePresence,
): Module {
  const deps = {
    db: platform.database.db,
    defaultTimeoutMs: platform.config.devicePresenceTimeoutMs,
    now: platform.now,
  }
  presence.start()
  return {
    name: 'devices',
    http: (server) => registerDevicesHttp(server, deps, platform.guards, onKeyRevoked),
    onAccountDeleted: async (trx, userId) => {
      await deleteUserRows(trx, userId, ['devices'])
      return undefined
    },
    syncLoaders: { [DEVICE_SYNC_KIND]: (db, userId, ids) => loadDevices({ ...deps, db }, userId, ids) },
    close: () => presence.close(),
  }
}
