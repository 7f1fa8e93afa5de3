import { resolveJwtSecret } from '../../config.js'
import type { Module, Platform } from '../../module.js'
import { CREDENTIALS_ENDED_CHANNEL, type CredentialsEnded } from '../../platform/auth/credential-watch.js'
import type { Authenticate } from '../../platform/auth/principal.js'
import { deleteUserRows } from '../../platform/db/user-rows.js'
import { createAttemptLimiter } from '../../platform/rate-limit/attempt-limiter.js'
import { createDeviceKeyCache } from '../devices/device-key-cache.js'
import { registerAccountGrpc } from './auth.grpc.js'
import { registerAuthHttp } from './auth.http.js'
import { purgeExpiredSessions } from './auth.jobs.js'
import * as auth from './auth.service.js'
import { MAX_FAILURES_COUNTED } from './auth.service.js'
import { createTokenSigner } from './tokens.js'
import type { Guards } from '../../platform/http/http-auth.js'

const TOO_MANY_LOGINS = 'Too many login attempts; try again later'

export interface AuthModule {
  /** Resolves an access token or device key to a principal on every use. */
  readonly authenticate: Authenticate
  /**
   * Ends credentials on every process, after the change is committed: cached device keys that
   * `ended` covers are dropped here at once (and on the other processes when they hear it), and the
   * live connections made with them end with `ended.reason` (platform `credentials`). The one way a
   * logout, password change or reset, device revocation, deletion or key rotation, or account deletion
   * takes effect on open streams.
   */
  readonly endCredentials: (ended: CredentialsEnded) => void
  /** The accounts routes, gRPC Account service and session expiry; needs the guards built on `authenticate`. */
  module(guards: Guards): Module
}

/** Accounts, login sessions and credentials: the first module, since every other one needs `authenticate`. */
export async function authModule(platform: Platform): Promise<AuthModule> {
  const { config, database, pubsub, logger, redis } = platform
  if (config.bootstrapAdmin) await auth.ensureAdmin({ db: database.db, now: platform.now }, config.bootstrapAdmin)
  const deviceKeys = createDeviceKeyCache({ ttlMs: config.auth.deviceKeyCacheMs, now: platform.now })
  // A revoked device's or deleted account's keys stop at once on every process (401, never a stale principal).
  await pubsub.subscribe(CREDENTIALS_ENDED_CHANNEL, (message) => deviceKeys.forgetCovered(message as CredentialsEnded))
  const endCredentials = (ended: CredentialsEnded) => {
    deviceKeys.forgetCovered(ended)
    void platform.credentials.announce(ended)
  }
  const limiter = (name: string, points: number) =>
    createAttemptLimiter({
      name,
      points,
      windowSeconds: config.auth.loginWindowSeconds,
      message: TOO_MANY_LOGINS,
      redis,
      keyPrefix: config.redisPrefix,
    })
  const deps: auth.AuthDeps = {
    db: database.db,
    signer: createTokenSigner(resolveJwtSecret(config), config.auth.accessTokenTtlSeconds),
    accountLimiter: limiter('login-account', config.auth.loginAttemptsPerAccount),
    addressLimiter: limiter('login-address', config.auth.loginAttemptsPerAddress),
    accountFailures: limiter('login-failures', MAX_FAILURES_COUNTED),
    registrationLimiter: createAttemptLimiter({
      name: 'registrations',
      points: config.auth.registrationsPerAddress,
      windowSeconds: 3600,
      message: 'Too many sign-ups from this address; try again later',
      redis,
    }),
    refreshTokenTtlDays: config.auth.refreshTokenTtlDays,
    isRegistrationOpen: config.auth.isRegistrationOpen,
    deviceKeys,
    now: platform.now,
    emailVerification: {
      isRequired: config.auth.isEmailVerificationRequired,
      mail: platform.mail,
      logger: logger.child({ module: 'email-verification' }),
    },
    endCredentials,
  }
  const authenticate: Authenticate = (credential) => auth.authenticate(deps, credential)
  return {
    authenticate,
    endCredentials,
    module: (guards) => ({
      name: 'auth',
      http: (server) => registerAuthHttp(server, deps, guards),
      grpc: (server) => registerAccountGrpc(server, authenticate),
      // Refresh tokens go with their sessions; the user row itself goes last, in the accounts module.
      onAccountDeleted: async (trx, userId) => {
        await deleteUserRows(trx, userId, ['account_tokens', 'auth_sessions'])
        return undefined
      },
      cleanup: async () => {
        await purgeExpiredSessions(database.db, platform.now())
      },
    }),
  }
}
