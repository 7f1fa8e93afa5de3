// Where frames are written: streams resolved once per process (a stream's layout never changes),
// and frames committed by group commit, so concurrent batches share transactions.
import { randomUUID } from 'node:crypto'
import type { Db, DatabaseKind } from '../../platform/db/database.js'
import { createGroupCommit } from '../../platform/db/group-commit.js'
import { isUniqueViolation } from '../../platform/db/unique-violation.js'
import { type Layout, layoutText, parseLayout } from './frame-layout.js'
import * as repo from './frames.repository.js'
import { addToRecordings } from './recordings.js'
import type { Clock } from '../../platform/time/clock.js'

export interface Stream {
  readonly id: string
  readonly userId: string
  readonly deviceId: string
  readonly kind: string
  readonly layout: Layout
}

export interface FrameWrite {
  readonly stream: Stream
  readonly frames: readonly { readonly ts: number; readonly data: Buffer }[]
}

export interface FrameStore {
  /** The stream of a device and kind, made with `layout` on its first frame (a lost race reads the winner's). */
  streamFor(owner: { userId: string; deviceId: string }, kind: string, layout: Layout): Promise<Stream>
  /** Resolves after the commit: per frame, whether it had been stored before. */
  write(request: FrameWrite): Promise<boolean[]>
  drain(): Promise<void>
}

const STREAM_CACHE_SIZE = 10_000
/** Frames per transaction at most, and callers answered per wave (see group-commit.ts). */
const MAX_FLUSH_FRAMES = 20_000
const MAX_FLUSH_REQUESTS = 20

export const toStream = (row: repo.StreamRow): Stream => ({
  id: row.id,
  userId: row.user_id,
  deviceId: row.device_id,
  kind: row.kind,
  layout: parseLayout(row.layout),
})

export function createFrameStore(options: { db: Db; kind: DatabaseKind; now: Clock }): FrameStore {
  const { db, kind } = options
  const streams = new Map<string, Stream>()
  const writer = createGroupCommit<FrameWrite, boolean[]>({
    maxItems: MAX_FLUSH_FRAMES,
    maxRequests: MAX_FLUSH_REQUESTS,
    sizeOf: (request) => request.frames.length,
    commit: (requests) =>
      db.transaction().execute(async (trx) => {
        const outcomes: boolean[][] = []
        for (const request of requests) {
          const inserted = new Set(await repo.insertFrames(trx, kind, request.stream.id, request.frames))
          // A timestamp sent twice in one flush is inserted by the first request; the later one is "already stored".
          outcomes.push(request.frames.map((frame) => !inserted.delete(frame.ts)))
        }
        // Frames that arrive while a recording runs join its dataset in the same commit.
        await addToRecordings(trx, requests, outcomes, options.now())
        return outcomes
      }),
  })

  async function loadOrCreate(
    owner: { userId: string; deviceId: string },
    streamKind: string,
    layout: Layout,
  ): Promise<Stream> {
    const existing = await repo.findStream(db, owner.deviceId, streamKind)
    if (existing !== undefined) return toStream(existing)
    const row: repo.StreamRow = {
      id: randomUUID(),
      user_id: owner.userId,
      device_id: owner.deviceId,
      kind: streamKind,
      layout: layoutText(layout),
      created_at: options.now(),
    }
    try {
      await repo.insertStream(db, row)
      return toStream(row)
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
      const winner = await repo.findStream(db, owner.deviceId, streamKind)
      if (winner === undefined) throw error
      return toStream(winner)
    }
  }

  return {
    async streamFor(owner, streamKind, layout) {
      const key = `${owner.deviceId}\u0000${streamKind}`
      const cached = streams.get(key)
      if (cached !== undefined) return cached
      const stream = await loadOrCreate(owner, streamKind, layout)
      if (streams.size >= STREAM_CACHE_SIZE) streams.delete(streams.keys().next().value as string)
      streams.set(key, stream)
      return stream
    },
    write: (request) => writer.write(request),
    drain: () => writer.drain(),
  }
}
