import type { AuthedPlatform, Module } from '../../module.js'
import { registerDevicesHttp } from './devices.http.js'
import { DEVICE_SYNC_KIND, loadDevices } from './devices.service.js'

/** Devices and their API keys. `onKeyRevoked` runs once a key stopped working (revoked or deleted). */
export function devicesModule(platform: AuthedPlatform, onKeyRevoked: (deviceId: string) => void): Module {
  return {
    name: 'devices',
    http: (server) => registerDevicesHttp(server, { db: platform.database.db, kind: platform.database.kind }, platform.guards, onKeyRevoked),
    syncLoaders: { [DEVICE_SYNC_KIND]: loadDevices },
  }
}
