// The account lifecycle: delete my account (GDPR art. 17), change password, password reset by mail,
// admin deletion. Every credential that ends takes its live streams with it.
import type { Logger } from 'pino'
import type { AttemptLimiter } from '../../platform/rate-limit/attempt-limiter.js'
import { AppError } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { CredentialsEnded } from '../../platform/auth/credential-watch.js'
import type { BlobStore } from '../../platform/blob/blob.port.js'
import type { Db } from '../../platform/db/database.js'
import type { MailPort } from '../../platform/mail/mail.port.js'
import { hashPassword, verifyPassword } from '../auth/password.js'
import { hashSecret, newSecret } from '../auth/tokens.js'
import * as users from '../auth/users.repository.js'
import * as tokens from '../auth/account-tokens.repository.js'
import * as repo from './accounts.repository.js'
import type { Clock } from '../../platform/time/clock.js'
import type { AccountCleaner } from '../../module.js'

/** A module's account cleaner, with the module's name for the logs. */
export interface NamedAccountCleaner {
  readonly name: string
  readonly clean: AccountCleaner
}

export interface AccountsDeps {
  readonly db: Db
  /** Every module's account cleaner, in the order they run (app.ts: reverse module order). */
  readonly cleaners: readonly NamedAccountCleaner[]
  /** Where the export reads the user's model files from. */
  readonly blobs: BlobStore
  readonly mail: MailPort
  /** Ends credentials on every process: cached device keys and the live streams made with them (auth module). */
  readonly endCredentials: (ended: CredentialsEnded) => void
  readonly logger: Logger
  /** How long a mailed password-reset token works, in ms. */
  readonly resetTokenTtlMs: number
  readonly now: Clock
  /** Password-reset requests per address asked for (an hour), so nobody floods one inbox. */
  readonly resetAccountLimiter: AttemptLimiter
  /** Password-reset requests per client address (an hour), so nobody sprays many inboxes. */
  readonly resetAddressLimiter: AttemptLimiter
}

export const RESET_TOKEN_PREFIX = 'pbp_'
/** Password-reset requests an hour per e-mail address asked for, and per client address. */
export const RESETS_PER_ACCOUNT = 3
export const RESETS_PER_CLIENT = 10

async function checkPassword(deps: AccountsDeps, userId: string, password: string): Promise<void> {
  const row = await users.findUserById(deps.db, userId)
  if (row === undefined) throw new AppError('not_found', 'User not found')
  if (!(await verifyPassword(password, row.password_hash)))
    throw new AppError('permission_denied', 'The password is wrong')
}

/**
 * Deletes the user and everything of theirs, in one transaction: each module's rows (its account
 * cleaner, `Module.onAccountDeleted`), then the user row (foreign keys cascade whatever is left).
 * After the commit every credential ends on every process (cached device keys, live streams:
 * reason `deleted`) and the cleaners' after-commit steps remove the files (model artifacts,
 * uploaded datasets); a failure there is logged, the account stays deleted.
 * Throws `not_found` when there is no such user (nothing is deleted).
 */
export async function deleteAccount(deps: AccountsDeps, userId: string): Promise<void> {
  const afterCommit = await deps.db.transaction().execute(async (trx) => {
    if ((await users.findUserById(trx, userId)) === undefined) throw new AppError('not_found', `No user ${userId}`)
    const steps: { name: string; step: () => Promise<void> }[] = []
    for (const { name, clean } of deps.cleaners) {
      const step = await clean(trx, userId)
      if (step !== undefined) steps.push({ name, step })
    }
    if (!(await repo.deleteUser(trx, userId))) throw new AppError('not_found', `No user ${userId}`)
    return steps
  })
  deps.endCredentials({ reason: 'deleted', userId })
  for (const { name, step } of afterCommit) {
    await step().catch((err: unknown) =>
      deps.logger.error({ err, module: name, userId }, 'files of a deleted account not removed'),
    )
  }
}

/** DELETE /v1/me: the password confirms it (`permission_denied` when wrong). */
export async function deleteMyAccount(deps: AccountsDeps, principal: Principal, password: string): Promise<void> {
  await checkPassword(deps, principal.userId, password)
  await deleteAccount(deps, principal.userId)
}

/** Sets a new password after checking the current one; every other login session (and its streams) ends. */
export async function changePassword(
  deps: AccountsDeps,
  principal: Principal,
  body: { currentPassword: string; newPassword: string },
): Promise<void> {
  await checkPassword(deps, principal.userId, body.currentPassword)
  const hash = await hashPassword(body.newPassword)
  await deps.db.transaction().execute(async (trx) => {
    await repo.setPasswordHash(trx, principal.userId, hash, deps.now())
    await repo.revokeSessions(trx, principal.userId, deps.now(), principal.sessionId)
  })
  deps.endCredentials({
    reason: 'revoked',
    userId: principal.userId,
    isSessionsOnly: true,
    ...(principal.sessionId !== undefined && { exceptSessionId: principal.sessionId }),
  })
}

/**
 * Mails a single-use reset token when the address has an account; answers the same either way (no
 * account enumeration), and the mail goes out after the answer so timing tells nothing either.
 * `rate_limited` past the per-account or per-client-address budget (AccountsDeps).
 */
export async function requestPasswordReset(deps: AccountsDeps, email: string, clientAddress: string): Promise<void> {
  const normalized = email.trim().toLowerCase()
  // Counted per e-mail address whether or not it has an account, so a 429 tells nothing either.
  await deps.resetAddressLimiter.consume(clientAddress)
  await deps.resetAccountLimiter.consume(normalized)
  const row = await users.findUserByEmail(deps.db, normalized)
  if (row === undefined) return
  const token = newSecret(RESET_TOKEN_PREFIX)
  const now = deps.now()
  await tokens.insertAccountToken(deps.db, {
    token_hash: hashSecret(token),
    user_id: row.id,
    purpose: 'reset',
    created_at: now,
    expires_at: now + deps.resetTokenTtlMs,
    used_at: null,
  })
  const minutes = Math.round(deps.resetTokenTtlMs / 60_000)
  const text = [
    'Someone (hopefully you) asked to reset the password of your pulsebase account.',
    '',
    `Your reset token: ${token}`,
    '',
    `Send it with a new password to POST /v1/auth/password-reset/confirm within ${minutes} minutes. It works once.`,
    'If you did not ask for this, ignore this message: your password stays as it is.',
  ].join('\n')
  void deps.mail
    .send({ to: row.email, subject: 'Reset your pulsebase password', text })
    .catch((err: unknown) => deps.logger.error({ err, userId: row.id }, 'password reset mail not sent'))
}

/** Sets the password from a mailed token (used once); every login session and its streams end. `invalid_argument` for a bad token. */
export async function confirmPasswordReset(
  deps: AccountsDeps,
  body: { token: string; newPassword: string },
): Promise<void> {
  const hash = await hashPassword(body.newPassword)
  const now = deps.now()
  const userId = await deps.db.transaction().execute(async (trx) => {
    const owner = await tokens.useAccountToken(trx, hashSecret(body.token), 'reset', now)
    if (owner === undefined) return undefined
    await repo.setPasswordHash(trx, owner, hash, now)
    await repo.revokeSessions(trx, owner, now)
    return owner
  })
  if (userId === undefined)
    throw new AppError('invalid_argument', 'The reset token is unknown, expired or already used', [
      { path: 'body.token', message: 'is unknown, expired or already used' },
    ])
  deps.endCredentials({ reason: 'revoked', userId, isSessionsOnly: true })
}
