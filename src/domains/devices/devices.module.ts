import type { AuthedPlatform, Module } from '../../module.js'
import { registerDevicesHttp } from './devices.http.js'

/** Devices and their API keys. `onKeyRevoked` runs once a key stopped working (revoked or deleted). */
export function devicesModule(platform: AuthedPlatform, onKeyRevoked: (deviceId: string) => void): Module {
  return {
    name: 'devices',
    http: (server) => registerDevicesHttp(server, platform.database.db, platform.guards, onKeyRevoked),
  }
}
