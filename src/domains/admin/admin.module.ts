import type { AuthedPlatform, Module } from '../../module.js'
import { registerAdminHttp } from './admin.http.js'

/** Operator routes (admin role): accounts and roles, dead-lettered jobs. */
export function adminModule(platform: AuthedPlatform): Module {
  return {
    name: 'admin',
    http: (server) => registerAdminHttp(server, platform.database.db, platform.queue, platform.guards),
  }
}
