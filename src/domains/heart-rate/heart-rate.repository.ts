import { CompiledQuery, type Kysely, sql, type Transaction } from 'kysely'
import type { Database, HeartRateSamplesTable } from '../../platform/db/schema.js'
import type { DatabaseKind } from '../../platform/db/database.js'
import { insertSkippingSql } from '../../platform/db/insert-skipping.js'
import type { AlertRow } from './alert-episodes.js'

type Db = Kysely<Database> | Transaction<Database>
export type SampleRow = HeartRateSamplesTable

// Rows per INSERT statement: 6 parameters each stays well below every engine's parameter limit.
const INSERT_CHUNK = 1000

/** A read's window: `from` and `to` in epoch milliseconds, optionally one device only. */
export interface TimeRange {
  readonly from: number
  readonly to: number
  readonly deviceId?: string
}

const SAMPLE_COLUMNS = ['user_id', 'device_id', 'ts', 'bpm', 'rr_intervals', 'alert'] as const

/** Rows in order, cut where the (user, device) changes and at the chunk size. */
function* chunksByStream(rows: readonly SampleRow[]): Generator<SampleRow[]> {
  let chunk: SampleRow[] = []
  for (const row of rows) {
    const first = chunk[0]
    if (first !== undefined && (chunk.length === INSERT_CHUNK || first.user_id !== row.user_id || first.device_id !== row.device_id)) {
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

/** Inserts samples; a row whose key is already stored is skipped, never duplicated. Returns what was inserted. */
export async function insertSamples(db: Db, kind: DatabaseKind, rows: readonly SampleRow[]): Promise<InsertedSamples[]> {
  const inserted: InsertedSamples[] = []
  for (const chunk of chunksByStream(rows)) {
    const parameters: unknown[] = []
    for (const row of chunk) parameters.push(row.user_id, row.device_id, row.ts, row.bpm, row.rr_intervals, row.alert)
    const result = await db.executeQuery<{ ts: number }>(CompiledQuery.raw(insertSkippingSql(kind, 'heart_rate_samples', SAMPLE_COLUMNS, chunk.length, 'ts'), parameters))
    const { user_id: userId, device_id: deviceId } = chunk[0] as SampleRow
    inserted.push({ userId, deviceId, timestamps: result.rows.map((row) => Number(row.ts)) })
  }
  return inserted
}

function inRange(db: Db, userId: string, range: TimeRange) {
  let query = db.selectFrom('heart_rate_samples').where('user_id', '=', userId).where('ts', '>=', range.from).where('ts', '<', range.to)
  if (range.deviceId !== undefined) query = query.where('device_id', '=', range.deviceId)
  return query
}

export interface PageAfter {
  readonly ts: number
  readonly deviceId: string
}

export async function listSamples(db: Db, userId: string, range: TimeRange, limit: number, after?: PageAfter): Promise<SampleRow[]> {
  let query = inRange(db, userId, range).selectAll()
  if (after !== undefined) {
    query = query.where((eb) => eb.or([eb('ts', '>', after.ts), eb.and([eb('ts', '=', after.ts), eb('device_id', '>', after.deviceId)])]))
  }
  return query.orderBy('ts').orderBy('device_id').limit(limit).execute()
}

/** Time, bpm and RR intervals in a range, oldest first, at most `limit` rows. */
export async function analysisSamples(db: Db, userId: string, range: TimeRange, limit: number) {
  return inRange(db, userId, range).select(['ts', 'bpm', 'rr_intervals']).orderBy('ts').limit(limit).execute()
}

export interface BucketRow {
  /** Epoch ms. */
  readonly start: number
  readonly count: number
  /** Sum of bpm (the mean is sum / count, so buckets can be merged). */
  readonly sum: number
  readonly min: number
  readonly max: number
}

/**
 * count/sum/min/max per bucket of `bucketMs` whose starts are whole multiples in the time zone of
 * the fixed `offsetMs`: `ts - (ts + offset) % size` is the one expression all three engines share
 * (every ts is positive, as is ts + offset for any real offset).
 */
export async function series(db: Db, userId: string, range: TimeRange, bucketMs: number, offsetMs: number): Promise<BucketRow[]> {
  const start = sql<number>`ts - ((ts + ${sql.lit(offsetMs)}) % ${sql.lit(bucketMs)})`
  const rows = await inRange(db, userId, range)
    .select([
      start.as('start'),
      (eb) => eb.fn.countAll<number>().as('count'),
      (eb) => eb.fn.sum<number>('bpm').as('sum'),
      (eb) => eb.fn.min<number>('bpm').as('min'),
      (eb) => eb.fn.max<number>('bpm').as('max'),
    ])
    .groupBy(start)
    .orderBy(start)
    .execute()
  return rows.map((r) => ({ start: Number(r.start), count: Number(r.count), sum: Number(r.sum), min: Number(r.min), max: Number(r.max) }))
}

/** The user's `count` latest samples, oldest first. */
export async function recentSamples(db: Db, userId: string, count: number): Promise<SampleRow[]> {
  const rows = await db.selectFrom('heart_rate_samples').selectAll().where('user_id', '=', userId).orderBy('ts', 'desc').orderBy('device_id', 'desc').limit(count).execute()
  return rows.reverse()
}

export async function deleteSamplesBefore(db: Db, cutoffMs: number): Promise<number> {
  const result = await db.deleteFrom('heart_rate_samples').where('ts', '<', cutoffMs).executeTakeFirst()
  return Number(result.numDeletedRows)
}

export async function findOpenAlert(db: Db, userId: string): Promise<AlertRow | undefined> {
  return db.selectFrom('heart_rate_alerts').selectAll().where('user_id', '=', userId).where('closed_at', 'is', null).orderBy('opened_at', 'desc').executeTakeFirst()
}

export async function insertAlerts(db: Db, rows: readonly AlertRow[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('heart_rate_alerts').values([...rows]).execute()
}

export async function updateAlert(db: Db, row: AlertRow): Promise<void> {
  const { id, user_id: userId, ...changes } = row
  await db.updateTable('heart_rate_alerts').set(changes).where('id', '=', id).where('user_id', '=', userId).execute()
}

export async function findAlert(db: Db, userId: string, id: string): Promise<AlertRow | undefined> {
  return db.selectFrom('heart_rate_alerts').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst()
}

export async function listAlerts(db: Db, userId: string, state: 'open' | 'closed' | 'all', limit: number, before?: number): Promise<AlertRow[]> {
  let query = db.selectFrom('heart_rate_alerts').selectAll().where('user_id', '=', userId)
  if (state === 'open') query = query.where('closed_at', 'is', null)
  if (state === 'closed') query = query.where('closed_at', 'is not', null)
  if (before !== undefined) query = query.where('opened_at', '<', before)
  return query.orderBy('opened_at', 'desc').limit(limit).execute()
}

/** Sets `acknowledged_at` unless it is set; true when this call set it. */
export async function acknowledgeAlert(db: Db, userId: string, id: string, atMs: number): Promise<boolean> {
  const result = await db.updateTable('heart_rate_alerts').set({ acknowledged_at: atMs, updated_at: atMs }).where('user_id', '=', userId).where('id', '=', id).where('acknowledged_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function findAlerts(db: Db, userId: string, ids: readonly string[]): Promise<AlertRow[]> {
  if (ids.length === 0) return []
  return db.selectFrom('heart_rate_alerts').selectAll().where('user_id', '=', userId).where('id', 'in', [...ids]).execute()
}

/**
 * The latest sample time the user's alert episodes have seen (null: none yet), after taking the
 * write lock on the user's episode state row until commit. One upsert creates the row (with what
 * is stored so far: the samples from before the table existed have been through the episodes) or
 * moves its version on; taking the write lock at once avoids the share-lock upgrade deadlock of
 * concurrent first writers on MariaDB. The upsert's spelling is the one dialect difference.
 */
export async function lockEpisodeState(db: Db, kind: DatabaseKind, userId: string): Promise<number | null> {
  const insert = db.insertInto('heart_rate_episode_state').values((eb) => ({
    user_id: userId,
    last_ts: eb.selectFrom('heart_rate_samples').select((s) => s.fn.max('ts').as('ts')).where('user_id', '=', userId),
    version: 1,
  }))
  if (kind === 'mysql') await insert.onDuplicateKeyUpdate({ version: sql`version + 1` }).execute()
  else await insert.onConflict((oc) => oc.column('user_id').doUpdateSet({ version: sql`heart_rate_episode_state.version + 1` })).execute()
  const state = await db.selectFrom('heart_rate_episode_state').select('last_ts').where('user_id', '=', userId).executeTakeFirstOrThrow()
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

/** The user's episodes that opened at or after `from`, oldest first. */
export async function episodesFrom(db: Db, userId: string, from: number): Promise<AlertRow[]> {
  return db.selectFrom('heart_rate_alerts').selectAll().where('user_id', '=', userId).where('opened_at', '>=', from).orderBy('opened_at').orderBy('id').execute()
}

export interface EpisodeSampleRow {
  readonly ts: number
  readonly device_id: string
  readonly bpm: number
  readonly alert: 'LOW' | 'HIGH' | null
}

/** A page of the user's samples in episode order (time, then device), from `from` or after `after`. */
export async function episodeSamplesPage(db: Db, userId: string, from: number, after: PageAfter | undefined, limit: number): Promise<EpisodeSampleRow[]> {
  let query = db.selectFrom('heart_rate_samples').select(['ts', 'device_id', 'bpm', 'alert']).where('user_id', '=', userId).where('ts', '>=', from)
  if (after !== undefined) {
    query = query.where((eb) => eb.or([eb('ts', '>', after.ts), eb.and([eb('ts', '=', after.ts), eb('device_id', '>', after.deviceId)])]))
  }
  const rows = await query.orderBy('ts').orderBy('device_id').limit(limit).execute()
  return rows.map((r) => ({ ...r, ts: Number(r.ts) }))
}

export async function deleteAlerts(db: Db, userId: string, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await db.deleteFrom('heart_rate_alerts').where('user_id', '=', userId).where('id', 'in', [...ids]).execute()
}
