import type { AuthedPlatform, Module } from '../../module.js'
import { registerAccountsHttp } from './accounts.http.js'
import {
  type AccountsDeps,
  type NamedAccountCleaner,
  RESETS_PER_ACCOUNT,
  RESETS_PER_CLIENT,
} from './accounts.service.js'
import { createAttemptLimiter } from '../../platform/rate-limit/attempt-limiter.js'

const HOUR_MS = 3_600_000

/**
 * The account lifecycle: delete my account, change password, password reset by mail, admin deletion.
 * `cleaners` are every other module's account cleaners, in the order they run; `endCredentials`
 * ends credentials on every process (the auth module's).
 */
export function accountsModule(
  platform: AuthedPlatform,
  endCredentials: AccountsDeps['endCredentials'],
  cleaners: readonly NamedAccountCleaner[],
): Module {
  const deps: AccountsDeps = {
    db: platform.database.db,
    cleaners,
    now: platform.now,
    blobs: platform.blobs,
    mail: platform.mail,
    endCredentials,
    logger: platform.logger.child({ module: 'accounts' }),
    resetTokenTtlMs: HOUR_MS,
    resetAccountLimiter: resetLimiter(platform, 'password-reset-account', RESETS_PER_ACCOUNT),
    resetAddressLimiter: resetLimiter(platform, 'password-reset-address', RESETS_PER_CLIENT),
  }
  return { name: 'accounts', http: (server) => registerAccountsHttp(server, deps, platform.guards) }
}

function resetLimiter(platform: AuthedPlatform, name: string, points: number) {
  const message = 'Too many password-reset requests; try again later'
  return createAttemptLimiter({
    name,
    points,
    windowSeconds: HOUR_MS / 1000,
    message,
    ...(platform.redis && { redis: platform.redis }),
    keyPrefix: platform.config.redisPrefix,
  })
}
