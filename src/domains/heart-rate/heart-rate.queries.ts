import { AppError, invalidRequest } from '../../errors.js'
import { toIso } from '../../platform/time/date-time.js'
import { localBoundaries, resolveTimeZone, type TimeZone, UTC } from '../../platform/time/time-zone.js'
import type { Principal } from '../../platform/auth/principal.js'
import { type ExportSample } from './heart-rate.export.js'
import { type Alert, BUCKETS, type Bucket, type Status, type ZoneSettings } from './heart-rate.schema.js'
import {
  checkSamples,
  deviceOrNull,
  type HeartRateDeps,
  type Range,
  parseRr,
  readSettings,
  toAlert,
  toSample,
} from './heart-rate.service.js'
import * as repo from './heart-rate.repository.js'
import { recordChange } from '../sync/sync.repository.js'
import { ALERT_SYNC_KIND } from './alert-timeline.js'
import { hrvAccumulator, type HrvResult, rrIntervalStream } from './hrv.js'
import {
  computeZones,
  FIVE_ZONES,
  maxHeartRateFromAge,
  type ZoneMethod,
  type ZoneOptions,
  type ZoneResult,
  type TimedBpm,
} from './zones.js'
import { type BucketRow, readRollupBuckets, ROLLUP_SIZES } from './rollups.repository.js'
import { findStreams } from './sample-streams.js'
import { readZonesFromRollups } from './zones-reader.js'
import { decodePageCursor, encodePageCursor } from '../../platform/pagination/page-cursor.js'

type ReadDeps = Pick<HeartRateDeps, 'db' | 'reader' | 'kind' | 'config' | 'now' | 'publish'>

/** Samples per page of a streamed read (exports, zones, HRV): memory holds one page. */
const PAGE_SAMPLES = 5000
/** The connection reads go through: reader threads on SQLite (so no read holds the event loop), else the pool. */
const pickReader = (deps: ReadDeps) => deps.reader ?? deps.db
const MAX_SERIES_POINTS = 100_000
const QUARTER_HOUR_MS = 900_000

function encodeCursor(row: repo.SampleRow): string {
  return encodePageCursor(Number(row.ts), row.device_id)
}

function decodeCursor(cursor: string): repo.PageAfter {
  const { position, key } = decodePageCursor(cursor, /[\w-]*/)
  return { ts: position, deviceId: key }
}

export async function listSamples(deps: ReadDeps, owner: Principal, range: Range, limit: number, cursor?: string) {
  const rows = await repo.listSamples(
    pickReader(deps),
    owner.userId,
    range,
    limit + 1,
    cursor === undefined ? undefined : decodeCursor(cursor),
  )
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return { samples: page.map(toSample), nextCursor: rows.length > limit && last ? encodeCursor(last) : null }
}

/** The zone for 1h and 1d buckets: the one asked for, else the user's setting, else UTC. */
async function zoneFor(deps: ReadDeps, owner: Principal, tz: string | undefined): Promise<TimeZone> {
  const name = tz ?? (await readSettings(deps.db, owner.userId)).timeZone
  if (name === undefined) return UTC
  const zone = resolveTimeZone(name)
  if (zone === undefined) {
    const message = `${JSON.stringify(name)} is not a time zone: use an IANA name such as America/Los_Angeles, UTC, or an offset such as +05:45`
    throw new AppError('invalid_argument', message, [
      { path: tz === undefined ? 'settings.timeZone' : 'querystring.tz', message, reason: 'time_zone_invalid' },
    ])
  }
  return zone
}

const round2 = (n: number) => Math.round(n * 100) / 100

/**
 * min/avg/max per bucket. 1s and 1m buckets are the same everywhere; 1h and 1d buckets are the
 * local hours and days of the time zone (a DST day is 23 or 25 hours long).
 */
export async function readSeries(deps: ReadDeps, owner: Principal, range: Range, bucket: Bucket, tz?: string) {
  const size = BUCKETS[bucket]
  if ((range.to - range.from) / size > MAX_SERIES_POINTS) {
    throw new AppError(
      'invalid_argument',
      `That range has more than ${MAX_SERIES_POINTS} ${bucket} buckets; choose a larger bucket or a shorter range`,
    )
  }
  const zone = bucket === '1h' || bucket === '1d' ? await zoneFor(deps, owner, tz) : UTC
  const points = await bucketRows(deps, owner, range, bucket, zone)
  return {
    bucket,
    timeZone: zone.name,
    points: points.map((p) => ({
      start: toIso(p.start),
      count: p.count,
      min: p.min,
      avg: round2(p.sum / p.count),
      max: p.max,
    })),
  }
}

/** SQL buckets where the offset is fixed; 15-minute SQL buckets folded into local ones where it is not. */
async function bucketRows(
  deps: ReadDeps,
  owner: Principal,
  range: Range,
  bucket: Bucket,
  zone: TimeZone,
): Promise<BucketRow[]> {
  const size = BUCKETS[bucket]
  if (zone.fixedOffsetMs !== undefined) return readBuckets(deps, owner.userId, range, size, zone.fixedOffsetMs)
  const unit = bucket === '1h' ? 'hour' : 'day'
  const starts = localBoundaries(range.from, range.to, unit, zone, MAX_SERIES_POINTS + 1)
  // Every offset in use since 2000 is a whole quarter hour, so a quarter hour never straddles two local buckets.
  const quarters = await readBuckets(deps, owner.userId, range, QUARTER_HOUR_MS, 0)
  return foldBuckets(quarters, starts)
}

/**
 * Buckets of `bucketMs` (offset `offsetMs`) over a range, answered from the coarsest rollup that
 * divides both: the whole rollup buckets inside the range from the rollups, the ragged ends (less
 * than one rollup bucket each) from the samples. 1s buckets come from the samples.
 */
async function readBuckets(
  deps: ReadDeps,
  userId: string,
  range: Range,
  bucketMs: number,
  offsetMs: number,
): Promise<BucketRow[]> {
  const db = pickReader(deps)
  const size = [...ROLLUP_SIZES].reverse().find((s) => bucketMs % s === 0 && offsetMs % s === 0)
  const [inner, end] =
    size === undefined ? [0, 0] : [Math.ceil(range.from / size) * size, Math.floor(range.to / size) * size]
  if (size === undefined || inner >= end) return repo.readSampleBuckets(db, userId, range, bucketMs, offsetMs)
  const streamIds = (await findStreams(db, userId, range.deviceId)).map((stream) => stream.id)
  const parts = await Promise.all([
    repo.readSampleBuckets(db, userId, { ...range, to: inner }, bucketMs, offsetMs),
    readRollupBuckets(db, streamIds, size, inner, end, bucketMs, offsetMs),
    repo.readSampleBuckets(db, userId, { ...range, from: end }, bucketMs, offsetMs),
  ])
  return foldBuckets(
    parts.flat(),
    parts.flat().map((row) => row.start),
  )
}

/** Merges rows (by start, ascending) into the buckets starting at `starts` (ascending). */
export function foldBuckets(rows: readonly BucketRow[], starts: readonly number[]): BucketRow[] {
  const merged: BucketRow[] = []
  let b = 0
  for (const row of rows) {
    while (b + 1 < starts.length && (starts[b + 1] as number) <= row.start) b += 1
    const start = starts[b] as number
    const last = merged.at(-1)
    if (last !== undefined && last.start === start) {
      merged[merged.length - 1] = {
        start,
        count: last.count + row.count,
        sum: last.sum + row.sum,
        min: Math.min(last.min, row.min),
        max: Math.max(last.max, row.max),
      }
    } else {
      merged.push({ ...row, start })
    }
  }
  return merged
}

export async function readStatus(deps: ReadDeps, owner: Principal, recentCount: number): Promise<Status> {
  const [rows, open] = await Promise.all([
    repo.readRecentSamples(pickReader(deps), owner.userId, recentCount),
    repo.findOpenAlert(deps.db, owner.userId),
  ])
  const bpms = rows.map((r) => r.bpm)
  const average = bpms.length === 0 ? 0 : bpms.reduce((a, b) => a + b, 0) / bpms.length
  return {
    recent: rows.map(toSample),
    activeAlert: open === undefined ? null : toAlert(open),
    stats: {
      count: bpms.length,
      averageBpm: round2(average),
      minBpm: bpms.length === 0 ? 0 : Math.min(...bpms),
      maxBpm: bpms.length === 0 ? 0 : Math.max(...bpms),
    },
  }
}

export async function listAlerts(
  deps: ReadDeps,
  owner: Principal,
  state: 'open' | 'closed' | 'all',
  limit: number,
  before?: number,
) {
  return { alerts: (await repo.listAlerts(deps.db, owner.userId, state, limit, before)).map(toAlert) }
}

export async function getAlert(deps: ReadDeps, owner: Principal, id: string): Promise<Alert> {
  const row = await repo.findAlert(deps.db, owner.userId, id)
  if (!row) throw new AppError('not_found', 'Alert not found')
  return toAlert(row)
}

/** Marks the episode as seen (once), with an `acknowledged` entry on the sync feed in the same transaction. */
export async function acknowledgeAlert(deps: ReadDeps, owner: Principal, id: string): Promise<Alert> {
  const before = await getAlert(deps, owner, id)
  if (before.acknowledgedAt !== null) return before
  const now = deps.now()
  await deps.db.transaction().execute(async (trx) => {
    if (await repo.acknowledgeAlert(trx, owner.userId, id, now)) {
      await recordChange(
        trx,
        deps.kind,
        { userId: owner.userId, kind: ALERT_SYNC_KIND, entityId: id, change: 'acknowledged' },
        now,
      )
    }
  })
  const alert = await getAlert(deps, owner, id)
  deps.publish(owner.userId, 'alert', { change: 'acknowledged', alert })
  return alert
}

/** Max heart rate: given, else from settings, else 220 - age (given or from the birth year). Karvonen when a resting rate is known. */
async function zoneMethod(deps: ReadDeps, owner: Principal, given: ZoneSettings): Promise<ZoneMethod> {
  const settings = await readSettings(deps.db, owner.userId)
  const age =
    given.age ??
    (settings.birthYear === undefined ? undefined : new Date(deps.now()).getUTCFullYear() - settings.birthYear)
  const max = given.maxHeartRate ?? settings.maxHeartRate ?? (age === undefined ? undefined : maxHeartRateFromAge(age))
  if (max === undefined) {
    throw new AppError(
      'invalid_argument',
      'Zones need a maximum heart rate: pass age or maxHeartRate, or set birthYear or maxHeartRate with PATCH /v1/me',
    )
  }
  const resting = given.restingHeartRate ?? settings.restingHeartRate
  return resting === undefined
    ? { kind: 'percent-of-max', maxHeartRate: max }
    : { kind: 'karvonen', maxHeartRate: max, restingHeartRate: resting }
}

async function zoneOptions(deps: ReadDeps, owner: Principal, given: ZoneSettings): Promise<ZoneOptions> {
  const method = await zoneMethod(deps, owner, given)
  const maxGapMs = given.maxGapSeconds === undefined ? deps.config.maxGapMs : given.maxGapSeconds * 1000
  return { bands: FIVE_ZONES, method, maxGapMs, isLastBandOpenEnded: true }
}

/** Zones over samples in memory (any order), with the user's settings. */
export async function computeUserZones(
  deps: ReadDeps,
  owner: Principal,
  samples: readonly TimedBpm[],
  given: ZoneSettings,
): Promise<ZoneResult> {
  return computeZones(samples, await zoneOptions(deps, owner, given))
}

/**
 * Zones over samples the caller sends (not stored): they pass the same checks as ingested ones
 * (plausible bpm, RFC 3339 or epoch-ms timestamps, not before 2000 nor ahead of the clock, no
 * repeated timestamp); any that fails makes the request a 400 naming each.
 */
export async function computePostedZones(
  deps: ReadDeps,
  owner: Principal,
  raws: readonly unknown[],
  given: ZoneSettings,
  path = 'body.samples',
): Promise<ZoneResult> {
  const { verdicts, valid } = await checkSamples(deps, owner, raws)
  const problems = verdicts.flatMap((verdict, i) =>
    verdict.status === 'rejected'
      ? [{ path: `${path}.${i}`, message: verdict.message ?? '', reason: verdict.reason }]
      : [],
  )
  if (problems.length > 0) throw invalidRequest(problems)
  return computeUserZones(
    deps,
    owner,
    valid.map((s) => ({ timestampMs: s.ts, bpm: s.bpm })),
    given,
  )
}

/**
 * Zones over a stored range of any allowed length, in constant memory: whole hours from the zone
 * rollups where they answer exactly, the rest from the samples page by page (zones-reader.ts). The
 * options are checked before anything is read.
 */
export async function readZones(
  deps: ReadDeps,
  owner: Principal,
  range: Range,
  given: ZoneSettings,
): Promise<ZoneResult> {
  const options = await zoneOptions(deps, owner, given)
  const db = pickReader(deps)
  const streams = await findStreams(db, owner.userId, range.deviceId)
  return readZonesFromRollups(
    db,
    streams.map((stream) => stream.id),
    range,
    options,
    (part) => timedPages(deps, owner.userId, { ...range, ...part }),
  )
}

async function* timedPages(deps: ReadDeps, userId: string, range: Range): AsyncGenerator<TimedBpm[]> {
  for await (const page of samplePages(deps, userId, range))
    yield page.map((row) => ({ timestampMs: row.ts, bpm: row.bpm }))
}

/**
 * HRV over the RR intervals of a range, cut into continuous segments and cleaned of artefacts
 * (see hrv.ts); the samples stream through page by page and the intervals one by one, so memory
 * holds one page and a bounded window of intervals, however long a recording is.
 */
export async function readHrv(deps: ReadDeps, owner: Principal, range: Range): Promise<HrvResult> {
  const accumulator = hrvAccumulator()
  const segmenter = rrIntervalStream({ interval: accumulator.addInterval, endSegment: accumulator.endSegment })
  for await (const page of samplePages(deps, owner.userId, range)) {
    for (const row of page) segmenter.add({ ts: row.ts, rrIntervalsMs: parseRr(row.rr_intervals) })
  }
  segmenter.end()
  return accumulator.result()
}

/** The start of the bucket holding a time: 1m everywhere alike; 1h and 1d the local hours and days of `zone` over `range`. */
function bucketStarts(range: Range, bucket: Bucket, zone: TimeZone): (ts: number) => number {
  const size = BUCKETS[bucket]
  const offset = bucket === '1h' || bucket === '1d' ? zone.fixedOffsetMs : 0
  if (offset !== undefined) return (ts) => ts - ((ts + offset) % size)
  const starts = localBoundaries(range.from, range.to, bucket === '1h' ? 'hour' : 'day', zone, MAX_SERIES_POINTS + 1)
  return (ts) => {
    let [low, high] = [0, starts.length - 1]
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if ((starts[mid] as number) <= ts) low = mid
      else high = mid - 1
    }
    return starts[low] as number
  }
}

/**
 * HRV per bucket, for a chart of HRV over time: each bucket's samples on their own, cut into
 * continuous segments and cleaned of artefacts like `hrv`; 1h and 1d buckets follow the time zone
 * as in `series`. Buckets without RR intervals are left out.
 */
export async function readHrvSeries(
  deps: ReadDeps,
  owner: Principal,
  range: Range,
  bucket: Exclude<Bucket, '1s'>,
  tz?: string,
) {
  if ((range.to - range.from) / BUCKETS[bucket] > MAX_SERIES_POINTS) {
    throw new AppError(
      'invalid_argument',
      `That range has more than ${MAX_SERIES_POINTS} ${bucket} buckets; choose a larger bucket or a shorter range`,
    )
  }
  const zone = bucket === '1h' || bucket === '1d' ? await zoneFor(deps, owner, tz) : UTC
  const toBucketStart = bucketStarts(range, bucket, zone)
  const points: Array<{ start: string } & HrvResult> = []
  let current:
    | { start: number; accumulator: ReturnType<typeof hrvAccumulator>; segmenter: ReturnType<typeof rrIntervalStream> }
    | undefined
  const finish = () => {
    if (current === undefined) return
    current.segmenter.end()
    points.push({ start: toIso(current.start), ...current.accumulator.result() })
  }
  for await (const page of samplePages(deps, owner.userId, range)) {
    for (const row of page) {
      const rrIntervalsMs = parseRr(row.rr_intervals)
      if (rrIntervalsMs === null || rrIntervalsMs.length === 0) continue
      const start = toBucketStart(row.ts)
      if (current?.start !== start) {
        finish()
        const accumulator = hrvAccumulator()
        current = {
          start,
          accumulator,
          segmenter: rrIntervalStream({ interval: accumulator.addInterval, endSegment: accumulator.endSegment }),
        }
      }
      current.segmenter.add({ ts: row.ts, rrIntervalsMs })
    }
  }
  finish()
  return { bucket, timeZone: zone.name, points }
}

/** The user's samples of a range in (time, device) order, a bounded page at a time, through the reader. */
async function* samplePages(deps: ReadDeps, userId: string, range: Range): AsyncGenerator<repo.SampleRow[]> {
  let after: repo.PageAfter | undefined
  const streams = await findStreams(pickReader(deps), userId, range.deviceId)
  for (;;) {
    const rows = await repo.listStreamSamples(pickReader(deps), userId, streams, range, PAGE_SAMPLES, after)
    if (rows.length === 0) return
    yield rows
    if (rows.length < PAGE_SAMPLES) return
    const last = rows[rows.length - 1] as repo.SampleRow
    after = { ts: last.ts, deviceId: last.device_id }
  }
}

/** Every sample of a range, page by page, for the CSV and FHIR exports (which stream). */
export async function* exportSamples(deps: ReadDeps, owner: Principal, range: Range): AsyncGenerator<ExportSample[]> {
  for await (const rows of samplePages(deps, owner.userId, range)) {
    yield rows.map((r) => ({
      timestampMs: r.ts,
      bpm: r.bpm,
      deviceId: deviceOrNull(r.device_id),
      rrIntervalsMs: parseRr(r.rr_intervals),
      alert: r.alert,
    }))
  }
}

/** Sync loader: the user's alert episodes by id. */
export async function loadAlerts(
  db: HeartRateDeps['db'],
  userId: string,
  ids: readonly string[],
): Promise<Map<string, unknown>> {
  return new Map((await repo.findAlerts(db, userId, ids)).map((row) => [row.id, toAlert(row)]))
}
