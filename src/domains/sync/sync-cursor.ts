// Sync cursors are opaque to clients: the position in the user's feed plus a short tag of whose
// feed it is, so a cursor from another account (or a mistyped one) is recognised, not served.
import { createHash } from 'node:crypto'

const CURSOR = /^(\d{1,15})(?:\.([0-9a-f]{8}))?$/

function toTag(userId: string, seq: number): string {
  return createHash('sha256').update(`${userId}:${seq}`).digest('hex').slice(0, 8)
}

/** The cursor of position `seq` in `userId`'s feed (`0`, the start, has no tag). */
export function encodeSyncCursor(userId: string, seq: number): string {
  return seq === 0 ? '0' : `${seq}.${toTag(userId, seq)}`
}

/**
 * The position a cursor names in `userId`'s feed; undefined when it was made for another feed. A
 * bare number (as cursors were before they had a tag) is taken as it is.
 */
export function decodeSyncCursor(userId: string, cursor: string): number | undefined {
  const match = CURSOR.exec(cursor)
  if (match === null) return undefined
  const seq = Number(match[1])
  if (match[2] !== undefined && match[2] !== toTag(userId, seq)) return undefined
  return seq
}
