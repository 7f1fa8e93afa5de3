import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { AppError } from '../../errors.js'
import type { Database } from '../../platform/db/schema.js'
import type { Principal } from '../../platform/auth/principal.js'
import { hashSecret, newSecret } from '../auth/tokens.js'
import type { DeviceKeyCache } from './device-key-cache.js'
import type { CreateDeviceBody, Device, PatchDeviceBody } from './devices.schema.js'
import * as devices from './devices.repository.js'
import { isOnline } from './presence.js'
import { readDatabaseKind } from '../../platform/db/database.js'
import { resolveTimeZone, type TimeZone, UTC } from '../../platform/time/time-zone.js'
import { getUser } from '../auth/auth.service.js'
import { recordChange } from '../sync/sync.repository.js'
import { toIso, toIsoOrNull } from '../../platform/time/date-time.js'
import type { Clock } from '../../platform/time/clock.js'

export const DEVICE_KEY_PREFIX = 'pbd_'
/** The presence timeout of a device without its own (PULSEBASE_DEVICE_PRESENCE_TIMEOUT_SECONDS). */
export const DEFAULT_PRESENCE_TIMEOUT_MS = 30_000

/** What the device routes read and change devices with. */
export interface DevicesDeps {
  readonly db: Kysely<Database>
  readonly defaultTimeoutMs: number
  /** The time now (ms since the epoch): the platform's clock. */
  readonly now: Clock
}

/** The sync feed's kind for devices. */
export const DEVICE_SYNC_KIND = 'device'

/** Runs a change of the owner's device and its sync entry (stamped `nowMs`) in one transaction (inside `db` when that already is one). */
async function withChange<T>(
  db: Kysely<Database>,
  owner: Principal,
  change: string,
  nowMs: number,
  run: (db: Kysely<Database>) => Promise<{ id: string; result: T }>,
): Promise<T> {
  const inTransaction = async (trx: Kysely<Database>) => {
    const { id, result } = await run(trx)
    await recordChange(
      trx,
      readDatabaseKind(trx),
      { userId: owner.userId, kind: DEVICE_SYNC_KIND, entityId: id, change },
      nowMs,
    )
    return result
  }
  return db.isTransaction ? inTransaction(db) : db.transaction().execute(inTransaction)
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
export async function readLocalTimeZone(db: Kysely<Database>, principal: Principal): Promise<TimeZone> {
  const device =
    principal.deviceId === null ? undefined : await devices.findDevice(db, principal.userId, principal.deviceId)
  const name = device?.time_zone ?? (await getUser(db, principal.userId)).settings.timeZone
  return (name === null || name === undefined ? undefined : resolveTimeZone(name)) ?? UTC
}

/** The wire form; `online` as of `nowMs` (epoch ms), with `defaultTimeoutMs` for a device without its own timeout. */
export function toDevice(row: devices.DeviceRow, defaultTimeoutMs: number, nowMs: number): Device {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as Device['kind'],
    keyPrefix: row.key_prefix,
    createdAt: toIso(row.created_at),
    lastSeenAt: toIsoOrNull(row.last_seen_at),
    remoteAddress: row.remote_address,
    online: isOnline(row.last_seen_at, row.presence_timeout_ms, defaultTimeoutMs, nowMs),
    presenceTimeoutSeconds: Math.round((row.presence_timeout_ms ?? defaultTimeoutMs) / 1000),
    revokedAt: toIsoOrNull(row.revoked_at),
    timeZone: row.time_zone,
  }
}

/** Registers a device (inside `deps.db` when that is a transaction); its API key is in the answer, once. */
export async function createDevice(
  deps: Pick<DevicesDeps, 'db' | 'now'> & { readonly defaultTimeoutMs?: number },
  owner: Principal,
  input: CreateDeviceBody,
) {
  const apiKey = newSecret(DEVICE_KEY_PREFIX)
  const now = deps.now()
  const row: devices.DeviceRow = {
    id: randomUUID(),
    user_id: owner.userId,
    name: input.name,
    kind: input.kind,
    key_hash: hashSecret(apiKey),
    previous_key_hash: null,
    previous_key_expires_at: null,
    key_prefix: apiKey.slice(0, DEVICE_KEY_PREFIX.length + 6),
    created_at: now,
    last_seen_at: null,
    revoked_at: null,
    presence_timeout_ms: null,
    remote_address: null,
    presence_announced: 'offline',
    time_zone: checkedTimeZone(input.timeZone) ?? null,
  }
  await withChange(deps.db, owner, 'created', now, async (trx) => ({
    id: row.id,
    result: await devices.insertDevice(trx, row),
  }))
  return { device: toDevice(row, deps.defaultTimeoutMs ?? DEFAULT_PRESENCE_TIMEOUT_MS, now), apiKey }
}

export async function listDevices(
  deps: DevicesDeps,
  owner: Principal,
  filter: { online?: boolean } = {},
): Promise<Device[]> {
  const nowMs = deps.now()
  const all = (await devices.listDevices(deps.db, owner.userId)).map((row) =>
    toDevice(row, deps.defaultTimeoutMs, nowMs),
  )
  return filter.online === undefined ? all : all.filter((device) => device.online === filter.online)
}

export async function getDevice(deps: DevicesDeps, owner: Principal, id: string): Promise<Device> {
  const row = await devices.findDevice(deps.db, owner.userId, id)
  if (!row) throw new AppError('not_found', 'Device not found')
  return toDevice(row, deps.defaultTimeoutMs, deps.now())
}

/** Renames a device, sets its presence timeout and/or its time zone (null: back to the default, or the owner's zone). */
export async function patchDevice(
  deps: DevicesDeps,
  owner: Principal,
  id: string,
  patch: PatchDeviceBody,
): Promise<Device> {
  const timeZone = checkedTimeZone(patch.timeZone)
  const changes = {
    ...(patch.name !== undefined && { name: patch.name }),
    ...(patch.presenceTimeoutSeconds !== undefined && {
      presence_timeout_ms: patch.presenceTimeoutSeconds === null ? null : patch.presenceTimeoutSeconds * 1000,
    }),
    ...(timeZone !== undefined && { time_zone: timeZone }),
  }
  await withChange(deps.db, owner, 'updated', deps.now(), async (trx) => {
    if (!(await devices.updateDevice(trx, owner.userId, id, changes)))
      throw new AppError('not_found', 'Device not found')
    return { id, result: undefined }
  })
  return getDevice(deps, owner, id)
}

/** Revoking keeps the device and its data but its key stops working at once. */
export async function revokeDevice(deps: DevicesDeps, owner: Principal, id: string): Promise<Device> {
  const device = await getDevice(deps, owner, id)
  if (device.revokedAt === null) {
    const now = deps.now()
    await withChange(deps.db, owner, 'revoked', now, async (trx) => ({
      id,
      result: await devices.updateDevice(trx, owner.userId, id, { revoked_at: now }),
    }))
  }
  return getDevice(deps, owner, id)
}

/**
 * Gives the device a new key; the old one keeps working for `graceSeconds` (0: not at all), so a
 * fleet can move over without downtime. A revoked device is a 409; only one previous key is kept,
 * so rotating again ends the grace of the one before.
 */
export async function rotateDeviceKey(deps: DevicesDeps, owner: Principal, id: string, graceSeconds: number) {
  const device = await getDevice(deps, owner, id)
  if (device.revokedAt !== null) throw new AppError('conflict', 'The device is revoked: register a new one')
  const apiKey = newSecret(DEVICE_KEY_PREFIX)
  const now = deps.now()
  const previousKeyExpiresAt = now + graceSeconds * 1000
  await withChange(deps.db, owner, 'key-rotated', now, async (trx) => ({
    id,
    result: await devices.rotateKey(trx, owner.userId, id, {
      keyHash: hashSecret(apiKey),
      keyPrefix: apiKey.slice(0, DEVICE_KEY_PREFIX.length + 6),
      previousExpiresAt: previousKeyExpiresAt,
    }),
  }))
  return {
    device: await getDevice(deps, owner, id),
    apiKey,
    previousKeyExpiresAt: new Date(previousKeyExpiresAt).toISOString(),
  }
}

export async function deleteDevice(deps: Pick<DevicesDeps, 'db' | 'now'>, owner: Principal, id: string): Promise<void> {
  await withChange(deps.db, owner, 'deleted', deps.now(), async (trx) => {
    if (!(await devices.deleteDevice(trx, owner.userId, id))) throw new AppError('not_found', 'Device not found')
    return { id, result: undefined }
  })
}

/** Sync loader: the user's devices by id (a deleted one is absent), `online` as of the platform's time. */
export async function loadDevices(
  deps: DevicesDeps,
  userId: string,
  ids: readonly string[],
): Promise<Map<string, unknown>> {
  const nowMs = deps.now()
  return new Map(
    (await devices.findDevices(deps.db, userId, ids)).map((row) => [
      row.id,
      toDevice(row, deps.defaultTimeoutMs, nowMs),
    ]),
  )
}

/** The owner a device key acts for at `nowMs` (epoch ms; a rotated-out key works until its grace ends). Contact times are the presence tracker's: `authenticateWithContact`. */
export async function principalForDeviceKey(
  db: Kysely<Database>,
  apiKey: string,
  nowMs: number,
  cache?: DeviceKeyCache,
): Promise<Principal> {
  const keyHash = hashSecret(apiKey)
  const cached = cache?.get(keyHash)
  if (cached !== undefined) return cached
  const principal = await lookUpDeviceKey(db, keyHash, nowMs)
  cache?.set(keyHash, principal)
  return principal
}

async function lookUpDeviceKey(db: Kysely<Database>, keyHash: string, nowMs: number): Promise<Principal> {
  const row = await devices.findDeviceByKeyHash(db, keyHash, nowMs)
  if (!row) throw new AppError('unauthenticated', 'Unknown device key')
  if (row.revoked_at !== null) throw new AppError('unauthenticated', 'Device key has been revoked')
  return { userId: row.user_id, role: row.role, deviceId: row.id }
}

/** The id of `userId`'s device with this name and kind (revoked or not), or undefined. */
export async function findDeviceIdByName(
  db: Kysely<Database>,
  userId: string,
  match: { readonly name: string; readonly kind: string },
): Promise<string | undefined> {
  return (await devices.listDevices(db, userId)).find((d) => d.name === match.name && d.kind === match.kind)?.id
}
