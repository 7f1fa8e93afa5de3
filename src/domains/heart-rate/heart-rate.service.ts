import type { Kysely } from 'kysely'
import type { HeartRateConfig } from '../../config.js'
import { AppError } from '../../errors.js'
import type { Database } from '../../platform/db/schema.js'
import type { ReadTaskRunner } from '../../platform/db/read-tasks.js'
import type { DatabaseKind } from '../../platform/db/database.js'
import type { UserSettings } from '../auth/auth.schema.js'
import { getUser } from '../auth/auth.service.js'
import type { Principal } from '../../platform/auth/principal.js'
import { toAlertThresholds } from '../auth/settings.js'
import { DAY_MS, instantDetail, parseInstant, toIso } from '../../platform/time/date-time.js'
import type { TimelineChanges } from './alert-timeline.js'
import type { AlertRow } from './alert-episodes.js'
import type { Alert, IngestResult, Sample, Verdict } from './heart-rate.schema.js'
import { checkSample, type CheckedSample } from './sample-checks.js'
import type { SampleWriter, WriteOutcome } from './sample-writer.js'
import type * as repo from './heart-rate.repository.js'
import type { Clock } from '../../platform/time/clock.js'

/** Live events this domain pushes to the user's sockets and Subscribe streams. */
export interface HeartRateEvents {
  'heart-rate': { deviceId: string | null; samples: Sample[] }
  /** `backfilled`: an episode late samples revealed (not a live alarm); `removed`: one late samples merged into another. */
  alert: { change: 'opened' | 'closed' | 'acknowledged' | 'backfilled' | 'removed'; alert: Alert }
}
/** `data` may be a function that builds it: the platform calls it only when a live connection may receive the event. */
export type PublishLive = <E extends keyof HeartRateEvents>(
  userId: string,
  event: E,
  data: HeartRateEvents[E] | (() => HeartRateEvents[E]),
) => void

export interface HeartRateDeps {
  readonly db: Kysely<Database>
  /** Where reads that can be long go (reader threads on SQLite); `db` when absent. */
  readonly reader?: Kysely<Database>
  /** Where read tasks run (reader threads on SQLite); in-process over `db` when absent. */
  readonly readTasks?: ReadTaskRunner
  readonly kind: DatabaseKind
  readonly writer: SampleWriter
  readonly config: HeartRateConfig
  readonly publish: PublishLive
  /** Told about every recorded request, for metrics. */
  readonly onRecorded?: (counts: RecordedCounts) => void
  /** The time now (ms since the epoch): the platform's clock. */
  readonly now: Clock
}

export interface RecordedCounts {
  readonly stored: number
  readonly alreadyStored: number
  readonly rejected: number
  readonly opened: readonly ('LOW' | 'HIGH')[]
}

export { deviceOrNull, parseRr } from './heart-rate.repository.js'
import { deviceOrNull, parseRr } from './heart-rate.repository.js'

export function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    kind: row.kind,
    deviceId: deviceOrNull(row.device_id),
    openedAt: toIso(Number(row.opened_at)),
    lastAlertAt: toIso(Number(row.last_alert_at)),
    closedAt: row.closed_at === null ? null : toIso(Number(row.closed_at)),
    peakBpm: row.peak_bpm,
    sampleCount: row.sample_count,
    acknowledgedAt: row.acknowledged_at === null ? null : toIso(Number(row.acknowledged_at)),
  }
}

export function toSample(row: repo.SampleRow): Sample {
  return {
    timestamp: toIso(Number(row.ts)),
    bpm: row.bpm,
    deviceId: deviceOrNull(row.device_id),
    rrIntervalsMs: parseRr(row.rr_intervals),
    alert: row.alert,
  }
}

export async function readSettings(db: Kysely<Database>, userId: string): Promise<UserSettings> {
  return (await getUser(db, userId)).settings
}

// The verdicts of a valid sample, shared by every such sample (a batch is up to 10,000); a verdict
// is never changed in place: `alreadyStored` takes a copy.
const STORED: Readonly<Record<'LOW' | 'HIGH' | 'none', Verdict>> = {
  none: Object.freeze({ status: 'stored' }),
  LOW: Object.freeze({ status: 'stored', alert: 'LOW' }),
  HIGH: Object.freeze({ status: 'stored', alert: 'HIGH' }),
}

export interface CheckedBatch {
  /** One per raw sample, in order; a valid one says `stored` before it is (the write sets `alreadyStored`). */
  readonly verdicts: Verdict[]
  /** The valid samples, in order, and the index of each in the raw list. */
  readonly valid: CheckedSample[]
  readonly validIndex: number[]
}

/**
 * The ingest checks over raw samples, as every path that takes samples runs them: a verdict per
 * sample, and `duplicate_in_batch` for a timestamp an earlier sample of the batch has. Thresholds
 * come from the owner's settings.
 */
export async function checkSamples(
  deps: Pick<HeartRateDeps, 'db' | 'config' | 'now'>,
  owner: Principal,
  raws: readonly unknown[],
): Promise<CheckedBatch> {
  const thresholds = toAlertThresholds(await readSettings(deps.db, owner.userId))
  const now = deps.now()
  const verdicts: Verdict[] = []
  const valid: CheckedSample[] = []
  const validIndex: number[] = []
  // Times in increasing order cannot repeat: the set of times seen is built at the first one out of order.
  let latest = Number.NEGATIVE_INFINITY
  let seen: Set<number> | undefined
  const isRepeated = (ts: number): boolean => {
    if (seen === undefined && ts > latest) {
      latest = ts
      return false
    }
    seen ??= new Set(valid.map((sample) => sample.ts))
    return seen.has(ts)
  }
  raws.forEach((raw, index) => {
    const check = checkSample(raw, thresholds, now, deps.config.clockSkewMs)
    if (!check.ok) verdicts.push({ status: 'rejected', ...check.rejection })
    else if (isRepeated(check.sample.ts)) {
      verdicts.push({
        status: 'rejected',
        reason: 'duplicate_in_batch',
        message: 'Another sample in this batch has the same timestamp',
      })
    } else {
      seen?.add(check.sample.ts)
      valid.push(check.sample)
      validIndex.push(index)
      verdicts.push(STORED[check.sample.alert ?? 'none'])
    }
  })
  return { verdicts, valid, validIndex }
}

/**
 * Checks every sample, stores the valid ones in one commit, runs them through the alert
 * episodes, and answers a verdict per sample in the order sent, only after the commit.
 */
export async function recordSamples(
  deps: HeartRateDeps,
  owner: Principal,
  raws: readonly unknown[],
): Promise<IngestResult> {
  const { verdicts, valid, validIndex } = await checkSamples(deps, owner, raws)
  if (valid.length === 0) {
    deps.onRecorded?.({ stored: 0, alreadyStored: 0, rejected: verdicts.length, opened: [] })
    return { stored: 0, rejected: verdicts.length, verdicts, alerts: [] }
  }
  const deviceId = owner.deviceId ?? ''
  const outcome = await deps.writer.write({ userId: owner.userId, deviceId, samples: valid })
  const fresh: CheckedSample[] = []
  outcome.alreadyStored.forEach((isOld, i) => {
    const at = validIndex[i] as number
    if (isOld) verdicts[at] = { ...(verdicts[at] as Verdict), alreadyStored: true }
    else fresh.push(valid[i] as CheckedSample)
  })
  announceStored(deps, owner, fresh, outcome)
  deps.onRecorded?.({
    stored: fresh.length,
    alreadyStored: valid.length - fresh.length,
    rejected: verdicts.length - valid.length,
    opened: outcome.isAnnouncer ? outcome.alerts.opened.map((row) => row.kind) : [],
  })
  return {
    stored: valid.length,
    rejected: verdicts.length - valid.length,
    verdicts,
    alerts: changedAlerts(outcome.alerts).map(toAlert),
  }
}

/** The episodes a write opened, closed or changed (not those it removed), each once. */
export function changedAlerts(changes: TimelineChanges): AlertRow[] {
  return [...new Map([...changes.closed, ...changes.updated, ...changes.opened].map((row) => [row.id, row])).values()]
}

/**
 * After the commit: the newly stored samples and the alert changes go to the user's live
 * connections. A backfilled episode is announced as `backfilled`, never as a live `opened`. The
 * samples' event is built only when someone may listen (a batch's ISO timestamps and its JSON cost
 * about as much as the ingest checks).
 */
export function announceStored(
  deps: Pick<HeartRateDeps, 'publish'>,
  owner: Principal,
  fresh: readonly CheckedSample[],
  outcome: Pick<WriteOutcome, 'alerts' | 'isAnnouncer'>,
): void {
  const { userId } = owner
  if (fresh.length > 0) {
    const device = deviceOrNull(owner.deviceId ?? '')
    deps.publish(userId, 'heart-rate', () => ({
      deviceId: device,
      samples: fresh.map((s) => ({
        timestamp: toIso(s.ts),
        bpm: s.bpm,
        deviceId: device,
        rrIntervalsMs: s.rrIntervalsMs === null ? null : [...s.rrIntervalsMs],
        alert: s.alert,
      })),
    }))
  }
  if (!outcome.isAnnouncer) return
  const { opened, backfilled, closed, removed } = outcome.alerts
  for (const row of opened) {
    if (backfilled.has(row.id)) deps.publish(userId, 'alert', { change: 'backfilled', alert: toAlert(row) })
    else deps.publish(userId, 'alert', { change: 'opened', alert: toAlert({ ...row, closed_at: null }) })
  }
  for (const row of [...opened.filter((r) => r.closed_at !== null && !backfilled.has(r.id)), ...closed])
    deps.publish(userId, 'alert', { change: 'closed', alert: toAlert(row) })
  for (const row of removed) deps.publish(userId, 'alert', { change: 'removed', alert: toAlert(row) })
}

/** A read's window: `from` and `to` in epoch ms, optionally one device (the repository's TimeRange). */
export type Range = repo.TimeRange

function parseInstantField(text: string, field: string): number {
  const ms = parseInstant(text)
  if (ms === undefined) {
    const detail = instantDetail(text, `querystring.${field}`)
    throw new AppError('invalid_argument', detail.message, [detail])
  }
  return ms
}

/** An optional instant from a query string (`before` and the like); see `parseInstantField`. */
export function optionalInstant(text: string | undefined, field: string): number | undefined {
  return text === undefined ? undefined : parseInstantField(text, field)
}

/**
 * `from`/`to` from a query: RFC 3339 with a zone or epoch ms (`timestamp_invalid` otherwise); `to`
 * defaults to now and `from` to a day before `to`. The span is at most `maxSpanMs`.
 */
export function parseRange(
  query: { from?: string; to?: string; deviceId?: string },
  nowMs: number,
  maxSpanMs = 366 * DAY_MS,
): Range {
  const to = query.to === undefined ? nowMs + 1 : parseInstantField(query.to, 'to')
  const from = query.from === undefined ? to - DAY_MS : parseInstantField(query.from, 'from')
  if (from >= to)
    throw new AppError('invalid_argument', 'from must be before to', [
      { path: 'querystring.from', message: 'must be before to' },
    ])
  if (to - from > maxSpanMs)
    throw new AppError('invalid_argument', `The range may span at most ${Math.round(maxSpanMs / DAY_MS)} days`)
  return { from, to, ...(query.deviceId !== undefined && { deviceId: query.deviceId }) }
}
