import type { MeditationModule } from '../../domains/meditation/meditation.module.js'
import type { MlModule } from '../../domains/ml/ml.module.js'
import type { AuthedPlatform, Module } from '../../module.js'
import { registerMindsyncCompat } from './mindsync.http.js'

/** `PULSEBASE_COMPAT=mindsync`: the MindSync REST API, onto meditation and ML. */
export function mindsyncCompatModule(platform: AuthedPlatform, meditation: MeditationModule, ml: MlModule): Module {
  const deps = {
    store: meditation.store,
    devices: { db: platform.database.db, kind: platform.database.kind },
    training: ml.training,
    recommender: meditation.recommender,
    timeZone: platform.config.mindsyncTimeZone,
    ping: () => platform.database.ping(),
  }
  return {
    name: 'compat:mindsync',
    http: (server) => registerMindsyncCompat(server, deps),
  }
}
