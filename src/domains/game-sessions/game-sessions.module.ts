import type { AuthedPlatform, Module } from '../../module.js'
import { deleteUserRows } from '../../platform/db/user-rows.js'
import { processSession, reconcileSession } from './game-sessions.jobs.js'
import { registerGameSessionsHttp } from './game-sessions.http.js'
import { type GameSessionDeps, sessionLoader, SYNC_KIND } from './game-sessions.service.js'

/** Game uploads with sensor channels, analysed by the queued process/reconcile jobs. */
export function gameSessionsModule(platform: AuthedPlatform): Module {
  const { database, outbox, config, guards } = platform
  const logger = platform.logger.child({ module: 'game-sessions' })
  const deps: GameSessionDeps = {
    db: database.db,
    kind: database.kind,
    outbox,
    publish: platform.publishLive,
    maxAttempts: config.queueMaxAttempts,
    now: platform.now,
    onUnreadableRow: (id, err) =>
      logger.error({ err, sessionId: id }, 'a stored game session cannot be shown; left out of the list'),
  }
  return {
    name: 'game-sessions',
    // A session's data rows go with it.
    onAccountDeleted: async (trx, userId) => {
      await deleteUserRows(trx, userId, ['game_sessions'])
      return undefined
    },
    http: (server) => registerGameSessionsHttp(server, deps, guards, config.gameSessionMaxBytes),
    jobs: {
      'game-sessions.process': (job) => processSession(deps, job),
      'game-sessions.reconcile': (job) => reconcileSession(deps, job),
    },
    syncLoaders: { [SYNC_KIND]: sessionLoader(deps) },
  }
}
