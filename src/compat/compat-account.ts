// Seed clients that send no credentials act as one account per adapter: a user that cannot log in
// and a device of theirs, both made on first use. The heart-rate and CSI adapters share this.
import { randomBytes } from 'node:crypto'
import { createUser, findUserIdByEmail } from '../domains/auth/auth.service.js'
import type { CreateDeviceBody } from '../domains/devices/devices.schema.js'
import { createDevice, findDeviceIdByName } from '../domains/devices/devices.service.js'
import { AppError } from '../errors.js'
import type { Principal } from '../platform/auth/principal.js'
import type { Db } from '../platform/db/database.js'
import { isUniqueViolation } from '../platform/db/unique-violation.js'
import type { Clock } from '../platform/time/clock.js'

/** Where compat accounts are made: the database and the platform's clock (their creation times). */
export interface AccountStore {
  readonly db: Db
  readonly now: Clock
}

/** Who an adapter's anonymous clients act as. */
export interface CompatIdentity {
  /** The account's address (`…@pulsebase.invalid`, so it can never receive mail). */
  readonly email: string
  readonly displayName: string
  /** The device the clients' calls count as. */
  readonly deviceName: string
  readonly deviceKind: CreateDeviceBody['kind']
  /** The switch that enables the adapter, for the error that names it. */
  readonly adapter: string
}

async function findCompatPrincipal(db: Db, identity: CompatIdentity): Promise<Principal | undefined> {
  const userId = await findUserIdByEmail(db, identity.email)
  if (userId === undefined) return undefined
  const deviceId = await findDeviceIdByName(db, userId, { name: identity.deviceName, kind: identity.deviceKind })
  // User and device are created in one transaction, so a user without the device was not made
  // here (someone registered the address): never hand anonymous seed data to that account.
  if (deviceId === undefined) {
    throw new Error(
      `${identity.email} exists without its '${identity.deviceName}' device, so pulsebase did not create it; remove that account or turn off PULSEBASE_COMPAT=${identity.adapter}`,
    )
  }
  return { userId, role: 'user', deviceId }
}

async function createCompatAccount(store: AccountStore, identity: CompatIdentity): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    // A random password nobody is told: the account cannot log in; its device key is discarded too.
    const user = await createUser(
      { db: trx, now: store.now },
      { email: identity.email, password: randomBytes(32).toString('base64url'), displayName: identity.displayName },
    )
    await createDevice(
      { db: trx, now: store.now },
      { userId: user.id, role: 'user', deviceId: null },
      { name: identity.deviceName, kind: identity.deviceKind },
    )
  })
}

/**
 * The principal an adapter's credential-less calls act for, created on first use. Safe when several
 * processes start at once: the loser of the race hits the unique email and reads the winner's.
 */
export async function ensureCompatPrincipal(store: AccountStore, identity: CompatIdentity): Promise<Principal> {
  const existing = await findCompatPrincipal(store.db, identity)
  if (existing !== undefined) return existing
  try {
    await createCompatAccount(store, identity)
  } catch (error) {
    const isTaken = isUniqueViolation(error) || (error instanceof AppError && error.code === 'conflict')
    if (!isTaken) throw error
  }
  const created = await findCompatPrincipal(store.db, identity)
  if (created === undefined) throw new Error(`${identity.email} could not be created`)
  return created
}

/** `ensureCompatPrincipal` run once, on first use; a failure is not remembered, so the next call retries. */
export function lazyCompatPrincipal(store: AccountStore, identity: CompatIdentity): () => Promise<Principal> {
  let pending: Promise<Principal> | undefined
  return () => {
    pending ??= ensureCompatPrincipal(store, identity).catch((error: unknown) => {
      pending = undefined
      throw error
    })
    return pending
  }
}
