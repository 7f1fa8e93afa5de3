import { CompiledQuery, type Kysely, sql, type Transaction } from 'kysely'
import type { Database } from '../../platform/db/schema.js'
import { type DatabaseKind, readDatabaseKind } from '../../platform/db/database.js'
import { insertSkippingSql } from '../../platform/db/insert-skipping.js'
import { incrementOnConflict } from '../../platform/db/upsert.js'
import type { AlertRow } from './alert-episodes.js'
import { addToRollups, type BucketRow, deleteRollupsBefore, rebuildRollups } from './rollups.repository.js'
import { type Stream, streamIdFor, selectStreamIds, findStreams } from './sample-streams.js'

type Db = Kysely<Database> | Transaction<Database>

/** A sample as the reads and writes see it: the stream key resolved to its user and device. */
export interface SampleRow {
  readonly user_id: string
  /** '' when a person uploaded the sample without a device key. */
  readonly device_id: string
  readonly ts: number
  readonly bpm: number
  /** JSON array of milliseconds, or null. */
  readonly rr_intervals: string | null
  readonly alert: 'LOW' | 'HIGH' | null
}

/** Devices are '' in storage for a person's own upload, and null on the wire. */
export const deviceOrNull = (deviceId: string): string | null => (deviceId === '' ? null : deviceId)
/** The stored RR intervals (a JSON array of ms, or null) as numbers. */
export const parseRr = (text: string | null): number[] | null => (text === null ? null : (JSON.parse(text) as number[]))

// Rows per INSERT statement: 5 parameters each stays well below every engine's parameter limit.
const INSERT_CHUNK = 1000

/** A read's window: `from` and `to` in epoch milliseconds, optionally one device only. */
export interface TimeRange {
  readonly from: number
  readonly to: number
  readonly deviceId?: string
}

const SAMPLE_COLUMNS = ['stream_id', 'ts', 'bpm', 'rr_intervals', 'alert'] as const

/** Rows in order, cut where the (user, device) changes and at the chunk size. */
function* chunksByStream(rows: readonly SampleRow[]): Generator<SampleRow[]> {
  let chunk: SampleRow[] = []
  for (const row of rows) {
    const first = chunk[0]
    if (
      first !== undefined &&
      (chunk.length === INSERT_CHUNK || first.user_id !== row.user_id || first.device_id !== row.device_id)
    ) {
      yield chunk
      chunk = []
    }
    chunk.push(row)
  }
  if (chunk.length > 0) yield chunk
}

export interface InsertedSamples {
  readonly userId: string
  readonly deviceId: string
  readonly timestamps: readonly number[]
}

/**
 * Inserts samples and adds them to the rollups, in the caller's transaction (on SQLite it must
 * hold the write lock already: `writeSamples` takes the episode lock first); a row whose key is
 * already stored is skipped, never duplicated (nor counted twice). Returns what was inserted,
 * one entry per run of rows of one (user, device). The rollups take each run's rows at once.
 */
export async function insertSamples(
  db: Db,
  kind: DatabaseKind,
  rows: readonly SampleRow[],
): Promise<InsertedSamples[]> {
  const inserted: InsertedSamples[] = []
  const streamIds = new Map<string, number>()
  let run: { streamId: number; userId: string; deviceId: string; added: { ts: number; bpm: number }[] } | undefined
  const endRun = async () => {
    if (run === undefined) return
    await addToRollups(db, kind, run.streamId, run.added)
    inserted.push({ userId: run.userId, deviceId: run.deviceId, timestamps: run.added.map((row) => row.ts) })
  }
  for (const chunk of chunksByStream(rows)) {
    const { user_id: userId, device_id: deviceId } = chunk[0] as SampleRow
    const key = `${userId}/${deviceId}`
    const streamId = streamIds.get(key) ?? (await streamIdFor(db, kind, userId, deviceId))
    streamIds.set(key, streamId)
    if (run?.streamId !== streamId) {
      await endRun()
      run = { streamId, userId, deviceId, added: [] }
    }
    for (const row of await insertChunk(db, kind, streamId, chunk)) run.added.push(row)
  }
  await endRun()
  return inserted
}

/**
 * One statement's rows of one stream; answers the rows inserted (ts epoch ms, bpm). On SQLite the
 * transaction is the only writer, so when no stored sample of the stream lies within the chunk's
 * time span (an in-order load, a live stream) every row goes in and the insert runs without
 * RETURNING; otherwise, and on PostgreSQL and MariaDB (concurrent writers), RETURNING says.
 */
async function insertChunk(
  db: Db,
  kind: DatabaseKind,
  streamId: number,
  chunk: readonly SampleRow[],
): Promise<readonly { ts: number; bpm: number }[]> {
  const parameters: unknown[] = new Array(chunk.length * SAMPLE_COLUMNS.length)
  let [at, first, last] = [0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]
  for (const row of chunk) {
    parameters[at++] = streamId
    parameters[at++] = row.ts
    parameters[at++] = row.bpm
    parameters[at++] = row.rr_intervals
    parameters[at++] = row.alert
    if (row.ts < first) first = row.ts
    if (row.ts > last) last = row.ts
  }
  if (kind === 'sqlite' && !(await hasSamplesBetween(db, streamId, first, last))) {
    const text = insertSkippingSql(kind, 'heart_rate_samples', SAMPLE_COLUMNS, chunk.length, null)
    const result = await db.executeQuery(CompiledQuery.raw(text, parameters))
    // Only a chunk with one time twice could skip a row here; the writer never sends one.
    if (Number(result.numAffectedRows) !== chunk.length)
      throw new Error(
        `heart-rate insert skipped ${chunk.length - Number(result.numAffectedRows)} rows it was told were new`,
      )
    return chunk
  }
  const text = insertSkippingSql(kind, 'heart_rate_samples', SAMPLE_COLUMNS, chunk.length, 'ts, bpm')
  const result = await db.executeQuery<{ ts: number; bpm: number }>(CompiledQuery.raw(text, parameters))
  return result.rows.map((row) => ({ ts: Number(row.ts), bpm: Number(row.bpm) }))
}

const HAS_SAMPLES_BETWEEN =
  'select 1 as found from heart_rate_samples where stream_id = ? and ts >= ? and ts <= ? limit 1'

/** Whether the stream has a sample stored at any time in [from, to] (epoch ms): one seek on its key. */
async function hasSamplesBetween(db: Db, streamId: number, from: number, to: number): Promise<boolean> {
  const result = await db.executeQuery(CompiledQuery.raw(HAS_SAMPLES_BETWEEN, [streamId, from, to]))
  return result.rows.length > 0
}

/** Deletes one stream's samples at the given times and rebuilds the rollups over them. */
export async function deleteSamplesAt(
  db: Db,
  userId: string,
  deviceId: string,
  timestamps: readonly number[],
): Promise<void> {
  const [stream] = await findStreams(db, userId, deviceId)
  if (stream === undefined || timestamps.length === 0) return
  for (let i = 0; i < timestamps.length; i += 500) {
    await db
      .deleteFrom('heart_rate_samples')
      .where('stream_id', '=', stream.id)
      .where('ts', 'in', timestamps.slice(i, i + 500))
      .execute()
  }
  await rebuildRollups(db, stream.id, Math.min(...timestamps), Math.max(...timestamps) + 1)
}

export interface PageAfter {
  readonly ts: number
  readonly deviceId: string
}

/** A stored sample's own columns (its stream is the caller's). */
export type StoredColumns = Omit<SampleRow, 'user_id' | 'device_id'>

/**
 * One stream's page in time order, after `after` in (ts, device) order. The statement has one
 * lower bound on ts, the tighter of `range.from` and `after`: given both, SQLite seeks the primary
 * key to the first one written and scans from there, so each page of a long read cost more than
 * the one before (a day read in pages was quadratic).
 */
export async function listStreamPage(
  db: Db,
  stream: Stream,
  range: TimeRange,
  limit: number,
  after: PageAfter | undefined,
  order: 'asc' | 'desc' = 'asc',
): Promise<StoredColumns[]> {
  const lower =
    after === undefined || after.ts < range.from
      ? ({ op: '>=', ts: range.from } as const)
      : ({ op: stream.deviceId > after.deviceId ? '>=' : '>', ts: after.ts } as const)
  return db
    .selectFrom('heart_rate_samples')
    .select(['ts', 'bpm', 'rr_intervals', 'alert'])
    .where('stream_id', '=', stream.id)
    .where('ts', lower.op, lower.ts)
    .where('ts', '<', range.to)
    .orderBy('ts', order)
    .limit(limit)
    .execute()
}

function toSampleRows(rows: readonly StoredColumns[], userId: string, deviceId: string): SampleRow[] {
  const out: SampleRow[] = new Array(rows.length)
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as StoredColumns
    out[i] = {
      ts: Number(row.ts),
      bpm: row.bpm,
      rr_intervals: row.rr_intervals,
      alert: row.alert,
      user_id: userId,
      device_id: deviceId,
    }
  }
  return out
}

const byTimeThenDevice = (a: SampleRow, b: SampleRow) =>
  a.ts - b.ts || (a.device_id < b.device_id ? -1 : a.device_id > b.device_id ? 1 : 0)

/**
 * A page of the user's samples in (time, device) order, after `after` when given: each stream's
 * range read on its own key (no sort over the range), the pages merged here.
 */
export async function listSamples(
  db: Db,
  userId: string,
  range: TimeRange,
  limit: number,
  after?: PageAfter,
): Promise<SampleRow[]> {
  return listStreamSamples(db, userId, await findStreams(db, userId, range.deviceId), range, limit, after)
}

/** `listSamples` over streams the caller looked up once (`findStreams`), for reads of many pages. */
export async function listStreamSamples(
  db: Db,
  userId: string,
  streams: readonly Stream[],
  range: TimeRange,
  limit: number,
  after?: PageAfter,
): Promise<SampleRow[]> {
  const pages = await Promise.all(
    streams.map(async (stream) =>
      toSampleRows(await listStreamPage(db, stream, range, limit, after, 'asc'), userId, stream.deviceId),
    ),
  )
  // One stream's page is in order already: only pages of several streams are merged.
  return pages.length === 1 ? (pages[0] as SampleRow[]) : pages.flat().sort(byTimeThenDevice).slice(0, limit)
}

/** Where one stream stands in a merge: its buffered rows, the next to take, the next read's size. */
interface StreamCursor {
  readonly stream: Stream
  rows: SampleRow[]
  at: number
  size: number
  isDone: boolean
}

/**
 * The user's samples of a range in (time, device) order, `pageSize` at a time: memory holds one
 * page per stream whatever the range. The streams are looked up once, and each is read on its own
 * key only when the merge has taken its buffered rows: the first read of a stream takes its share
 * of a page (at least 64 rows), each later one twice the one before, up to `pageSize`. So a reader
 * that stops early (an alert replay after an out-of-order batch) reads about what it takes, not a
 * page of every stream for every page it takes.
 */
export async function* readSamplePages(
  db: Db,
  userId: string,
  range: TimeRange,
  pageSize: number,
  from?: PageAfter,
): AsyncGenerator<SampleRow[]> {
  const streams = await findStreams(db, userId, range.deviceId)
  const firstSize = Math.min(pageSize, Math.max(64, Math.ceil(pageSize / Math.max(1, streams.length))))
  const cursors: StreamCursor[] = streams.map((stream) => ({ stream, rows: [], at: 0, size: firstSize, isDone: false }))
  const refill = async (cursor: StreamCursor): Promise<void> => {
    const last = cursor.rows[cursor.rows.length - 1]
    const after = last === undefined ? from : { ts: last.ts, deviceId: last.device_id }
    const stored = await listStreamPage(db, cursor.stream, range, cursor.size, after, 'asc')
    cursor.rows = toSampleRows(stored, userId, cursor.stream.deviceId)
    cursor.isDone = stored.length < cursor.size
    cursor.at = 0
    cursor.size = Math.min(pageSize, cursor.size * 2)
  }
  await Promise.all(cursors.map(refill))
  for (;;) {
    const page: SampleRow[] = []
    while (page.length < pageSize) {
      // The stream whose next row comes first (a user has few devices: a scan, not a heap).
      let next: StreamCursor | undefined
      for (const cursor of cursors) {
        if (cursor.at === cursor.rows.length) continue
        if (next === undefined || byTimeThenDevice(cursor.rows[cursor.at]!, next.rows[next.at]!) < 0) next = cursor
      }
      if (next === undefined) break
      page.push(next.rows[next.at++]!)
      if (next.at === next.rows.length && !next.isDone) await refill(next)
    }
    if (page.length === 0) return
    yield page
    if (page.length < pageSize) return
  }
}

/** count/sum/min/max per bucket: see `readSampleBuckets`. */
export type { BucketRow }

/**
 * count/sum/min/max per bucket of `bucketMs` from the samples themselves, whose starts are whole
 * multiples in the time zone of the fixed `offsetMs`: `ts - (ts + offset) % size` is the one
 * expression all three engines share (every ts is positive, as is ts + offset for any real offset).
 */
export async function readSampleBuckets(
  db: Db,
  userId: string,
  range: TimeRange,
  bucketMs: number,
  offsetMs: number,
): Promise<BucketRow[]> {
  if (range.from >= range.to) return []
  const start = sql<number>`ts - ((ts + ${sql.lit(offsetMs)}) % ${sql.lit(bucketMs)})`
  const streamIds =
    range.deviceId === undefined
      ? selectStreamIds(db, userId)
      : selectStreamIds(db, userId).where('device_id', '=', range.deviceId)
  const rows = await db
    .selectFrom('heart_rate_samples')
    .select([
      start.as('start'),
      (eb) => eb.fn.countAll<number>().as('count'),
      (eb) => eb.fn.sum<number>('bpm').as('sum'),
      (eb) => eb.fn.min<number>('bpm').as('min'),
      (eb) => eb.fn.max<number>('bpm').as('max'),
    ])
    .where('stream_id', 'in', streamIds)
    .where('ts', '>=', range.from)
    .where('ts', '<', range.to)
    .groupBy(start)
    .orderBy(start)
    .execute()
  return rows.map((r) => ({
    start: Number(r.start),
    count: Number(r.count),
    sum: Number(r.sum),
    min: Number(r.min),
    max: Number(r.max),
  }))
}

/** The user's `count` latest samples, oldest first. */
export async function readRecentSamples(db: Db, userId: string, count: number): Promise<SampleRow[]> {
  const streams = await findStreams(db, userId)
  const all = { from: 0, to: Number.MAX_SAFE_INTEGER }
  const pages = await Promise.all(
    streams.map(async (stream) =>
      (await listStreamPage(db, stream, all, count, undefined, 'desc')).map((row) => ({
        ...row,
        ts: Number(row.ts),
        user_id: userId,
        device_id: stream.deviceId,
      })),
    ),
  )
  return pages.flat().sort(byTimeThenDevice).slice(-count)
}

/**
 * Retention: deletes every sample before `cutoffMs`, stream by stream (one transaction each), with
 * the rollups of the buckets gone. Each transaction first takes the stream's user's episode-state
 * lock, the lock (and so the order) ingest takes before it inserts: a concurrent ingest of that
 * user waits for the purge to commit, or the purge for the ingest, so no rollup bucket is counted
 * or recounted from samples another transaction has not committed yet (PostgreSQL and MariaDB run
 * them side by side; SQLite has one writer anyway).
 */
export async function deleteSamplesBefore(db: Kysely<Database>, cutoffMs: number): Promise<number> {
  const kind = readDatabaseKind(db)
  const streams = await db.selectFrom('heart_rate_streams').select(['id', 'user_id']).orderBy('id').execute()
  let deleted = 0
  for (const { id, user_id: userId } of streams) {
    deleted += await db.transaction().execute(async (trx) => {
      await lockEpisodeState(trx, kind, userId)
      const result = await trx
        .deleteFrom('heart_rate_samples')
        .where('stream_id', '=', Number(id))
        .where('ts', '<', cutoffMs)
        .executeTakeFirst()
      const count = Number(result.numDeletedRows)
      if (count > 0) {
        await deleteRollupsBefore(trx, Number(id), cutoffMs)
        await rebuildRollups(trx, Number(id), cutoffMs, cutoffMs + 1)
      }
      return count
    })
  }
  return deleted
}

export async function findOpenAlert(db: Db, userId: string): Promise<AlertRow | undefined> {
  return db
    .selectFrom('heart_rate_alerts')
    .selectAll()
    .where('user_id', '=', userId)
    .where('closed_at', 'is', null)
    .orderBy('opened_at', 'desc')
    .executeTakeFirst()
}

export async function insertAlerts(db: Db, rows: readonly AlertRow[]): Promise<void> {
  if (rows.length > 0)
    await db
      .insertInto('heart_rate_alerts')
      .values([...rows])
      .execute()
}

export async function updateAlert(db: Db, row: AlertRow): Promise<void> {
  const { id, user_id: userId, ...changes } = row
  await db.updateTable('heart_rate_alerts').set(changes).where('id', '=', id).where('user_id', '=', userId).execute()
}

export async function findAlert(db: Db, userId: string, id: string): Promise<AlertRow | undefined> {
  return db
    .selectFrom('heart_rate_alerts')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function listAlerts(
  db: Db,
  userId: string,
  state: 'open' | 'closed' | 'all',
  limit: number,
  before?: number,
): Promise<AlertRow[]> {
  let query = db.selectFrom('heart_rate_alerts').selectAll().where('user_id', '=', userId)
  if (state === 'open') query = query.where('closed_at', 'is', null)
  if (state === 'closed') query = query.where('closed_at', 'is not', null)
  if (before !== undefined) query = query.where('opened_at', '<', before)
  return query.orderBy('opened_at', 'desc').limit(limit).execute()
}

/** Sets `acknowledged_at` unless it is set; true when this call set it. */
export async function acknowledgeAlert(db: Db, userId: string, id: string, atMs: number): Promise<boolean> {
  const result = await db
    .updateTable('heart_rate_alerts')
    .set({ acknowledged_at: atMs, updated_at: atMs })
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function findAlerts(db: Db, userId: string, ids: readonly string[]): Promise<AlertRow[]> {
  if (ids.length === 0) return []
  return db
    .selectFrom('heart_rate_alerts')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', 'in', [...ids])
    .execute()
}

/**
 * The latest sample time the user's alert episodes have seen (null: none yet), after taking the
 * write lock on the user's episode state row until commit. One upsert creates the row (with what
 * is stored so far: the samples from before the table existed have been through the episodes) or
 * moves its version on; taking the write lock at once avoids the share-lock upgrade deadlock of
 * concurrent first writers on MariaDB. The upsert's spelling is platform/db/upsert.ts's.
 */
export async function lockEpisodeState(db: Db, kind: DatabaseKind, userId: string): Promise<number | null> {
  const insert = db.insertInto('heart_rate_episode_state').values((eb) => ({
    user_id: userId,
    last_ts: eb
      .selectFrom('heart_rate_samples')
      .select((s) => s.fn.max('ts').as('ts'))
      .where('stream_id', 'in', selectStreamIds(db, userId)),
    version: 1,
  }))
  await incrementOnConflict(insert, kind, 'heart_rate_episode_state', 'user_id', 'version').execute()
  const state = await db
    .selectFrom('heart_rate_episode_state')
    .select('last_ts')
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow()
  return state.last_ts === null ? null : Number(state.last_ts)
}

export async function setEpisodeLastTs(db: Db, userId: string, lastTs: number): Promise<void> {
  await db.updateTable('heart_rate_episode_state').set({ last_ts: lastTs }).where('user_id', '=', userId).execute()
}

/** The earliest episode that began before `at` and was still open (or closed no earlier than) at `at`. */
export async function findEpisodeSpanning(db: Db, userId: string, at: number): Promise<AlertRow | undefined> {
  return db
    .selectFrom('heart_rate_alerts')
    .selectAll()
    .where('user_id', '=', userId)
    .where('opened_at', '<', at)
    .where((eb) => eb.or([eb('closed_at', 'is', null), eb('closed_at', '>=', at)]))
    .orderBy('opened_at')
    .limit(1)
    .executeTakeFirst()
}

/** Whether any of the user's episodes was open at some time in [from, to] (epoch ms, both ends counted). */
export async function hasEpisodeOverlapping(db: Db, userId: string, from: number, to: number): Promise<boolean> {
  const row = await db
    .selectFrom('heart_rate_alerts')
    .select('id')
    .where('user_id', '=', userId)
    .where('opened_at', '<=', to)
    .where((eb) => eb.or([eb('closed_at', 'is', null), eb('closed_at', '>=', from)]))
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/** The user's episodes that opened at or after `from`, oldest first. */
export async function episodesFrom(db: Db, userId: string, from: number): Promise<AlertRow[]> {
  return db
    .selectFrom('heart_rate_alerts')
    .selectAll()
    .where('user_id', '=', userId)
    .where('opened_at', '>=', from)
    .orderBy('opened_at')
    .orderBy('id')
    .execute()
}

export async function deleteAlerts(db: Db, userId: string, ids: readonly string[]): Promise<void> {
  if (ids.length > 0)
    await db
      .deleteFrom('heart_rate_alerts')
      .where('user_id', '=', userId)
      .where('id', 'in', [...ids])
      .execute()
}
