import type { MeditationModule } from '../../domains/meditation/meditation.module.js'
import type { MlModule } from '../../domains/ml/ml.module.js'
import type { AuthedPlatform, Module } from '../../module.js'
import { createAttemptLimiter } from '../../platform/rate-limit/attempt-limiter.js'
import { resolveTimeZone } from '../../platform/time/time-zone.js'
import { registerMindsyncCompat } from './mindsync.http.js'

/** `PULSEBASE_COMPAT=mindsync`: the MindSync REST API, onto meditation and ML. Throws at build for a time zone the runtime does not know. */
export function mindsyncCompatModule(platform: AuthedPlatform, meditation: MeditationModule, ml: MlModule): Module {
  if (resolveTimeZone(platform.config.mindsyncTimeZone) === undefined) {
    throw new Error(
      `PULSEBASE_MINDSYNC_TIME_ZONE: ${JSON.stringify(platform.config.mindsyncTimeZone)} is not a time zone; use an IANA name such as Asia/Tokyo, UTC, or an offset such as +05:45`,
    )
  }
  const deps = {
    store: meditation.store,
    training: ml.training,
    recommender: meditation.recommender,
    timeZone: platform.config.mindsyncTimeZone,
    // The seed's clients have no accounts: a new device id makes one, so it follows the sign-up rules.
    isRegistrationOpen: platform.config.auth.isRegistrationOpen,
    registrations: createAttemptLimiter({
      name: 'registrations',
      points: platform.config.auth.registrationsPerAddress,
      windowSeconds: 3600,
      message: 'Too many sign-ups from this address; try again later',
      redis: platform.redis,
    }),
    ping: () => platform.database.ping(),
  }
  return {
    name: 'compat:mindsync',
    http: (server) => registerMindsyncCompat(server, deps),
  }
}
