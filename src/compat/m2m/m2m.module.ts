import type { AuthedPlatform, Module } from '../../module.js'
import { registerM2mCompatHttp } from './m2m.http.js'

/** `PULSEBASE_COMPAT=m2m`: the m2m gateway's `/test` and `/user` routes. */
export function m2mCompatModule(platform: AuthedPlatform): Module {
  return {
    name: 'compat:m2m',
    http: (server) =>
      registerM2mCompatHttp(server, { db: platform.database.db, now: platform.now }, platform.authenticate),
  }
}
