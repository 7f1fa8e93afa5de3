import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { createUser } from '../../domains/auth/auth.service.js'
import type { Principal } from '../../platform/auth/principal.js'
import { findUserByEmail } from '../../domains/auth/users.repository.js'
import { createDevice, type DevicesDeps } from '../../domains/devices/devices.service.js'
import { listDevices } from '../../domains/devices/devices.repository.js'
import type { CreateDeviceBody } from '../../domains/devices/devices.schema.js'
import { AppError } from '../../errors.js'
import type { Database } from '../../platform/db/schema.js'
import { isUniqueViolation } from '../../platform/db/unique-violation.js'

/** The account that owns what seed clients (which send no credentials) record. */
export const COMPAT_EMAIL = 'heartrate-compat@pulsebase.invalid'
export const COMPAT_DEVICE_NAME = 'heartrate-compat'
const COMPAT_DEVICE_KIND: CreateDeviceBody['kind'] = 'other'

async function findCompatPrincipal(db: Kysely<Database>): Promise<Principal | undefined> {
  const user = await findUserByEmail(db, COMPAT_EMAIL)
  if (user === undefined) return undefined
  const device = (await listDevices(db, user.id)).find((d) => d.name === COMPAT_DEVICE_NAME && d.kind === COMPAT_DEVICE_KIND)
  // User and device are created in one transaction, so a user without the device was not made
  // here (someone registered the address): never hand anonymous seed data to that account.
  if (device === undefined) {
    throw new Error(`${COMPAT_EMAIL} exists without its '${COMPAT_DEVICE_NAME}' device, so pulsebase did not create it; remove that account or turn off PULSEBASE_COMPAT=heartrate`)
  }
  return { userId: user.id, role: 'user', deviceId: device.id }
}

async function createCompatAccount({ db, kind }: DevicesDeps): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // A random password nobody is told: the account cannot log in; its device key is discarded too.
    const user = await createUser({ db: trx }, { email: COMPAT_EMAIL, password: randomBytes(32).toString('base64url'), displayName: 'Seed heart-rate clients' })
    await createDevice({ db: trx, kind }, { userId: user.id, role: 'user', deviceId: null }, { name: COMPAT_DEVICE_NAME, kind: COMPAT_DEVICE_KIND })
  })
}

/**
 * The principal seed `heartrate.HeartRateMonitor` calls act for when they carry no credential:
 * the `heartrate-compat` device of a dedicated user, both created on first use. Safe when several
 * processes start at once: the loser of the race hits the unique email and reads the winner's.
 */
export async function ensureCompatPrincipal(deps: DevicesDeps): Promise<Principal> {
  const { db } = deps
  const existing = await findCompatPrincipal(db)
  if (existing !== undefined) return existing
  try {
    await createCompatAccount(deps)
  } catch (error) {
    const isTaken = isUniqueViolation(error) || (error instanceof AppError && error.code === 'conflict')
    if (!isTaken) throw error
  }
  const created = await findCompatPrincipal(db)
  if (created === undefined) throw new Error(`${COMPAT_EMAIL} could not be created`)
  return created
}

/** `ensureCompatPrincipal` run once, on first use; a failure is not remembered, so the next call retries. */
export function lazyCompatPrincipal(deps: DevicesDeps): () => Promise<Principal> {
  let pending: Promise<Principal> | undefined
  return () => {
    pending ??= ensureCompatPrincipal(deps).catch((error: unknown) => {
      pending = undefined
      throw error
    })
    return pending
  }
}
