// Ending live streams when their credentials end: one announcement, heard by every process through
// the user's live channel. The Socket.IO server acts on it today; other stream transports (gRPC
// Subscribe, MQTT sessions) hook in at the same event.

/** The internal live event that ends streams; never forwarded to clients. */
export const CREDENTIALS_ENDED = 'credentials-ended'

/** Which of a user's streams end: all of them (`{}`), those of one login session or one device, or every login session's but one (a password change). */
export interface EndedCredentials {
  readonly sessionId?: string
  readonly deviceId?: string
  /** Only streams of login sessions end (device streams stay), except those of `exceptSessionId`. */
  readonly isSessionsOnly?: boolean
  readonly exceptSessionId?: string
}

/** True when a stream opened with these credentials must end on `ended`. */
export function isEndedBy(
  ended: EndedCredentials,
  stream: { sessionId?: string | undefined; deviceId: string | null },
): boolean {
  if (ended.isSessionsOnly === true) return stream.sessionId !== undefined && stream.sessionId !== ended.exceptSessionId
  if (ended.sessionId !== undefined) return stream.sessionId === ended.sessionId
  if (ended.deviceId !== undefined) return stream.deviceId === ended.deviceId
  return true
}

/** Ends the user's live streams (all, or those of one session or device) on every process. */
export function endLiveStreams(
  publishLive: (userId: string, event: string, data: unknown) => void,
  userId: string,
  ended: EndedCredentials = {},
): void {
  publishLive(userId, CREDENTIALS_ENDED, ended)
}
