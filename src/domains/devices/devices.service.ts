import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { AppError } from '../../errors.js'
import type { Database } from '../../platform/db/schema.js'
import type { Principal } from '../../platform/auth/principal.js'
import { hashSecret, newSecret } from '../auth/tokens.js'
import type { DeviceKeyCache } from './device-key-cache.js'
import type { CreateDeviceBody, Device, PatchDeviceBody } from './devices.schema.js'
import { resolveTimeZone, type TimeZone, UTC } from '../../platform/time/time-zone.js'
import { getUser } from '../auth/auth.service.js'
import type { DatabaseKind } from '../../platform/db/database.js'
import { recordChange } from '../sync/sync.repository.js'
import * as devices from './devices.repository.js'

export const DEVICE_KEY_PREFIX = 'pbd_'
/** `last_seen_at` is written at most this often per device, so a busy device does not write per request. */
const LAST_SEEN_RESOLUTION_MS = 30_000

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export function toDevice(row: devices.DeviceRow): Device {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as Device['kind'],
    keyPrefix: row.key_prefix,
    createdAt: new Date(row.created_at).toISOString(),
    lastSeenAt: iso(row.last_seen_at),
    revokedAt: iso(row.revoked_at),
    timeZone: row.time_zone,
  }
}

function checkedTimeZone(name: string | null | undefined): string | null | undefined {
  if (name === undefined || name === null || resolveTimeZone(name) !== undefined) return name
  const message = `${JSON.stringify(name)} is not a time zone: use an IANA name such as Asia/Tokyo, UTC, or an offset such as +05:45`
  throw new AppError('invalid_argument', message, [{ path: 'body.timeZone', message, reason: 'time_zone_invalid' }])
}

/**
 * The zone a principal's zone-less local times are read in: its device's, else its user's
 * `timeZone` setting, else UTC.
 */
export async function localTimeZoneOf(db: Kysely<Database>, principal: Principal): Promise<TimeZone> {
  const device = principal.deviceId === null ? undefined : await devices.findDevice(db, principal.userId, principal.deviceId)
  const name = device?.time_zone ?? (await getUser(db, principal.userId)).settings.timeZone
  return (name === null || name === undefined ? undefined : resolveTimeZone(name)) ?? UTC
}

/** What device changes need: the database and its kind (for the sync feed entry written with each). */
export interface DevicesDeps {
  readonly db: Kysely<Database>
  readonly kind: DatabaseKind
}

/** The sync feed's kind for devices. */
export const DEVICE_SYNC_KIND = 'device'

/** Runs a change of the owner's device and its sync entry in one transaction (inside `deps.db` when that already is one). */
async function withChange<T>(deps: DevicesDeps, owner: Principal, change: string, run: (db: Kysely<Database>) => Promise<{ id: string; result: T }>): Promise<T> {
  const inTransaction = async (trx: Kysely<Database>) => {
    const { id, result } = await run(trx)
    await recordChange(trx, deps.kind, { userId: owner.userId, kind: DEVICE_SYNC_KIND, entityId: id, change }, Date.now())
    return result
  }
  return deps.db.isTransaction ? inTransaction(deps.db) : deps.db.transaction().execute(inTransaction)
}

/** Registers a device; its API key is in the answer, once. */
export async function createDevice(deps: DevicesDeps, owner: Principal, input: CreateDeviceBody) {
  const apiKey = newSecret(DEVICE_KEY_PREFIX)
  const row: devices.DeviceRow = {
    id: randomUUID(),
    user_id: owner.userId,
    name: input.name,
    kind: input.kind,
    key_hash: hashSecret(apiKey),
    key_prefix: apiKey.slice(0, DEVICE_KEY_PREFIX.length + 6),
    created_at: Date.now(),
    last_seen_at: null,
    revoked_at: null,
    time_zone: checkedTimeZone(input.timeZone) ?? null,
  }
  await withChange(deps, owner, 'created', async (trx) => ({ id: row.id, result: await devices.insertDevice(trx, row) }))
  return { device: toDevice(row), apiKey }
}

export async function listDevices(db: Kysely<Database>, owner: Principal): Promise<Device[]> {
  return (await devices.listDevices(db, owner.userId)).map(toDevice)
}

export async function getDevice(db: Kysely<Database>, owner: Principal, id: string): Promise<Device> {
  const row = await devices.findDevice(db, owner.userId, id)
  if (!row) throw new AppError('not_found', 'Device not found')
  return toDevice(row)
}

/** Renames a device and/or sets its time zone (null: its owner's). */
export async function updateDevice(deps: DevicesDeps, owner: Principal, id: string, patch: PatchDeviceBody): Promise<Device> {
  const timeZone = checkedTimeZone(patch.timeZone)
  const changes = { ...(patch.name !== undefined && { name: patch.name }), ...(timeZone !== undefined && { time_zone: timeZone }) }
  await withChange(deps, owner, 'updated', async (trx) => {
    if (!(await devices.updateDevice(trx, owner.userId, id, changes))) throw new AppError('not_found', 'Device not found')
    return { id, result: undefined }
  })
  return getDevice(deps.db, owner, id)
}

/** Revoking keeps the device and its data but its key stops working at once. */
export async function revokeDevice(deps: DevicesDeps, owner: Principal, id: string): Promise<Device> {
  const device = await getDevice(deps.db, owner, id)
  if (device.revokedAt === null) await withChange(deps, owner, 'revoked', async (trx) => ({ id, result: await devices.updateDevice(trx, owner.userId, id, { revoked_at: Date.now() }) }))
  return getDevice(deps.db, owner, id)
}

export async function deleteDevice(deps: DevicesDeps, owner: Principal, id: string): Promise<void> {
  await withChange(deps, owner, 'deleted', async (trx) => {
    if (!(await devices.deleteDevice(trx, owner.userId, id))) throw new AppError('not_found', 'Device not found')
    return { id, result: undefined }
  })
}

/** Sync loader: the user's devices by id (a deleted one is absent). */
export async function loadDevices(db: Kysely<Database>, userId: string, ids: readonly string[]): Promise<Map<string, unknown>> {
  return new Map((await devices.findDevices(db, userId, ids)).map((row) => [row.id, toDevice(row)]))
}

/** The owner a device key acts for; keeps `last_seen_at` current (to within the cache's TTL on a hit). */
export async function principalForDeviceKey(db: Kysely<Database>, apiKey: string, cache?: DeviceKeyCache): Promise<Principal> {
  const keyHash = hashSecret(apiKey)
  const cached = cache?.get(keyHash)
  if (cached !== undefined) return cached
  const principal = await lookUpDeviceKey(db, keyHash)
  cache?.set(keyHash, principal)
  return principal
}

async function lookUpDeviceKey(db: Kysely<Database>, keyHash: string): Promise<Principal> {
  const row = await devices.findDeviceByKeyHash(db, keyHash)
  if (!row) throw new AppError('unauthenticated', 'Unknown device key')
  if (row.revoked_at !== null) throw new AppError('unauthenticated', 'Device key has been revoked')
  const now = Date.now()
  if (row.last_seen_at === null || now - row.last_seen_at > LAST_SEEN_RESOLUTION_MS) {
    await devices.updateDevice(db, row.user_id, row.id, { last_seen_at: now })
  }
  return { userId: row.user_id, role: row.role, deviceId: row.id }
}
