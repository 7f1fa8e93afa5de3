import { AppError } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import { type ExportSample } from './heart-rate.export.js'
import { type Alert, BUCKETS, type Bucket, type Status } from './heart-rate.schema.js'
import { deviceOrNull, type HeartRateDeps, nowOf, type Range, rrOf, settingsOf, toAlert, toSample } from './heart-rate.service.js'
import * as repo from './heart-rate.repository.js'
import { computeHrv, type HrvResult } from './hrv.js'
import { computeZones, FIVE_ZONES, maxHeartRateFromAge, type ZoneMethod, type ZoneResult, type TimedBpm } from './zones.js'

type ReadDeps = Pick<HeartRateDeps, 'db' | 'config' | 'now' | 'publish'>

/** Analyses (zones, HRV) read at most this many samples; a wider range must be narrowed. */
const MAX_ANALYSIS_SAMPLES = 1_000_000
const MAX_SERIES_POINTS = 100_000

function encodeCursor(row: repo.SampleRow): string {
  return Buffer.from(`${row.ts}:${row.device_id}`).toString('base64url')
}

function decodeCursor(cursor: string): repo.PageAfter {
  const match = /^(\d+):([\w-]*)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (!match) throw new AppError('invalid_argument', 'cursor is not one this server gave out', [{ path: 'querystring.cursor', message: 'unknown cursor' }])
  return { ts: Number(match[1]), deviceId: match[2] ?? '' }
}

export async function listSamples(deps: ReadDeps, owner: Principal, range: Range, limit: number, cursor?: string) {
  const rows = await repo.listSamples(deps.db, owner.userId, range, limit + 1, cursor === undefined ? undefined : decodeCursor(cursor))
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return { samples: page.map(toSample), nextCursor: rows.length > limit && last ? encodeCursor(last) : null }
}

export async function series(deps: ReadDeps, owner: Principal, range: Range, bucket: Bucket) {
  const size = BUCKETS[bucket]
  if ((range.to - range.from) / size > MAX_SERIES_POINTS) {
    throw new AppError('invalid_argument', `That range has more than ${MAX_SERIES_POINTS} ${bucket} buckets; choose a larger bucket or a shorter range`)
  }
  const points = await repo.series(deps.db, owner.userId, range, size)
  return {
    bucket,
    points: points.map((p) => ({ start: new Date(p.start).toISOString(), count: p.count, min: p.min, avg: Math.round(p.avg * 100) / 100, max: p.max })),
  }
}

export async function status(deps: ReadDeps, owner: Principal, recentCount: number): Promise<Status> {
  const [rows, open] = await Promise.all([repo.recentSamples(deps.db, owner.userId, recentCount), repo.findOpenAlert(deps.db, owner.userId)])
  const bpms = rows.map((r) => r.bpm)
  const average = bpms.length === 0 ? 0 : bpms.reduce((a, b) => a + b, 0) / bpms.length
  return {
    recent: rows.map(toSample),
    activeAlert: open === undefined ? null : toAlert(open),
    stats: {
      count: bpms.length,
      averageBpm: Math.round(average * 100) / 100,
      minBpm: bpms.length === 0 ? 0 : Math.min(...bpms),
      maxBpm: bpms.length === 0 ? 0 : Math.max(...bpms),
    },
  }
}

export async function listAlerts(deps: ReadDeps, owner: Principal, state: 'open' | 'closed' | 'all', limit: number, before?: number) {
  return { alerts: (await repo.listAlerts(deps.db, owner.userId, state, limit, before)).map(toAlert) }
}

export async function getAlert(deps: ReadDeps, owner: Principal, id: string): Promise<Alert> {
  const row = await repo.findAlert(deps.db, owner.userId, id)
  if (!row) throw new AppError('not_found', 'Alert not found')
  return toAlert(row)
}

export async function acknowledgeAlert(deps: ReadDeps, owner: Principal, id: string): Promise<Alert> {
  const before = await getAlert(deps, owner, id)
  if (before.acknowledgedAt !== null) return before
  await repo.acknowledgeAlert(deps.db, owner.userId, id, nowOf(deps))
  const alert = await getAlert(deps, owner, id)
  deps.publish(owner.userId, 'alert', { change: 'acknowledged', alert })
  return alert
}

async function analysisRows(deps: ReadDeps, owner: Principal, range: Range) {
  const rows = await repo.analysisSamples(deps.db, owner.userId, range, MAX_ANALYSIS_SAMPLES + 1)
  if (rows.length > MAX_ANALYSIS_SAMPLES) throw new AppError('invalid_argument', `The range holds more than ${MAX_ANALYSIS_SAMPLES} samples; narrow it`)
  return rows
}

export interface ZoneSettings {
  readonly age?: number
  readonly maxHeartRate?: number
  readonly restingHeartRate?: number
  readonly maxGapSeconds?: number
}

/** Max heart rate: given, else from settings, else 220 - age (given or from the birth year). Karvonen when a resting rate is known. */
async function zoneMethod(deps: ReadDeps, owner: Principal, given: ZoneSettings): Promise<ZoneMethod> {
  const settings = await settingsOf(deps.db, owner.userId)
  const age = given.age ?? (settings.birthYear === undefined ? undefined : new Date(nowOf(deps)).getUTCFullYear() - settings.birthYear)
  const max = given.maxHeartRate ?? settings.maxHeartRate ?? (age === undefined ? undefined : maxHeartRateFromAge(age))
  if (max === undefined) {
    throw new AppError('invalid_argument', 'Zones need a maximum heart rate: pass age or maxHeartRate, or set birthYear or maxHeartRate with PATCH /v1/me')
  }
  const resting = given.restingHeartRate ?? settings.restingHeartRate
  return resting === undefined ? { kind: 'percent-of-max', maxHeartRate: max } : { kind: 'karvonen', maxHeartRate: max, restingHeartRate: resting }
}

export async function zones(deps: ReadDeps, owner: Principal, samples: readonly TimedBpm[], given: ZoneSettings): Promise<ZoneResult> {
  const method = await zoneMethod(deps, owner, given)
  const maxGapMs = given.maxGapSeconds === undefined ? deps.config.maxGapMs : given.maxGapSeconds * 1000
  return computeZones(samples, { bands: FIVE_ZONES, method, maxGapMs, isLastBandOpenEnded: true })
}

export async function zonesOverRange(deps: ReadDeps, owner: Principal, range: Range, given: ZoneSettings): Promise<ZoneResult> {
  const rows = await analysisRows(deps, owner, range)
  return zones(deps, owner, rows.map((r) => ({ timestampMs: Number(r.ts), bpm: r.bpm })), given)
}

export async function hrv(deps: ReadDeps, owner: Principal, range: Range): Promise<HrvResult> {
  const rows = await analysisRows(deps, owner, range)
  const intervals: number[] = []
  for (const row of rows) intervals.push(...(rrOf(row.rr_intervals) ?? []))
  return computeHrv(intervals)
}

/** HRV per bucket (each bucket's RR intervals on their own), for a chart of HRV over time; empty buckets are left out. */
export async function hrvSeries(deps: ReadDeps, owner: Principal, range: Range, bucket: Bucket) {
  const size = BUCKETS[bucket]
  if ((range.to - range.from) / size > MAX_SERIES_POINTS) {
    throw new AppError('invalid_argument', `That range has more than ${MAX_SERIES_POINTS} ${bucket} buckets; choose a larger bucket or a shorter range`)
  }
  const buckets = new Map<number, number[]>()
  for (const row of await analysisRows(deps, owner, range)) {
    const rr = rrOf(row.rr_intervals)
    if (rr === null || rr.length === 0) continue
    const start = Number(row.ts) - (Number(row.ts) % size)
    const intervals = buckets.get(start) ?? []
    if (intervals.length === 0) buckets.set(start, intervals)
    intervals.push(...rr)
  }
  const points = [...buckets].map(([start, intervals]) => ({ start: new Date(start).toISOString(), ...computeHrv(intervals) }))
  return { bucket, points }
}

/** Every sample of a range, page by page, for the CSV and FHIR exports (which stream). */
export async function* exportSamples(deps: ReadDeps, owner: Principal, range: Range): AsyncGenerator<ExportSample[]> {
  let after: repo.PageAfter | undefined
  for (;;) {
    const rows = await repo.listSamples(deps.db, owner.userId, range, 5000, after)
    if (rows.length === 0) return
    yield rows.map((r) => ({ timestampMs: Number(r.ts), bpm: r.bpm, deviceId: deviceOrNull(r.device_id), rrIntervalsMs: rrOf(r.rr_intervals), alert: r.alert }))
    const last = rows[rows.length - 1] as repo.SampleRow
    after = { ts: Number(last.ts), deviceId: last.device_id }
  }
}

