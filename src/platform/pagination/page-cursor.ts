// The one encoding of keyset-pagination cursors (`nextCursor` / `cursor` on list routes): the last
// row's ordering position and its tie-breaking key, opaque to clients as base64url.
import { Type } from 'typebox'
import { AppError } from '../../errors.js'

/** The `nextCursor` of every page envelope: an opaque string to send back as `cursor`, or null on the last page. */
export const NextCursor = Type.Union([Type.String(), Type.Null()], {
  title: 'NextCursor',
  description: 'pass as `cursor` for the next page; null on the last page',
  examples: ['MTczMjg3NjAwMDAwMDpkZXYtMQ', null],
})

/** Where a page ended: the ordering value (an epoch-ms time) and the key that breaks ties. */
export interface PagePosition {
  readonly position: number
  readonly key: string
}

/** `<position>:<key>` as base64url. */
export function encodePageCursor(position: number, key: string): string {
  return Buffer.from(`${position}:${key}`).toString('base64url')
}

/**
 * The position a cursor names. `key` must match `keyPattern` (anchored here); a cursor this server
 * did not give out throws `invalid_argument` at `querystring.cursor`. The `_` separator of earlier
 * game-session cursors is read too, so a cursor a client still holds keeps working.
 */
export function decodePageCursor(cursor: string, keyPattern: RegExp): PagePosition {
  const match = /^(\d{1,16})[:_](.*)$/s.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  const key = match?.[2]
  if (match === null || key === undefined || !new RegExp(`^(?:${keyPattern.source})$`).test(key)) {
    throw new AppError('invalid_argument', 'cursor is not one this server gave out', [
      { path: 'querystring.cursor', message: 'unknown cursor' },
    ])
  }
  return { position: Number(match[1]), key }
}

/**
 * Rows fetched with `limit + 1` (newest first): the page to show, and the cursor after its last row
 * (null when no row follows, i.e. on the last page).
 */
export function splitPage<R>(
  rows: readonly R[],
  limit: number,
  cursorOf: (last: R) => string,
): { page: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return { page, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null }
}
