import { AppError, invalidRequest } from '../../errors.js'
import { toIso } from '../../platform/time/date-time.js'
import { localBoundaries, resolveTimeZone, type TimeZone, UTC } from '../../platform/time/time-zone.js'
import type { Principal } from '../../platform/auth/principal.js'
import { type Alert, BUCKETS, type Bucket, type Status, type ZoneSettings } from './heart-rate.schema.js'
import { checkSamples, type HeartRateDeps, type Range, readSettings, toAlert, toSample } from './heart-rate.service.js'
import * as repo from './heart-rate.repository.js'
import { recordChange } from '../sync/sync.repository.js'
import { ALERT_SYNC_KIND } from './alert-timeline.js'
import type { HrvResult } from './hrv.js'
import { EXPORT_PAGE, STORED_HRV, STORED_HRV_SERIES } from './heart-rate.read-tasks.js'
import { runReadTasksInProcess } from '../../platform/db/read-tasks.js'
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

type ReadDeps = Pick<HeartRateDeps, 'db' | 'reader' | 'readTasks' | 'kind' | 'config' | 'now' | 'publish'>

/** Samples per page of a streamed read (exports, zones, HRV): memory holds one page. */
const PAGE_SAMPLES = 5000
/** The connection reads go through: reader threads on SQLite (so no read holds the event loop), else the pool. */
const pickReader = (deps: ReadDeps) => deps.reader ?? deps.db
/** Where read tasks run: reader threads on SQLite, else in-process. */
const pickReadTasks = (deps: ReadDeps) => deps.readTasks ?? runReadTasksInProcess(deps.db)
/**
 * Samples per export page: about 0.7 MB of FHIR text, built in some 20 ms on a reader thread; small
 * enough that an export's buffered pages stay a few MB, large enough that a day is few round trips.
 */
const EXPORT_PAGE_SAMPLES = 1000
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
 * holds one page and a bounded window of intervals, however long a recording is. A read task: on
 * SQLite the reading and the arithmetic run on a reader thread.
 */
export async function readHrv(deps: ReadDeps, owner: Principal, range: Range): Promise<HrvResult> {
  return pickReadTasks(deps).run(STORED_HRV, { userId: owner.userId, range: plainRange(range) })
}

/**
 * HRV per bucket, for a chart of HRV over time: each bucket's samples on their own, cut into
 * continuous segments and cleaned of artefacts like `hrv`; 1h and 1d buckets follow the time zone
 * as in `series`. Buckets without RR intervals are left out. A read task, like `readHrv`.
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
  const points = await pickReadTasks(deps).run(STORED_HRV_SERIES, {
    userId: owner.userId,
    range: plainRange(range),
    bucket,
    timeZone: zone.name,
  })
  return { bucket, timeZone: zone.name, points }
}

/** The range as plain data (a read task's arguments are cloned to a thread). */
const plainRange = (range: Range): Range =>
  range.deviceId === undefined
    ? { from: range.from, to: range.to }
    : { from: range.from, to: range.to, deviceId: range.deviceId }

/** The user's samples of a range in (time, device) order, a bounded page at a time, through the reader. */
function samplePages(deps: ReadDeps, userId: string, range: Range): AsyncGenerator<repo.SampleRow[]> {
  return repo.readSamplePages(pickReader(deps), userId, range, PAGE_SAMPLES)
}

/**
 * An export's text after its header, page by page as UTF-8: CSV rows, or FHIR Bundle entries
 * joined with commas (`fhirBundleText` frames them). Each page is a read task (on SQLite the rows are read and
 * turned into text on a reader thread), and the next is asked for only when the consumer pulls:
 * a slow client holds one page, and no page of text is built on the event loop.
 */
export async function* readExportText(
  deps: ReadDeps,
  owner: Principal,
  range: Range,
  format: 'csv' | 'fhir',
): AsyncGenerator<Uint8Array> {
  const tasks = pickReadTasks(deps)
  const base = { userId: owner.userId, range: plainRange(range), limit: EXPORT_PAGE_SAMPLES, format }
  let after: repo.PageAfter | undefined
  for (;;) {
    const page = await tasks.run(EXPORT_PAGE, {
      ...base,
      patientReference: `Patient/${owner.userId}`,
      ...(after !== undefined && { after }),
    })
    if (page.bytes.length > 0) yield page.bytes
    if (page.after === null) return
    after = page.after
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
