// The CSI seed's Pis (`/server/post/keep_alive`, `/app/get/list_of_servers`) as devices of the
// compat account: a Pi's numeric ID maps to a device, and "alive" is device presence with the
// seed's 30-second timeout, computed from stored contact times on any API process.
import type { DevicePresence } from '../../domains/devices/presence.js'
import { createDevice, type DevicesDeps, listDevices, patchDevice } from '../../domains/devices/devices.service.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { Db } from '../../platform/db/database.js'
import { isUniqueViolation } from '../../platform/db/unique-violation.js'

/** The seed's MAX_TIMEOUT. */
export const PI_TIMEOUT_S = 30

export interface CsiServersDeps {
  readonly devices: DevicesDeps
  readonly presence: Pick<DevicePresence, 'touch'>
  readonly account: () => Promise<Principal>
}

const findServer = (db: Db, seedId: number) =>
  db.selectFrom('compat_csi_servers').select(['seed_id', 'device_id']).where('seed_id', '=', seedId).executeTakeFirst()

/** The device of a seed ID, made (as a raspberry-pi of the compat account) on its first keep-alive. */
async function resolveDevice(deps: CsiServersDeps, owner: Principal, seedId: number, name: string): Promise<string> {
  const known = await findServer(deps.devices.db, seedId)
  if (known !== undefined) return known.device_id
  try {
    await deps.devices.db.transaction().execute(async (trx) => {
      const now = deps.devices.now()
      const { device } = await createDevice({ ...deps.devices, db: trx }, owner, { name, kind: 'raspberry-pi' })
      await trx
        .insertInto('compat_csi_servers')
        .values({ seed_id: seedId, device_id: device.id, created_at: now })
        .execute()
    })
  } catch (error) {
    if (!isUniqueViolation(error)) throw error // another process registered the same ID first
  }
  const created = await findServer(deps.devices.db, seedId)
  if (created === undefined) throw new Error(`CSI server ${seedId} could not be registered`)
  await patchDevice(deps.devices, owner, created.device_id, { presenceTimeoutSeconds: PI_TIMEOUT_S })
  return created.device_id
}

/** A keep-alive: the Pi is (again) alive at `address`, under `name`. */
export async function keepAlive(
  deps: CsiServersDeps,
  seedId: number,
  name: string,
  address: string | null,
): Promise<void> {
  const owner = await deps.account()
  const deviceId = await resolveDevice(deps, owner, seedId, name)
  await patchDevice(deps.devices, owner, deviceId, { name })
  await deps.presence.touch({ userId: owner.userId, deviceId, address })
}

/** The Pis alive now, in the order they first checked in: `[{ addr, name, id }]`. */
export async function aliveServers(deps: CsiServersDeps): Promise<{ addr: string | null; name: string; id: number }[]> {
  const owner = await deps.account()
  const servers = await deps.devices.db
    .selectFrom('compat_csi_servers')
    .select(['seed_id', 'device_id'])
    .orderBy('created_at')
    .orderBy('seed_id')
    .execute()
  const online = new Map((await listDevices(deps.devices, owner, { online: true })).map((d) => [d.id, d]))
  return servers.flatMap((server) => {
    const device = online.get(server.device_id)
    return device === undefined ? [] : [{ addr: device.remoteAddress, name: device.name, id: Number(server.seed_id) }]
  })
}
