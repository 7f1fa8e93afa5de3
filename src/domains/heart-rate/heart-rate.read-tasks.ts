// The heart-rate reads whose work on the rows is heavy: HRV (per range and per bucket) and export
// pages turned into CSV or FHIR text. They are read tasks (platform/db/read-tasks.ts): on SQLite
// each runs whole on a reader thread, rows and all, and only the answer (figures, or a page's text)
// comes back to the event loop; elsewhere they run in-process. Keep this module's imports light:
// every reader thread loads it.
import type { Kysely } from 'kysely'
import { defineReadTask } from '../../platform/db/read-tasks.js'
import type { Database } from '../../platform/db/schema.js'
import { toIso } from '../../platform/time/date-time.js'
import { localBoundaries, resolveTimeZone, UTC } from '../../platform/time/time-zone.js'
import { type ExportSample, fhirEntryWriter, toCsvRows } from './heart-rate.export.js'
import {
  deviceOrNull,
  listStreamSamples,
  type PageAfter,
  parseRr,
  type SampleRow,
  type TimeRange,
} from './heart-rate.repository.js'
import { BUCKETS, type Bucket } from './heart-rate.schema.js'
import { hrvAccumulator, type HrvResult, rrIntervalStream } from './hrv.js'
import { visitRrIntervals } from './rr-intervals.repository.js'
import { findStreams } from './sample-streams.js'

/** Samples per page read inside a task: memory holds one page. */
const PAGE_SAMPLES = 5000
/** The most buckets a series may have (checked by the caller before the task is run). */
const MAX_SERIES_POINTS = 100_000

/** HRV over the user's RR intervals in `range` (see hrv.ts): pages of intervals, fed one by one. */
async function computeStoredHrv(db: Kysely<Database>, args: { userId: string; range: TimeRange }): Promise<HrvResult> {
  const accumulator = hrvAccumulator()
  const segmenter = rrIntervalStream({ interval: accumulator.addInterval, endSegment: accumulator.endSegment })
  await visitRrIntervals(db, args.userId, args.range, PAGE_SAMPLES, segmenter.addIntervals)
  segmenter.end()
  return accumulator.result()
}

/** The start of the bucket holding a time: 1m everywhere alike; 1h and 1d the local hours and days of `timeZone` over `range`. */
function bucketStarts(range: TimeRange, bucket: Bucket, timeZone: string): (ts: number) => number {
  const size = BUCKETS[bucket]
  const zone = resolveTimeZone(timeZone) ?? UTC
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

export type HrvPoint = { start: string } & HrvResult

/**
 * HRV per bucket of the user's samples in `range`: each bucket's samples on their own, cut into
 * segments and cleaned like `computeStoredHrv`; `timeZone` (a name `resolveTimeZone` knows) places
 * 1h and 1d buckets. Buckets without RR intervals are left out.
 */
async function computeStoredHrvSeries(
  db: Kysely<Database>,
  args: { userId: string; range: TimeRange; bucket: Exclude<Bucket, '1s'>; timeZone: string },
): Promise<HrvPoint[]> {
  const toBucketStart = bucketStarts(args.range, args.bucket, args.timeZone)
  const points: HrvPoint[] = []
  let current:
    | { start: number; accumulator: ReturnType<typeof hrvAccumulator>; segmenter: ReturnType<typeof rrIntervalStream> }
    | undefined
  const finish = () => {
    if (current === undefined) return
    current.segmenter.end()
    points.push({ start: toIso(current.start), ...current.accumulator.result() })
  }
  await visitRrIntervals(db, args.userId, args.range, PAGE_SAMPLES, (ts, values, from, to) => {
    if (from === to) return
    const start = toBucketStart(ts)
    if (current?.start !== start) {
      finish()
      const accumulator = hrvAccumulator()
      current = {
        start,
        accumulator,
        segmenter: rrIntervalStream({ interval: accumulator.addInterval, endSegment: accumulator.endSegment }),
      }
    }
    current.segmenter.addIntervals(ts, values, from, to)
  })
  finish()
  return points
}

export interface ExportPageArgs {
  readonly userId: string
  readonly range: TimeRange
  /** Where the previous page ended; absent for the first. */
  readonly after?: PageAfter
  readonly limit: number
  /** CSV rows, or FHIR Bundle entries about `patientReference` joined with commas. */
  readonly format: 'csv' | 'fhir'
  readonly patientReference: string
}

export interface ExportPage {
  /**
   * The page's text as UTF-8 (empty when it holds no sample): encoded where it was built (on
   * SQLite a reader thread), so the event loop hands bytes to the socket and holds no string.
   */
  readonly bytes: Uint8Array
  /** Where the next page starts, or null after the last one. */
  readonly after: PageAfter | null
}

const utf8 = new TextEncoder()

function toExportSample(row: SampleRow): ExportSample {
  return {
    timestampMs: row.ts,
    bpm: row.bpm,
    deviceId: deviceOrNull(row.device_id),
    rrIntervalsMs: parseRr(row.rr_intervals),
    alert: row.alert,
  }
}

/** One page (`limit` samples, after `after`) of an export, as text. */
async function buildExportPage(db: Kysely<Database>, args: ExportPageArgs): Promise<ExportPage> {
  const streams = await findStreams(db, args.userId, args.range.deviceId)
  const rows = await listStreamSamples(db, args.userId, streams, args.range, args.limit, args.after)
  const samples = rows.map(toExportSample)
  const text =
    args.format === 'csv' ? toCsvRows(samples) : samples.map(fhirEntryWriter(args.patientReference)).join(',')
  const last = rows[rows.length - 1]
  return {
    bytes: utf8.encode(text),
    after: rows.length < args.limit || last === undefined ? null : { ts: last.ts, deviceId: last.device_id },
  }
}

/** HRV over a stored range (`computeStoredHrv`). */
export const STORED_HRV = defineReadTask(import.meta.url, 'STORED_HRV', computeStoredHrv)
/** HRV per bucket over a stored range (`computeStoredHrvSeries`). */
export const STORED_HRV_SERIES = defineReadTask(import.meta.url, 'STORED_HRV_SERIES', computeStoredHrvSeries)
/** One page of an export as CSV or FHIR text (`buildExportPage`). */
export const EXPORT_PAGE = defineReadTask(import.meta.url, 'EXPORT_PAGE', buildExportPage)
