// Device presence: a device is online while its latest contact is within its timeout. Online is
// computed from the stored contact time (`last_seen_at`), never kept in a list; contacts are
// written cheaply (the first at once, later ones coalesced per device into a write a second), and
// each transition is pushed live once, whichever process sees it, by a conditional update.
import type { Logger } from 'pino'
import type { Authenticate } from '../../platform/auth/principal.js'
import type { Db } from '../../platform/db/database.js'
import * as repo from './devices.repository.js'
import { toIsoOrNull } from '../../platform/time/date-time.js'
import type { Clock } from '../../platform/time/clock.js'

/** The Socket.IO `device-presence` event: one per transition, to the device's owner. */
export interface PresenceEvent {
  readonly deviceId: string
  readonly online: boolean
  readonly lastSeenAt: string | null
  readonly remoteAddress: string | null
}

export interface PresenceDeps {
  readonly db: Db
  /** Applies to devices without a timeout of their own. */
  readonly defaultTimeoutMs: number
  readonly publish: (userId: string, event: 'device-presence', data: PresenceEvent) => void
  readonly logger: Logger
  /** The time now (ms since the epoch): the platform's clock. */
  readonly now: Clock
}

export interface Contact {
  readonly userId: string
  readonly deviceId: string
  /** The peer address of the call, when the transport knows it. */
  readonly address: string | null
}

export interface DevicePresence {
  /**
   * Records a contact. A device's first contact in a while is stored (and its online transition
   * announced) before this resolves; contacts within `COALESCE_MS` of that write are kept in
   * memory and stored by the next `flush`. Never throws: a failed write is logged.
   */
  touch(contact: Contact): Promise<void>
  /** Stores the coalesced contacts. */
  flush(): Promise<void>
  /** Announces the offline transition of every device whose timeout has passed; resolves to how many. */
  sweep(): Promise<number>
  /** Flushes and sweeps every `TICK_MS` until `close`. */
  start(): void
  close(): Promise<void>
}

/** Contacts closer together than this cost one write per device and process. */
export const COALESCE_MS = 1000
const TICK_MS = 1000

export function createDevicePresence(deps: PresenceDeps): DevicePresence {
  const now = deps.now
  /** When this process last stored a contact, per device. */
  const written = new Map<string, number>()
  let pending = new Map<string, { at: number; address: string | null }>()
  let timer: NodeJS.Timeout | undefined
  let tick: Promise<void> | undefined

  const announce = (row: repo.PresenceRow, online: boolean) =>
    deps.publish(row.user_id, 'device-presence', {
      deviceId: row.id,
      online,
      lastSeenAt: toIsoOrNull(row.last_seen_at),
      remoteAddress: row.remote_address,
    })

  async function store(contact: Contact, at: number): Promise<void> {
    // A device silent past its timeout whose offline transition no sweep announced yet goes offline first.
    if (await repo.claimOfflineAnnouncement(deps.db, contact.deviceId, at, deps.defaultTimeoutMs)) {
      const before = await repo.findPresence(deps.db, contact.deviceId)
      if (before !== undefined) announce(before, false)
    }
    await repo.recordContact(deps.db, contact.deviceId, at, contact.address)
    if (await repo.claimOnlineAnnouncement(deps.db, contact.deviceId)) {
      const after = await repo.findPresence(deps.db, contact.deviceId)
      if (after !== undefined) announce(after, true)
    }
  }

  async function flush(): Promise<void> {
    const batch = pending
    pending = new Map()
    for (const [deviceId, { at, address }] of batch) {
      await repo
        .recordContact(deps.db, deviceId, at, address)
        .catch((err: unknown) => deps.logger.warn({ err, deviceId }, 'device contact not stored'))
    }
    const stale = now() - COALESCE_MS
    for (const [deviceId, at] of written) if (at < stale) written.delete(deviceId)
  }

  async function sweep(): Promise<number> {
    const at = now()
    let count = 0
    for (const row of await repo.expiredOnlineDevices(deps.db, at, deps.defaultTimeoutMs)) {
      if (await repo.claimOfflineAnnouncement(deps.db, row.id, at, deps.defaultTimeoutMs)) {
        announce(row, false)
        count += 1
      }
    }
    return count
  }

  return {
    async touch(contact) {
      const at = now()
      const last = written.get(contact.deviceId)
      if (last !== undefined && at - last < COALESCE_MS) {
        pending.set(contact.deviceId, { at, address: contact.address })
        return
      }
      written.set(contact.deviceId, at)
      pending.delete(contact.deviceId)
      await store(contact, at).catch((err: unknown) =>
        deps.logger.warn({ err, deviceId: contact.deviceId }, 'device contact not stored'),
      )
    },
    flush,
    sweep,
    start() {
      timer ??= setInterval(() => {
        tick ??= flush()
          .then(sweep)
          .then(
            () => undefined,
            (err: unknown) => deps.logger.warn({ err }, 'presence sweep failed'),
          )
          .finally(() => (tick = undefined))
      }, TICK_MS).unref()
    },
    async close() {
      clearInterval(timer)
      timer = undefined
      await tick
      await flush()
    },
  }
}

/**
 * `authenticate` that also records each device call as a contact, with the caller's address:
 * every authenticated request, stream or MQTT session of a device keeps it online.
 */
export function authenticateWithContact(
  authenticate: Authenticate,
  presence: Pick<DevicePresence, 'touch'>,
): Authenticate {
  return async (credential, origin) => {
    const principal = await authenticate(credential, origin)
    if (principal.deviceId !== null)
      await presence.touch({ userId: principal.userId, deviceId: principal.deviceId, address: origin?.address ?? null })
    return principal
  }
}

/** Whether a device with this contact time is online at `nowMs`. */
export function isOnline(
  lastSeenAt: number | null,
  timeoutMs: number | null,
  defaultTimeoutMs: number,
  nowMs: number,
): boolean {
  return lastSeenAt !== null && Number(lastSeenAt) + (timeoutMs ?? defaultTimeoutMs) >= nowMs
}
