import { CompiledQuery } from 'kysely'
import type { Db, DatabaseKind } from '../../platform/db/database.js'
import { insertSkippingSql } from '../../platform/db/insert-skipping.js'
import type { SensorFramesTable, SensorStreamsTable } from '../../platform/db/schema.js'

export type StreamRow = SensorStreamsTable
export type FrameRow = SensorFramesTable

// Rows per INSERT: 3 parameters each stays far below every engine's parameter limit.
const INSERT_CHUNK = 1000
const FRAME_COLUMNS = ['stream_id', 'ts', 'data'] as const

/** Inserts frames of one stream; a timestamp already stored is skipped, never duplicated. Resolves to the timestamps inserted. */
export async function insertFrames(
  db: Db,
  kind: DatabaseKind,
  streamId: string,
  frames: readonly { ts: number; data: Buffer }[],
): Promise<number[]> {
  const inserted: number[] = []
  for (let start = 0; start < frames.length; start += INSERT_CHUNK) {
    const chunk = frames.slice(start, start + INSERT_CHUNK)
    const parameters: unknown[] = []
    for (const frame of chunk) parameters.push(streamId, frame.ts, frame.data)
    const result = await db.executeQuery<{ ts: number }>(
      CompiledQuery.raw(insertSkippingSql(kind, 'sensor_frames', FRAME_COLUMNS, chunk.length, 'ts'), parameters),
    )
    for (const row of result.rows) inserted.push(Number(row.ts))
  }
  return inserted
}

export function findStream(db: Db, deviceId: string, kind: string): Promise<StreamRow | undefined> {
  return db
    .selectFrom('sensor_streams')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('kind', '=', kind)
    .executeTakeFirst()
}

export async function insertStream(db: Db, row: StreamRow): Promise<void> {
  await db.insertInto('sensor_streams').values(row).execute()
}

/** A user's stream of a device and kind; undefined when it is not theirs or does not exist. */
export function findUserStream(db: Db, userId: string, deviceId: string, kind: string): Promise<StreamRow | undefined> {
  return db
    .selectFrom('sensor_streams')
    .selectAll()
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .where('kind', '=', kind)
    .executeTakeFirst()
}

export function listStreams(db: Db, userId: string): Promise<StreamRow[]> {
  return db
    .selectFrom('sensor_streams')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

/** Frames of a stream with from <= ts < to and ts > after, oldest first. */
export function listFrames(
  db: Db,
  streamId: string,
  range: { from: number; to: number },
  limit: number,
  after?: number,
): Promise<FrameRow[]> {
  let query = db
    .selectFrom('sensor_frames')
    .selectAll()
    .where('stream_id', '=', streamId)
    .where('ts', '>=', range.from)
    .where('ts', '<', range.to)
  if (after !== undefined) query = query.where('ts', '>', after)
  return query.orderBy('ts').limit(limit).execute()
}

/** The retention policy's delete, stream by stream so each uses the (stream_id, ts) key. */
export async function deleteFramesBefore(db: Db, cutoffMs: number): Promise<number> {
  const streams = await db.selectFrom('sensor_streams').select('id').execute()
  let deleted = 0
  for (const { id } of streams) {
    const result = await db
      .deleteFrom('sensor_frames')
      .where('stream_id', '=', id)
      .where('ts', '<', cutoffMs)
      .executeTakeFirst()
    deleted += Number(result.numDeletedRows)
  }
  return deleted
}
