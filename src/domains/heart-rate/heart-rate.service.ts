import type { Kysely } from 'kysely'
import type { HeartRateConfig } from '../../config.js'
import { AppError } from '../../errors.js'
import type { Database } from '../../platform/db/schema.js'
import type { UserSettings } from '../auth/auth.schema.js'
import { getUser } from '../auth/auth.service.js'
import type { Principal } from '../../platform/auth/principal.js'
import { heartRateLimitsOf } from '../auth/settings.js'
import type { AlertRow } from './alert-episodes.js'
import type { Alert, IngestResult, Sample, Verdict } from './heart-rate.schema.js'
import { checkSample, type CheckedSample, parseInstant } from './sample-checks.js'
import type { SampleWriter, WriteOutcome } from './sample-writer.js'
import type * as repo from './heart-rate.repository.js'

/** Live events this domain pushes to the user's sockets and Subscribe streams. */
export interface HeartRateEvents {
  'heart-rate': { deviceId: string | null; samples: Sample[] }
  alert: { change: 'opened' | 'closed' | 'acknowledged'; alert: Alert }
}
export type PublishLive = <E extends keyof HeartRateEvents>(userId: string, event: E, data: HeartRateEvents[E]) => void

export interface HeartRateDeps {
  readonly db: Kysely<Database>
  readonly writer: SampleWriter
  readonly config: HeartRateConfig
  readonly publish: PublishLive
  /** Told about every recorded request, for metrics. */
  readonly onRecorded?: (counts: RecordedCounts) => void
  readonly now?: () => number
}

export interface RecordedCounts {
  readonly stored: number
  readonly alreadyStored: number
  readonly rejected: number
  readonly opened: readonly ('LOW' | 'HIGH')[]
}

const iso = (ms: number) => new Date(ms).toISOString()
export const nowOf = (deps: Pick<HeartRateDeps, 'now'>) => (deps.now ?? Date.now)()
/** Devices are '' in storage for a person's own upload, and null on the wire. */
export const deviceOrNull = (deviceId: string): string | null => (deviceId === '' ? null : deviceId)
export const rrOf = (text: string | null): number[] | null => (text === null ? null : (JSON.parse(text) as number[]))

export function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    kind: row.kind,
    deviceId: deviceOrNull(row.device_id),
    openedAt: iso(Number(row.opened_at)),
    lastAlertAt: iso(Number(row.last_alert_at)),
    closedAt: row.closed_at === null ? null : iso(Number(row.closed_at)),
    peakBpm: row.peak_bpm,
    sampleCount: row.sample_count,
    acknowledgedAt: row.acknowledged_at === null ? null : iso(Number(row.acknowledged_at)),
  }
}

export function toSample(row: repo.SampleRow): Sample {
  return {
    timestamp: iso(Number(row.ts)),
    bpm: row.bpm,
    deviceId: deviceOrNull(row.device_id),
    rrIntervalsMs: rrOf(row.rr_intervals),
    alert: row.alert,
  }
}

export async function settingsOf(db: Kysely<Database>, userId: string): Promise<UserSettings> {
  return (await getUser(db, userId)).settings
}

/**
 * Checks every sample, stores the valid ones in one commit, runs them through the alert
 * episodes, and answers a verdict per sample in the order sent, only after the commit.
 */
export async function recordSamples(deps: HeartRateDeps, owner: Principal, raws: readonly unknown[]): Promise<IngestResult> {
  const limits = heartRateLimitsOf(await settingsOf(deps.db, owner.userId))
  const now = nowOf(deps)
  const verdicts: Verdict[] = []
  const valid: CheckedSample[] = []
  const validIndex: number[] = []
  const seen = new Set<number>()
  raws.forEach((raw, index) => {
    const check = checkSample(raw, limits, now, deps.config.clockSkewMs)
    if (!check.ok) verdicts.push({ status: 'rejected', ...check.rejection })
    else if (seen.has(check.sample.ts)) {
      verdicts.push({ status: 'rejected', reason: 'duplicate_in_batch', message: 'Another sample in this batch has the same timestamp' })
    } else {
      seen.add(check.sample.ts)
      valid.push(check.sample)
      validIndex.push(index)
      verdicts.push({ status: 'stored', ...(check.sample.alert !== null && { alert: check.sample.alert }) })
    }
  })
  if (valid.length === 0) {
    deps.onRecorded?.({ stored: 0, alreadyStored: 0, rejected: verdicts.length, opened: [] })
    return { stored: 0, rejected: verdicts.length, verdicts, alerts: [] }
  }

  const deviceId = owner.deviceId ?? ''
  const outcome = await deps.writer.write({ userId: owner.userId, deviceId, samples: valid })
  outcome.alreadyStored.forEach((isOld, i) => {
    if (isOld) (verdicts[validIndex[i] as number] as Verdict).alreadyStored = true
  })
  const fresh = valid.filter((_, i) => outcome.alreadyStored[i] !== true)
  announce(deps, owner.userId, deviceId, fresh, outcome)
  deps.onRecorded?.({ stored: fresh.length, alreadyStored: valid.length - fresh.length, rejected: verdicts.length - valid.length, opened: outcome.opened.map((row) => row.kind) })
  const changed = [...new Map([...outcome.closed, ...outcome.opened].map((row) => [row.id, row])).values()]
  return { stored: valid.length, rejected: verdicts.length - valid.length, verdicts, alerts: changed.map(toAlert) }
}

function announce(deps: HeartRateDeps, userId: string, deviceId: string, fresh: readonly CheckedSample[], alerts: Pick<WriteOutcome, 'opened' | 'closed'>): void {
  if (fresh.length > 0) {
    const device = deviceOrNull(deviceId)
    const samples = fresh.map((s) => ({ timestamp: iso(s.ts), bpm: s.bpm, deviceId: device, rrIntervalsMs: s.rrIntervalsMs === null ? null : [...s.rrIntervalsMs], alert: s.alert }))
    deps.publish(userId, 'heart-rate', { deviceId: device, samples })
  }
  for (const row of alerts.opened) deps.publish(userId, 'alert', { change: 'opened', alert: toAlert({ ...row, closed_at: null }) })
  for (const row of alerts.closed) deps.publish(userId, 'alert', { change: 'closed', alert: toAlert(row) })
}

const DAY_MS = 86_400_000

export interface Range {
  readonly from: number
  readonly to: number
  readonly deviceId?: string
}

/** `from`/`to` from a query: ISO-8601 or epoch ms; `to` defaults to now, `from` to a day before `to`. */
export function rangeOf(query: { from?: string; to?: string; deviceId?: string }, nowMs: number, maxSpanMs = 366 * DAY_MS): Range {
  const to = query.to === undefined ? nowMs + 1 : parseInstant(query.to)
  if (to === undefined) throw new AppError('invalid_argument', 'to must be an ISO-8601 date-time with a zone or epoch milliseconds', [{ path: 'querystring.to', message: 'not a date-time' }])
  const from = query.from === undefined ? to - DAY_MS : parseInstant(query.from)
  if (from === undefined) throw new AppError('invalid_argument', 'from must be an ISO-8601 date-time with a zone or epoch milliseconds', [{ path: 'querystring.from', message: 'not a date-time' }])
  if (from >= to) throw new AppError('invalid_argument', 'from must be before to', [{ path: 'querystring.from', message: 'must be before to' }])
  if (to - from > maxSpanMs) throw new AppError('invalid_argument', `The range may span at most ${Math.round(maxSpanMs / DAY_MS)} days`)
  return { from, to, ...(query.deviceId !== undefined && { deviceId: query.deviceId }) }
}

