// Live connections (Socket.IO sockets, gRPC streams, MQTT sessions) hold the credentials they opened
// with. This ends them when those credentials end: an access token's expiry (a timer here), or an
// announcement from any API process over pub/sub: a logout, a password change or reset, a device
// revoked, deleted or its key rotated, an account deleted. It is the one revocation mechanism:
// every stream transport watches through it, every caller that ends credentials announces through
// it, and the device key cache forgets what an announcement covers.
import type { Logger } from 'pino'
import type { PubSubPort } from '../pubsub/pubsub.port.js'
import type { Principal } from './principal.js'

/** The pub/sub channel every API process listens on for ended credentials. */
export const CREDENTIALS_ENDED_CHANNEL = 'credentials.ended'

/** Why a connection's credentials ended; sent to the client with the disconnect. */
export type EndReason = 'logout' | 'expired' | 'revoked' | 'deleted'

/**
 * What ended: one login session (`sessionId`), one device's key (`deviceId`), every credential of
 * a user (`userId` alone), or every login session of a user but one (`userId` with
 * `isSessionsOnly`, and `exceptSessionId` for the session that stays: a password change).
 */
export interface CredentialsEnded {
  readonly reason: EndReason
  readonly userId?: string
  readonly sessionId?: string
  readonly deviceId?: string
  /** With `userId`: only credentials of login sessions end; device keys stay. */
  readonly isSessionsOnly?: boolean
  /** With `isSessionsOnly`: the login session that stays (the one that changed the password). */
  readonly exceptSessionId?: string
}

export interface CredentialWatch {
  /**
   * Calls `end` once when `principal`'s credentials end (expiry, or an announcement from any
   * process). Returns the function that stops watching (call it when the connection closes).
   */
  watch(principal: Principal, end: (reason: EndReason) => void): () => void
  /** Tells every API process (this one first, synchronously) that credentials ended; never throws. */
  announce(ended: CredentialsEnded): Promise<void>
  /** Connections watched on this process. */
  size(): number
}

/** Whether `ended` covers the credentials `principal` was made from. */
export function isCovered(principal: Principal, ended: CredentialsEnded): boolean {
  if (ended.deviceId !== undefined) return principal.deviceId === ended.deviceId
  if (ended.sessionId !== undefined) return principal.sessionId === ended.sessionId
  if (ended.userId === undefined || principal.userId !== ended.userId) return false
  if (ended.isSessionsOnly !== true) return true
  return principal.sessionId !== undefined && principal.sessionId !== ended.exceptSessionId
}

/** Largest delay setTimeout takes; a later expiry is re-armed. */
const MAX_TIMER_MS = 2_147_483_647

/** Watches live connections' credentials on this process and hears the announcements of every process (see the file's head). */
export async function createCredentialWatch(pubsub: PubSubPort, logger: Logger): Promise<CredentialWatch> {
  const watches = new Set<{ principal: Principal; end: (reason: EndReason) => void }>()

  function endCovered(ended: CredentialsEnded): void {
    for (const entry of [...watches]) if (isCovered(entry.principal, ended)) entry.end(ended.reason)
  }
  await pubsub.subscribe(CREDENTIALS_ENDED_CHANNEL, (message) => endCovered(message as CredentialsEnded))

  return {
    watch(principal, end) {
      let timer: NodeJS.Timeout | undefined
      const entry = {
        principal,
        end: (reason: EndReason) => {
          if (!watches.delete(entry)) return
          clearTimeout(timer)
          end(reason)
        },
      }
      watches.add(entry)
      const arm = () => {
        if (principal.expiresAtMs === undefined) return
        const left = principal.expiresAtMs - Date.now()
        timer =
          left <= 0
            ? undefined
            : setTimeout(left > MAX_TIMER_MS ? arm : () => entry.end('expired'), Math.min(left, MAX_TIMER_MS))
        timer?.unref()
        if (left <= 0) entry.end('expired')
      }
      arm()
      return () => {
        watches.delete(entry)
        clearTimeout(timer)
      }
    },
    async announce(ended) {
      endCovered(ended)
      await pubsub
        .publish(CREDENTIALS_ENDED_CHANNEL, ended)
        .catch((err: unknown) => logger.warn({ err, reason: ended.reason }, 'credential end broadcast failed'))
    },
    size: () => watches.size,
  }
}
