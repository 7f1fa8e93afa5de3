// Zone rollups (migration 0019): per stream and hour, the first and last sample and the longest
// interval (heart_rate_hour_spans), and the intervals between consecutive samples inside the hour
// grouped by the sum of their ends' bpm (heart_rate_zone_intervals). Kept in the transaction that
// changes the samples, like the 0018 rollups: samples after the last one of their hour (the live
// case, and in-order loads) add their intervals; a sample landing before an hour's last one (late,
// backfilled) and any delete rebuild that hour from the samples stored then.
import { CompiledQuery, type Kysely, sql, type Transaction } from 'kysely'
import type { DatabaseKind } from '../../platform/db/database.js'
import type { Database } from '../../platform/db/schema.js'
import { upsertSql, type UpsertShape } from '../../platform/db/upsert.js'

type Db = Kysely<Database> | Transaction<Database>

export const HOUR_MS = 3_600_000
/** Rows per upsert statement: well under every engine's limit on parameters. */
const ROWS_PER_STATEMENT = 1000

/** One stream's hour: its first and last sample (epoch ms, bpm) and longest interval in ms. */
export interface HourSpan {
  readonly streamId: number
  readonly hourStart: number
  readonly firstTs: number
  readonly firstBpm: number
  readonly lastTs: number
  readonly lastBpm: number
  readonly longestIntervalMs: number
}

/** Intervals whose ends' bpm add up to `bpmPair`: how many, and their total milliseconds. */
export interface IntervalSum {
  readonly bpmPair: number
  readonly count: number
  readonly ms: number
}

/** An hour's span that exists is replaced by the new one (it was computed from the stored one). */
const SPAN_UPSERT: UpsertShape = {
  table: 'heart_rate_hour_spans',
  columns: ['stream_id', 'hour_start', 'first_ts', 'last_ts', 'longest_interval_ms', 'first_bpm', 'last_bpm'],
  keys: 2,
  update: 'replace',
}
/** Intervals of an hour and bpm pair that exist are added to. */
const INTERVAL_UPSERT: UpsertShape = {
  table: 'heart_rate_zone_intervals',
  columns: ['stream_id', 'hour_start', 'bpm_pair', 'interval_count', 'interval_ms'],
  keys: 3,
  update: 'add',
}

async function upsertRows(db: Db, kind: DatabaseKind, shape: UpsertShape, rows: readonly unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT)
    await db.executeQuery(CompiledQuery.raw(upsertSql(kind, shape, chunk.length), chunk.flat()))
  }
}

function toSpan(row: {
  stream_id: number
  hour_start: number
  first_ts: number
  first_bpm: number
  last_ts: number
  last_bpm: number
  longest_interval_ms: number
}): HourSpan {
  return {
    streamId: Number(row.stream_id),
    hourStart: Number(row.hour_start),
    firstTs: Number(row.first_ts),
    firstBpm: Number(row.first_bpm),
    lastTs: Number(row.last_ts),
    lastBpm: Number(row.last_bpm),
    longestIntervalMs: Number(row.longest_interval_ms),
  }
}

function isInTimeOrder(samples: readonly { ts: number }[]): boolean {
  for (let i = 1; i < samples.length; i++)
    if ((samples[i] as { ts: number }).ts < (samples[i - 1] as { ts: number }).ts) return false
  return true
}

/**
 * Adds samples just inserted into one stream (ts epoch ms, bpm; any order) to its zone rollups.
 * Hours where every new sample comes after the stored last one get the new intervals added; the
 * others are rebuilt from the samples (the new ones are stored already).
 */
export async function addToZoneRollups(
  db: Db,
  kind: DatabaseKind,
  streamId: number,
  samples: readonly { ts: number; bpm: number }[],
): Promise<void> {
  if (samples.length === 0) return
  const sorted = isInTimeOrder(samples) ? samples : [...samples].sort((a, b) => a.ts - b.ts)
  const hours: number[] = []
  for (const { ts } of sorted) {
    const hour = ts - (ts % HOUR_MS)
    if (hour !== hours[hours.length - 1]) hours.push(hour)
  }
  const stored = new Map<number, HourSpan>()
  for (let i = 0; i < hours.length; i += 500) {
    const rows = await db
      .selectFrom('heart_rate_hour_spans')
      .selectAll()
      .where('stream_id', '=', streamId)
      .where('hour_start', 'in', hours.slice(i, i + 500))
      .execute()
    for (const row of rows) stored.set(Number(row.hour_start), toSpan(row))
  }
  const spans: unknown[][] = []
  const intervals: unknown[][] = []
  const rebuild: number[] = []
  let i = 0
  for (const hour of hours) {
    const span = stored.get(hour)
    const first = sorted[i] as { ts: number; bpm: number }
    let previous = span === undefined ? undefined : { ts: span.lastTs, bpm: span.lastBpm }
    let longest = span?.longestIntervalMs ?? 0
    const isAppend = span === undefined || first.ts > span.lastTs
    const byPair = new Map<number, unknown[]>() // this hour's intervals by bpm pair
    for (; i < sorted.length && (sorted[i] as { ts: number }).ts < hour + HOUR_MS; i++) {
      const sample = sorted[i] as { ts: number; bpm: number }
      if (isAppend && previous !== undefined) {
        const dt = sample.ts - previous.ts
        const pair = previous.bpm + sample.bpm
        const entry = byPair.get(pair)
        if (entry === undefined) byPair.set(pair, [streamId, hour, pair, 1, dt])
        else {
          entry[3] = (entry[3] as number) + 1
          entry[4] = (entry[4] as number) + dt
        }
        if (dt > longest) longest = dt
      }
      previous = sample
    }
    for (const entry of byPair.values()) intervals.push(entry)
    if (!isAppend) rebuild.push(hour)
    else if (previous !== undefined)
      spans.push([
        streamId,
        hour,
        span?.firstTs ?? first.ts,
        previous.ts,
        longest,
        span?.firstBpm ?? first.bpm,
        previous.bpm,
      ])
  }
  await upsertRows(db, kind, SPAN_UPSERT, spans)
  await upsertRows(db, kind, INTERVAL_UPSERT, intervals)
  for (const hour of rebuild) await rebuildZoneRollups(db, streamId, hour, hour + 1)
}

/** Rebuilds a stream's zone rollups over the hours holding any time in [from, to), from the samples stored now. */
export async function rebuildZoneRollups(db: Db, streamId: number, from: number, to: number): Promise<void> {
  const [start, end] = [from - (from % HOUR_MS), to - (to % HOUR_MS) + (to % HOUR_MS === 0 ? 0 : HOUR_MS)]
  for (const table of ['heart_rate_hour_spans', 'heart_rate_zone_intervals'] as const) {
    await db
      .deleteFrom(table)
      .where('stream_id', '=', streamId)
      .where('hour_start', '>=', start)
      .where('hour_start', '<', end)
      .execute()
  }
  const hour = sql.raw(`ts - ts % ${HOUR_MS}`)
  const selectLag = (column: string) => sql`lag(${sql.ref(column)}) over (partition by stream_id, ${hour} order by ts)`
  const scope = sql`from heart_rate_samples where stream_id = ${streamId} and ts >= ${start} and ts < ${end}`
  await sql`insert into heart_rate_zone_intervals (${sql.raw(INTERVAL_UPSERT.columns.join(', '))})
    select stream_id, hour_start, bpm_pair, count(*), sum(dt) from (
      select stream_id, ${hour} as hour_start, bpm + ${selectLag('bpm')} as bpm_pair, ts - ${selectLag('ts')} as dt ${scope}) x
    where dt is not null group by stream_id, hour_start, bpm_pair`.execute(db)
  await sql`insert into heart_rate_hour_spans (${sql.raw(SPAN_UPSERT.columns.join(', '))})
    select h.stream_id, h.hour_start, h.first_ts, h.last_ts, h.longest, f.bpm, l.bpm from (
      select stream_id, hour_start, min(ts) as first_ts, max(ts) as last_ts, coalesce(max(dt), 0) as longest from (
        select stream_id, ts, ${hour} as hour_start, ts - ${selectLag('ts')} as dt ${scope}) y
      group by stream_id, hour_start) h
    join heart_rate_samples f on f.stream_id = h.stream_id and f.ts = h.first_ts
    join heart_rate_samples l on l.stream_id = h.stream_id and l.ts = h.last_ts`.execute(db)
}

/** Deletes a stream's zone rollups of the hours that end at or before `cutoffMs` (all their samples are gone). */
export async function deleteZoneRollupsBefore(db: Db, streamId: number, cutoffMs: number): Promise<void> {
  for (const table of ['heart_rate_hour_spans', 'heart_rate_zone_intervals'] as const) {
    await db
      .deleteFrom(table)
      .where('stream_id', '=', streamId)
      .where('hour_start', '<=', cutoffMs - HOUR_MS)
      .execute()
  }
}

/** The spans of the streams' hours starting in [from, to), by hour then stream. */
export async function readHourSpans(
  db: Db,
  streamIds: readonly number[],
  from: number,
  to: number,
): Promise<HourSpan[]> {
  if (streamIds.length === 0 || from >= to) return []
  const rows = await db
    .selectFrom('heart_rate_hour_spans')
    .selectAll()
    .where('stream_id', 'in', [...streamIds])
    .where('hour_start', '>=', from)
    .where('hour_start', '<', to)
    .orderBy('hour_start')
    .orderBy('stream_id')
    .execute()
  return rows.map(toSpan)
}

/** Interval sums by bpm pair over the streams' hours starting in [from, to), or only the listed hours. */
export async function readIntervalSums(
  db: Db,
  streamIds: readonly number[],
  from: number,
  to: number,
  onlyHours?: readonly number[],
): Promise<IntervalSum[]> {
  if (streamIds.length === 0 || from >= to || onlyHours?.length === 0) return []
  let query = db
    .selectFrom('heart_rate_zone_intervals')
    .select([
      'bpm_pair',
      (eb) => eb.fn.sum<number>('interval_count').as('count'),
      (eb) => eb.fn.sum<number>('interval_ms').as('ms'),
    ])
    .where('stream_id', 'in', [...streamIds])
    .where('hour_start', '>=', from)
    .where('hour_start', '<', to)
  if (onlyHours !== undefined) query = query.where('hour_start', 'in', [...onlyHours])
  const rows = await query.groupBy('bpm_pair').execute()
  return rows.map((row) => ({ bpmPair: Number(row.bpm_pair), count: Number(row.count), ms: Number(row.ms) }))
}
