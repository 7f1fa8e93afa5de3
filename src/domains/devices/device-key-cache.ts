import { type CredentialsEnded, isCovered } from '../../platform/auth/credential-watch.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { Clock } from '../../platform/time/clock.js'

/**
 * Remembers for a few seconds which principal a device key stands for, so a device streaming
 * samples does not cost a key lookup per call. A revoked or deleted device (or a deleted account's
 * devices) is forgotten at once here and, when the announcement on the credentials channel arrives,
 * on every other process; the TTL bounds what a lost announcement could leave behind.
 */
export interface DeviceKeyCache {
  get(keyHash: string): Principal | undefined
  set(keyHash: string, principal: Principal): void
  /** Drops every key that `ended` covers (a device, or every device of a deleted user) on this process. */
  forgetCovered(ended: CredentialsEnded): void
}

export function createDeviceKeyCache(options: { ttlMs: number; maxEntries?: number; now: Clock }): DeviceKeyCache {
  const { now } = options
  const maxEntries = options.maxEntries ?? 10_000
  const entries = new Map<string, { principal: Principal; expiresAt: number }>()
  return {
    get(keyHash) {
      const entry = entries.get(keyHash)
      if (entry === undefined) return undefined
      if (entry.expiresAt <= now()) {
        entries.delete(keyHash)
        return undefined
      }
      return entry.principal
    },
    set(keyHash, principal) {
      if (options.ttlMs <= 0) return
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string)
      entries.set(keyHash, { principal, expiresAt: now() + options.ttlMs })
    },
    forgetCovered(ended) {
      for (const [keyHash, entry] of entries) if (isCovered(entry.principal, ended)) entries.delete(keyHash)
    },
  }
}
