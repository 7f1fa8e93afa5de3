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

export async function createDevice(db: Kysely<Database>, owner: Principal, input: CreateDeviceBody) {
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
  await devices.insertDevice(db, row)
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
export async function updateDevice(db: Kysely<Database>, owner: Principal, id: string, patch: PatchDeviceBody): Promise<Device> {
  const timeZone = checkedTimeZone(patch.timeZone)
  const changes = { ...(patch.name !== undefined && { name: patch.name }), ...(timeZone !== undefined && { time_zone: timeZone }) }
  if (!(await devices.updateDevice(db, owner.userId, id, changes))) throw new AppError('not_found', 'Device not found')
  return getDevice(db, owner, id)
}

/** Revoking keeps the device and its data but its key stops working at once. */
export async function revokeDevice(db: Kysely<Database>, owner: Principal, id: string): Promise<Device> {
  const device = await getDevice(db, owner, id)
  if (device.revokedAt === null) await devices.updateDevice(db, owner.userId, id, { revoked_at: Date.now() })
  return getDevice(db, owner, id)
}

export async function deleteDevice(db: Kysely<Database>, owner: Principal, id: string): Promise<void> {
  if (!(await devices.deleteDevice(db, owner.userId, id))) throw new AppError('not_found', 'Device not found')
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
