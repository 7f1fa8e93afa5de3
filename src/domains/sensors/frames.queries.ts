// Frames out: pages by time range, and CSV export, always of the caller's own streams.
import { AppError } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { Db } from '../../platform/db/database.js'
import { parseRange } from '../heart-rate/heart-rate.service.js'
import { toChannels, listColumns, decodeValues, float32Value } from './frame-layout.js'
import { type Stream, toStream } from './frame-store.js'
import * as repo from './frames.repository.js'
import { DAY_MS, toIso } from '../../platform/time/date-time.js'

export interface FrameRange {
  readonly deviceId: string
  readonly kind: string
  readonly from?: string | undefined
  readonly to?: string | undefined
}

const EXPORT_PAGE = 2000
/** Exports may span ten years; pages keep parseRange's default. */
const EXPORT_MAX_SPAN_MS = 3660 * DAY_MS

/** The caller's stream (a device reads only its own); not_found otherwise. */
export async function findStream(db: Db, owner: Principal, deviceId: string, kind: string): Promise<Stream> {
  if (owner.deviceId !== null && owner.deviceId !== deviceId) throw new AppError('not_found', 'No such stream')
  const row = await repo.findUserStream(db, owner.userId, deviceId, kind)
  if (row === undefined) throw new AppError('not_found', `No ${kind} frames from device ${deviceId}`)
  return toStream(row)
}

export async function listFrames(
  db: Db,
  owner: Principal,
  query: FrameRange & { limit?: number | undefined; after?: number | undefined },
  nowMs: number,
) {
  const stream = await findStream(db, owner, query.deviceId, query.kind)
  const range = parseRange(query, nowMs)
  const limit = query.limit ?? 1000
  const rows = await repo.listFrames(db, stream.id, range, limit, query.after)
  return {
    deviceId: stream.deviceId,
    kind: stream.kind,
    layout: [...stream.layout],
    frames: rows.map((row) => ({
      timestamp: toIso(row.ts),
      channels: toChannels(stream.layout, decodeValues(row.data)),
    })),
    nextAfter: rows.length === limit ? Number(rows[rows.length - 1]?.ts) : null,
  }
}

/** What an export covers, resolved (and refused with a 4xx) before the first byte goes out. */
export async function resolveExport(
  db: Db,
  owner: Principal,
  query: FrameRange,
  nowMs: number,
): Promise<{ stream: Stream; range: { from: number; to: number } }> {
  const stream = await findStream(db, owner, query.deviceId, query.kind)
  return { stream, range: parseRange(query, nowMs, EXPORT_MAX_SPAN_MS) }
}

/** `timestamp,<group>_0,…` then a line per frame, page by page so a long range never sits in memory. */
export async function* exportCsv(db: Db, stream: Stream, range: { from: number; to: number }): AsyncGenerator<string> {
  yield `timestamp,${listColumns(stream.layout).join(',')}\n`
  let after: number | undefined
  for (;;) {
    const rows = await repo.listFrames(db, stream.id, range, EXPORT_PAGE, after)
    yield rows.map((row) => `${toIso(row.ts)},${Array.from(decodeValues(row.data), float32Value).join(',')}\n`).join('')
    if (rows.length < EXPORT_PAGE) return
    after = Number(rows[rows.length - 1]?.ts)
  }
}

export async function listStreams(db: Db, owner: Principal) {
  const rows = await repo.listStreams(db, owner.userId)
  return rows
    .filter((row) => owner.deviceId === null || row.device_id === owner.deviceId)
    .map((row) => ({
      deviceId: row.device_id,
      kind: row.kind,
      layout: [...toStream(row).layout],
      createdAt: toIso(row.created_at),
    }))
}
