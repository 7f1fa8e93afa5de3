// Rollups (migration 0018): per stream, count/sum/min/max of bpm per 1-minute and 1-hour bucket.
// They change only in the transaction that changes the samples: an insert adds exactly the rows
// it inserted (a retried or repeated sample adds nothing, as it is not inserted), and a delete
// rebuilds the buckets it touched from the samples left.
import { CompiledQuery, type Kysely, sql, type Transaction } from 'kysely'
import type { DatabaseKind } from '../../platform/db/database.js'
import type { Database } from '../../platform/db/schema.js'
import { upsertSql, type UpsertShape } from '../../platform/db/upsert.js'
import { addToZoneRollups, deleteZoneRollupsBefore, rebuildZoneRollups } from './zone-rollups.repository.js'

type Db = Kysely<Database> | Transaction<Database>

/** Rollup bucket sizes in ms, finest first. */
export const ROLLUP_SIZES = [60_000, 3_600_000] as const

export interface BucketRow {
  /** Epoch ms. */
  readonly start: number
  readonly count: number
  /** Sum of bpm (the mean is sum / count, so buckets can be merged). */
  readonly sum: number
  readonly min: number
  readonly max: number
}

const COLUMNS = 'stream_id, bucket_ms, bucket_start, sample_count, bpm_sum, bpm_min, bpm_max'
/** A bucket that exists takes the new samples in: counts and sums add up, min and max keep the extreme. */
const ROLLUP_UPSERT: UpsertShape = { table: 'heart_rate_rollups', columns: COLUMNS.split(', '), keys: 3, update: 'add' }
const EXTREMES = { bpm_min: 'min', bpm_max: 'max' } as const

/** Adds samples just inserted into one stream (ts epoch ms, bpm) to its rollups of every size, and to its zone rollups. */
export async function addToRollups(
  db: Db,
  kind: DatabaseKind,
  streamId: number,
  samples: readonly { ts: number; bpm: number }[],
): Promise<void> {
  if (samples.length === 0) return
  const parameters: unknown[] = []
  let rows = 0
  for (const size of ROLLUP_SIZES) {
    const buckets = new Map<number, [number, number, number, number]>()
    for (const { ts, bpm } of samples) {
      const start = ts - (ts % size)
      const b = buckets.get(start)
      if (b === undefined) buckets.set(start, [1, bpm, bpm, bpm])
      else {
        b[0] += 1
        b[1] += bpm
        b[2] = Math.min(b[2], bpm)
        b[3] = Math.max(b[3], bpm)
      }
    }
    for (const [start, [count, sum, min, max]] of buckets) parameters.push(streamId, size, start, count, sum, min, max)
    rows += buckets.size
  }
  await db.executeQuery(CompiledQuery.raw(upsertSql(kind, ROLLUP_UPSERT, rows, EXTREMES), parameters))
  await addToZoneRollups(db, kind, streamId, samples)
}

/**
 * Rebuilds a stream's rollups of every size over the buckets that hold any time in [from, to),
 * and its zone rollups over those hours, from the samples stored now: after samples there were deleted.
 */
export async function rebuildRollups(db: Db, streamId: number, from: number, to: number): Promise<void> {
  for (const size of ROLLUP_SIZES) {
    const [start, end] = [from - (from % size), to - (to % size) + (to % size === 0 ? 0 : size)]
    await db
      .deleteFrom('heart_rate_rollups')
      .where('stream_id', '=', streamId)
      .where('bucket_ms', '=', size)
      .where('bucket_start', '>=', start)
      .where('bucket_start', '<', end)
      .execute()
    await sql`insert into heart_rate_rollups (${sql.raw(COLUMNS)})
      select stream_id, ${sql.lit(size)}, ts - ts % ${sql.lit(size)}, count(*), sum(bpm), min(bpm), max(bpm) from heart_rate_samples
      where stream_id = ${streamId} and ts >= ${start} and ts < ${end} group by stream_id, ts - ts % ${sql.lit(size)}`.execute(
      db,
    )
  }
  await rebuildZoneRollups(db, streamId, from, to)
}

/** Deletes a stream's rollup buckets (and zone rollup hours) that end at or before `cutoffMs` (all their samples are gone). */
export async function deleteRollupsBefore(db: Db, streamId: number, cutoffMs: number): Promise<void> {
  for (const size of ROLLUP_SIZES) {
    await db
      .deleteFrom('heart_rate_rollups')
      .where('stream_id', '=', streamId)
      .where('bucket_ms', '=', size)
      .where('bucket_start', '<=', cutoffMs - size)
      .execute()
  }
  await deleteZoneRollupsBefore(db, streamId, cutoffMs)
}

/**
 * count/sum/min/max per bucket of `bucketMs` (starts whole multiples in the zone of the fixed
 * `offsetMs`) from the rollups of `size` of the given streams whose buckets start in [from, to).
 * `bucketMs` and `offsetMs` must be whole multiples of `size`, and from/to aligned to it.
 */
export async function readRollupBuckets(
  db: Db,
  streamIds: readonly number[],
  size: number,
  from: number,
  to: number,
  bucketMs: number,
  offsetMs: number,
): Promise<BucketRow[]> {
  if (streamIds.length === 0 || from >= to) return []
  const start = sql<number>`bucket_start - ((bucket_start + ${sql.lit(offsetMs)}) % ${sql.lit(bucketMs)})`
  const rows = await db
    .selectFrom('heart_rate_rollups')
    .select([
      start.as('start'),
      (eb) => eb.fn.sum<number>('sample_count').as('count'),
      (eb) => eb.fn.sum<number>('bpm_sum').as('sum'),
      (eb) => eb.fn.min<number>('bpm_min').as('min'),
      (eb) => eb.fn.max<number>('bpm_max').as('max'),
    ])
    .where('stream_id', 'in', [...streamIds])
    .where('bucket_ms', '=', size)
    .where('bucket_start', '>=', from)
    .where('bucket_start', '<', to)
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

/** Sample count and bpm sum over the streams' rollups of `size` starting in [from, to), or only at the listed starts. */
export async function readRollupTotals(
  db: Db,
  streamIds: readonly number[],
  size: number,
  from: number,
  to: number,
  onlyStarts?: readonly number[],
): Promise<{ count: number; sum: number }> {
  if (streamIds.length === 0 || from >= to || onlyStarts?.length === 0) return { count: 0, sum: 0 }
  let query = db
    .selectFrom('heart_rate_rollups')
    .select([(eb) => eb.fn.sum<number>('sample_count').as('count'), (eb) => eb.fn.sum<number>('bpm_sum').as('sum')])
    .where('stream_id', 'in', [...streamIds])
    .where('bucket_ms', '=', size)
    .where('bucket_start', '>=', from)
    .where('bucket_start', '<', to)
  if (onlyStarts !== undefined) query = query.where('bucket_start', 'in', [...onlyStarts])
  const row = await query.executeTakeFirst()
  return { count: Number(row?.count ?? 0), sum: Number(row?.sum ?? 0) }
}
