import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { AppError } from '../../errors.js'
import type { Database } from '../../platform/db/schema.js'
import { isUniqueViolation } from '../../platform/db/unique-violation.js'
import type { DeviceKeyCache } from '../devices/device-key-cache.js'
import { DEVICE_KEY_PREFIX, principalForDeviceKey } from '../devices/devices.service.js'
import type { CredentialsEnded } from '../../platform/auth/credential-watch.js'
import type { CreateUserBody, LoginBody, PatchMeBody, RegisterBody, Tokens, User } from './auth.schema.js'
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password.js'
import type { AttemptLimiter } from '../../platform/rate-limit/attempt-limiter.js'
import type { Principal } from '../../platform/auth/principal.js'
import * as sessions from './sessions.repository.js'
import { mergeSettings, readSettings } from './settings.js'
import { hashSecret, newSecret, type TokenSigner } from './tokens.js'
import { type EmailVerification, sendVerificationMail } from './email-verification.js'
import * as users from './users.repository.js'
import { DAY_MS, toIso } from '../../platform/time/date-time.js'
import type { Clock } from '../../platform/time/clock.js'

export interface AuthDeps {
  readonly db: Kysely<Database>
  readonly signer: TokenSigner
  /** Login attempts per account and client address: someone else's failures never lock an account out. */
  readonly accountLimiter: AttemptLimiter
  readonly addressLimiter: AttemptLimiter
  /** Failed logins per account from anywhere: they slow further attempts down (see loginDelayMs), never lock. */
  readonly accountFailures?: AttemptLimiter
  /** Sign-ups per client address. */
  readonly registrationLimiter?: AttemptLimiter
  /** Waits (tests may pass a fake). */
  readonly sleep?: (ms: number) => Promise<void>
  readonly refreshTokenTtlDays: number
  readonly isRegistrationOpen: boolean
  readonly deviceKeys?: DeviceKeyCache
  /** The time now (ms since the epoch): the platform's clock. */
  readonly now: Clock
  /** Self-registered accounts verify their address first when this says so. */
  readonly emailVerification?: EmailVerification
  /** Ends the live connections (Socket.IO, gRPC streams) opened with credentials that just ended, on every process. */
  readonly endCredentials?: (ended: CredentialsEnded) => void
}

/** Emails compare case-insensitively: stored and looked up trimmed and lower-cased. */
const normalizeEmail = (email: string) => email.trim().toLowerCase()

function toUser(row: users.UserRow): User {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    displayName: row.display_name,
    settings: readSettings(row.settings),
    createdAt: toIso(row.created_at),
  }
}

/** Creates an account; one made by an operator or the system counts as verified, a self-registered one (`isVerified` false) not yet. */
export async function createUser(
  deps: Pick<AuthDeps, 'db' | 'now'>,
  input: CreateUserBody,
  isVerified = true,
): Promise<User> {
  const now = deps.now()
  const row: users.UserRow = {
    id: randomUUID(),
    email: normalizeEmail(input.email),
    password_hash: await hashPassword(input.password),
    role: input.role ?? 'user',
    display_name: input.displayName ?? null,
    settings: '{}',
    created_at: now,
    updated_at: now,
    email_verified_at: isVerified ? now : null,
  }
  try {
    await users.insertUser(deps.db, row)
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', 'An account with this email already exists')
    throw error
  }
  return toUser(row)
}

/** Failures per account answered without delay; after them each attempt waits twice as long as the last. */
const FREE_FAILURES = 3
/** Failures counted per account and window; past it the delay stays at its maximum. */
export const MAX_FAILURES_COUNTED = 1000
const FIRST_DELAY_MS = 100
const MAX_DELAY_MS = 5000

/**
 * The delay before answering a login to an account with `failures` recent failed logins: none for
 * the first FREE_FAILURES, then 0.1 s doubling up to 5 s. A progressive delay, not a lock, as
 * Supabase Auth and PocketBase do: the owner can still log in, a guesser is slowed down.
 */
export function loginDelayMs(failures: number): number {
  return failures <= FREE_FAILURES ? 0 : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - FREE_FAILURES - 1))
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** A new account and its first session; with e-mail verification required, the account and a mailed token instead (no session yet). `address` is the client's, for the sign-up throttle. */
export async function register(
  deps: AuthDeps,
  input: RegisterBody,
  address?: string,
): Promise<({ user: User } & Tokens) | { user: User; verificationRequired: true }> {
  if (!deps.isRegistrationOpen) throw new AppError('permission_denied', 'Registration is closed on this server')
  if (address !== undefined) await deps.registrationLimiter?.consume(address)
  const user = await createUser(deps, input, false)
  if (deps.emailVerification?.isRequired === true) {
    await sendVerificationMail(deps.db, deps.emailVerification, user, deps.now())
    return { user, verificationRequired: true as const }
  }
  return { user, ...(await startSession(deps, user.id)) }
}

export async function login(deps: AuthDeps, input: LoginBody, address: string) {
  const email = normalizeEmail(input.email)
  const accountAtAddress = `${email}|${address}`
  await deps.addressLimiter.consume(address)
  await deps.accountLimiter.consume(accountAtAddress)
  const row = await users.findUserByEmail(deps.db, email)
  const isValid = await verifyPassword(input.password, row?.password_hash ?? DUMMY_PASSWORD_HASH)
  if (!row || !isValid) {
    const failures = (await deps.accountFailures?.consume(email).catch(() => MAX_FAILURES_COUNTED)) ?? 0
    await (deps.sleep ?? wait)(loginDelayMs(failures))
    throw new AppError('unauthenticated', 'Email or password is wrong')
  }
  await Promise.all([deps.accountLimiter.reset(accountAtAddress), deps.accountFailures?.reset(email)])
  if (deps.emailVerification?.isRequired === true && row.email_verified_at === null) {
    throw new AppError(
      'permission_denied',
      'Confirm your e-mail address first: send the token mailed to you to POST /v1/auth/verify-email (POST /v1/auth/verify-email/resend mails a new one)',
    )
  }
  return { user: toUser(row), ...(await startSession(deps, row.id)) }
}

async function startSession(deps: AuthDeps, userId: string): Promise<Tokens> {
  const sessionId = randomUUID()
  const expiresAt = deps.now() + deps.refreshTokenTtlDays * DAY_MS
  return deps.db.transaction().execute(async (trx) => {
    await sessions.insertSession(trx, { id: sessionId, userId, createdAt: deps.now(), expiresAt })
    return issueTokens({ ...deps, db: trx }, userId, sessionId, expiresAt)
  })
}

async function issueTokens(deps: AuthDeps, userId: string, sessionId: string, expiresAt: number): Promise<Tokens> {
  const refreshToken = newSecret('pbr_')
  const now = deps.now()
  await sessions.insertRefreshToken(deps.db, {
    token_hash: hashSecret(refreshToken),
    session_id: sessionId,
    user_id: userId,
    created_at: now,
    expires_at: expiresAt,
    used_at: null,
  })
  const accessToken = await deps.signer.sign({ userId, sessionId })
  return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: deps.signer.ttlSeconds }
}

/** Rotates a refresh token; presenting one that was already used revokes its whole family. */
export async function refresh(deps: AuthDeps, refreshToken: string): Promise<Tokens> {
  const invalid = new AppError('unauthenticated', 'Refresh token is invalid, expired or revoked')
  const tokenHash = hashSecret(refreshToken)
  const now = deps.now()
  const row = await sessions.findRefreshToken(deps.db, tokenHash)
  if (!row || row.expires_at <= now) throw invalid
  if (!(await sessions.findLiveSessionRole(deps.db, row.session_id, row.user_id, now))) throw invalid
  const rotated = await deps.db.transaction().execute(async (trx) => {
    if (!(await sessions.markRefreshTokenUsed(trx, tokenHash, now))) return undefined
    return issueTokens({ ...deps, db: trx }, row.user_id, row.session_id, row.expires_at)
  })
  if (rotated === undefined) {
    await sessions.revokeSession(deps.db, row.session_id, row.user_id, now)
    deps.endCredentials?.({ reason: 'revoked', userId: row.user_id, sessionId: row.session_id })
    throw new AppError('unauthenticated', 'Refresh token was already used; this login session has been revoked')
  }
  return rotated
}

export async function logout(deps: AuthDeps, principal: Principal): Promise<void> {
  if (principal.sessionId === undefined) return
  await sessions.revokeSession(deps.db, principal.sessionId, principal.userId, deps.now())
  deps.endCredentials?.({ reason: 'logout', userId: principal.userId, sessionId: principal.sessionId })
}

/** Resolves an access token or a device key to the principal it acts for. */
export async function authenticate(deps: AuthDeps, credential: string): Promise<Principal> {
  if (credential.startsWith(DEVICE_KEY_PREFIX))
    return principalForDeviceKey(deps.db, credential, deps.now(), deps.deviceKeys)
  const claims = await deps.signer.verify(credential)
  const session = await sessions.findLiveSessionRole(deps.db, claims.sessionId, claims.userId, deps.now())
  if (!session) throw new AppError('unauthenticated', 'Access token has been revoked')
  return {
    userId: claims.userId,
    role: session.role,
    deviceId: null,
    sessionId: claims.sessionId,
    ...(claims.expiresAtMs !== undefined && { expiresAtMs: claims.expiresAtMs }),
  }
}

export async function getUser(db: Kysely<Database>, userId: string): Promise<User> {
  const row = await users.findUserById(db, userId)
  if (!row) throw new AppError('not_found', 'User not found')
  return toUser(row)
}

/** Changes the caller's display name and settings (merged; a threshold change is stamped with the platform's time). */
export async function updateMe(
  deps: Pick<AuthDeps, 'db' | 'now'>,
  principal: Principal,
  patch: PatchMeBody,
): Promise<User> {
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    const current = await getUser(trx, principal.userId)
    const settings =
      patch.settings === undefined ? current.settings : mergeSettings(current.settings, patch.settings, now)
    await users.updateUser(
      trx,
      principal.userId,
      {
        ...(patch.displayName !== undefined && { display_name: patch.displayName }),
        settings: JSON.stringify(settings),
      },
      now,
    )
    return getUser(trx, principal.userId)
  })
}

/** Creates the configured admin once, or gives an existing account of that email the admin role. */
export async function ensureAdmin(
  deps: Pick<AuthDeps, 'db' | 'now'>,
  admin: { email: string; password: string },
): Promise<void> {
  const existing = await users.findUserByEmail(deps.db, normalizeEmail(admin.email))
  if (existing) {
    if (existing.role !== 'admin') await users.updateUser(deps.db, existing.id, { role: 'admin' }, deps.now())
    return
  }
  try {
    await createUser(deps, { email: admin.email, password: admin.password, role: 'admin' })
  } catch (error) {
    // Another process starting at the same moment created it first.
    if (!(error instanceof AppError && error.code === 'conflict')) throw error
  }
}

export async function listAllUsers(db: Kysely<Database>, page: { limit: number; offset: number }): Promise<User[]> {
  return (await users.listUsers(db, page)).map(toUser)
}

export async function setRole(deps: Pick<AuthDeps, 'db' | 'now'>, userId: string, role: User['role']): Promise<User> {
  await getUser(deps.db, userId)
  await users.updateUser(deps.db, userId, { role }, deps.now())
  return getUser(deps.db, userId)
}

/** The id of the user with `email` (compared trimmed and lower-cased), or undefined. */
export async function findUserIdByEmail(db: Kysely<Database>, email: string): Promise<string | undefined> {
  return (await users.findUserByEmail(db, normalizeEmail(email)))?.id
}
