// A MindSync client is identified only by the deviceId it generated. Each deviceId maps to its
// own pulsebase user (which cannot log in) and a `mindsync` phone device, made on first write.
import { createHash, randomBytes } from 'node:crypto'
import { createUser } from '../../domains/auth/auth.service.js'
import { createDevice } from '../../domains/devices/devices.service.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { Db } from '../../platform/db/database.js'
import type { AccountStore } from '../compat-account.js'
import { isUniqueViolation } from '../../platform/db/unique-violation.js'

/** The address of the user behind a deviceId: a hash, so the client's id never lands in an email or a path. */
function toEmail(clientId: string): string {
  return `mindsync-${createHash('sha256').update(clientId).digest('hex').slice(0, 32)}@pulsebase.invalid`
}

export async function findMindsyncPrincipal(db: Db, clientId: string): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('compat_mindsync_devices')
    .select(['user_id', 'device_id'])
    .where('client_id', '=', clientId)
    .executeTakeFirst()
  return row === undefined ? undefined : { userId: row.user_id, role: 'user', deviceId: row.device_id }
}

/**
 * The principal of a deviceId, created with its user and device in one transaction; a lost race
 * reads the winner's. The device's time zone (`timeZone`) is where its zone-less local times go.
 */
export async function ensureMindsyncPrincipal(
  store: AccountStore,
  clientId: string,
  timeZone: string,
  mayCreate: () => Promise<void> = async () => undefined,
): Promise<Principal> {
  const { db, now } = store
  const existing = await findMindsyncPrincipal(db, clientId)
  if (existing !== undefined) return existing
  await mayCreate() // throws when a new account may not be made (registration closed, too many sign-ups)
  try {
    await db.transaction().execute(async (trx) => {
      // A random password nobody is told, and a device key that is discarded: the seed has no credentials.
      const user = await createUser(
        { db: trx, now },
        { email: toEmail(clientId), password: randomBytes(32).toString('base64url'), displayName: 'MindSync client' },
      )
      const { device } = await createDevice(
        { db: trx, now },
        { userId: user.id, role: 'user', deviceId: null },
        { name: 'mindsync', kind: 'phone', timeZone },
      )
      await trx
        .insertInto('compat_mindsync_devices')
        .values({ client_id: clientId, user_id: user.id, device_id: device.id, created_at: now() })
        .execute()
    })
  } catch (error) {
    const isTaken = isUniqueViolation(error) || (error instanceof Error && 'code' in error && error.code === 'conflict')
    if (!isTaken) throw error
  }
  const created = await findMindsyncPrincipal(db, clientId)
  if (created === undefined) throw new Error('MindSync device could not be created')
  return created
}
