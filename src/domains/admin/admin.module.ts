import { VERSION } from '../../version.js'
import type { AuthedPlatform, Module } from '../../module.js'
import { registerAdminHttp } from './admin.http.js'
import { LOG_LEVEL_CHANNEL, applyLogLevel } from './log-level.js'

/** Operator routes (admin role): accounts and roles, dead-lettered jobs, the running log level, the version. */
export async function adminModule(platform: AuthedPlatform): Promise<Module> {
  const { pubsub, logger } = platform
  // Every process follows a change made through any of them.
  const unsubscribe = await pubsub.subscribe(LOG_LEVEL_CHANNEL, (message) => applyLogLevel(logger, message))
  const setLogLevel = (level: string) => {
    applyLogLevel(logger, { level })
    return pubsub.publish(LOG_LEVEL_CHANNEL, { level })
  }
  return {
    name: 'admin',
    http: (server) =>
      registerAdminHttp(server, {
        db: platform.database.db,
        queue: platform.queue,
        guards: platform.guards,
        setLogLevel,
        version: VERSION,
        now: platform.now,
      }),
    close: unsubscribe,
  }
}
