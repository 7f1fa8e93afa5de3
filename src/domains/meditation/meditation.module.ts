import type { AuthedPlatform, Module } from '../../module.js'
import type { HeartRateModule } from '../heart-rate/heart-rate.module.js'
import type { MlModule } from '../ml/ml.module.js'
import { deleteUserRows } from '../../platform/db/user-rows.js'
import { registerMeditationHttp } from './meditation.http.js'
import { loadSessions, SESSION_SYNC_KIND, type SessionStoreDeps } from './meditation.service.js'
import { meditationTrainer, type RecommenderDeps } from './recommender.js'

export interface MeditationModule extends Module {
  readonly store: SessionStoreDeps
  readonly recommender: RecommenderDeps
}

/** Meditation sessions and the per-user LSTM recommender (registers the `meditation` model kind). */
export function meditationModule(platform: AuthedPlatform, ml: MlModule, heartRate: HeartRateModule): MeditationModule {
  const { database, config, guards } = platform
  ml.registerTrainer('meditation', meditationTrainer(config.meditation))
  const store: SessionStoreDeps = { db: database.db, kind: database.kind, heartRate: heartRate.deps, now: platform.now }
  const recommender: RecommenderDeps = { db: database.db, runtime: platform.ml, config: config.meditation }
  return {
    name: 'meditation',
    // Periods and heart rates go with their sessions.
    onAccountDeleted: async (trx, userId) => {
      await deleteUserRows(trx, userId, ['meditation_sessions'])
      return undefined
    },
    store,
    recommender,
    http: (server) => registerMeditationHttp(server, store, recommender, guards),
    syncLoaders: { [SESSION_SYNC_KIND]: loadSessions },
  }
}
