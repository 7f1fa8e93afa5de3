// E-mail verification (PULSEBASE_EMAIL_VERIFICATION=required): a self-registered account logs in
// only after its owner sends back the single-use token mailed to the address.
import type { Logger } from 'pino'
import { AppError } from '../../errors.js'
import type { Db } from '../../platform/db/database.js'
import type { MailPort } from '../../platform/mail/mail.port.js'
import * as tokens from './account-tokens.repository.js'
import { hashSecret, newSecret } from './tokens.js'
import * as users from './users.repository.js'

export interface EmailVerification {
  readonly isRequired: boolean
  readonly mail: MailPort
  readonly logger: Logger
}

const TTL_MS = 24 * 3_600_000
export const VERIFY_TOKEN_PREFIX = 'pbv_'

/** Stores a verification token valid 24 h from `now` (epoch ms) and mails it (after the caller answers: delivery never shows in timing). */
export async function sendVerificationMail(
  db: Db,
  verification: EmailVerification,
  user: { id: string; email: string },
  now: number,
): Promise<void> {
  const token = newSecret(VERIFY_TOKEN_PREFIX)
  await tokens.insertAccountToken(db, {
    token_hash: hashSecret(token),
    user_id: user.id,
    purpose: 'verify',
    created_at: now,
    expires_at: now + TTL_MS,
    used_at: null,
  })
  const text = [
    'Welcome to pulsebase. To confirm this address is yours, send this token to POST /v1/auth/verify-email within 24 hours:',
    '',
    token,
    '',
    'If you did not create an account, ignore this message.',
  ].join('\n')
  void verification.mail
    .send({ to: user.email, subject: 'Confirm your e-mail address', text })
    .catch((err: unknown) => verification.logger.error({ err, userId: user.id }, 'verification mail not sent'))
}

/** Marks the address of the token's user verified at `now` (epoch ms); `invalid_argument` for an unknown, expired or used token. */
export async function verifyEmail(db: Db, token: string, now: number): Promise<void> {
  const isDone = await db.transaction().execute(async (trx) => {
    const userId = await tokens.useAccountToken(trx, hashSecret(token), 'verify', now)
    if (userId === undefined) return false
    await users.updateUser(trx, userId, { email_verified_at: now }, now)
    return true
  })
  if (!isDone)
    throw new AppError('invalid_argument', 'The verification token is unknown, expired or already used', [
      { path: 'body.token', message: 'is unknown, expired or already used' },
    ])
}

/** Mails a new token when the address has an unverified account; answers the same either way. */
export async function resendVerification(
  db: Db,
  verification: EmailVerification,
  email: string,
  now: number,
): Promise<void> {
  const row = await users.findUserByEmail(db, email.trim().toLowerCase())
  if (row !== undefined && row.email_verified_at === null && verification.isRequired)
    await sendVerificationMail(db, verification, row, now)
}
