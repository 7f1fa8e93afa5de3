import { randomUUID } from 'node:crypto'
import { AppError } from '../../errors.js'
import type { Db, DatabaseKind } from '../../platform/db/database.js'
import { getUser } from '../auth/auth.service.js'
import type { Principal } from '../../platform/auth/principal.js'
import { heartRateLimitsOf } from '../auth/settings.js'
import { insertSamples, type SampleRow } from '../heart-rate/heart-rate.repository.js'
import { alertOf } from '../heart-rate/sample-checks.js'
import { isVisualization, type PeriodObservation } from './meditation.features.js'
import * as repo from './meditation.repository.js'
import type { CreateSessionBody, Period, Session } from './meditation.schema.js'

export interface SessionStoreDeps {
  readonly db: Db
  readonly kind: DatabaseKind
  readonly now?: () => number
}

const iso = (ms: number) => new Date(Number(ms)).toISOString()
const deviceOf = (owner: Principal) => owner.deviceId ?? ''

function toRows(owner: Principal, body: CreateSessionBody, id: string, now: number): repo.SessionRows {
  const session: repo.SessionRow = {
    id, user_id: owner.userId, device_id: deviceOf(owner), started_at: Date.parse(body.date), duration_s: body.durationSeconds,
    is_completed: body.isCompleted ? 1 : 0, is_canceled: body.isCanceled ? 1 : 0, created_at: now,
  }
  const periods = body.periods.map((p, idx): repo.PeriodRow => ({
    session_id: id, idx, visualization: p.visualization, beat_frequency: p.beatFrequency,
    breathing_pattern: JSON.stringify(p.breathingPattern ?? null), breathing_multiplier: p.breathingMultiplier, is_haptic_feedback: p.isHapticFeedbackEnabled ? 1 : 0,
  }))
  const heartRates = body.periods.flatMap((p, periodIdx) => p.heartRates.map((h, idx): repo.HeartRateRow => ({ session_id: id, period_idx: periodIdx, idx, ts: Date.parse(h.timestamp), bpm: h.bpm })))
  return { session, periods, heartRates }
}

/** The session's measurements as heart-rate samples, so the heart-rate API sees them too; out-of-range ones are left out. */
async function mirrorSamples(deps: SessionStoreDeps, trx: Db, owner: Principal, heartRates: readonly repo.HeartRateRow[]) {
  const limits = heartRateLimitsOf((await getUser(trx, owner.userId)).settings)
  const byTs = new Map<number, SampleRow>()
  for (const h of heartRates) {
    if (h.bpm < limits.validMin || h.bpm > limits.validMax) continue
    byTs.set(h.ts, { user_id: owner.userId, device_id: deviceOf(owner), ts: h.ts, bpm: h.bpm, rr_intervals: null, alert: alertOf(h.bpm, limits) })
  }
  const rows = [...byTs.values()].sort((a, b) => a.ts - b.ts)
  if (rows.length > 0) await insertSamples(trx, deps.kind, rows)
}

/** Stores the session, its periods and measurements in one transaction. */
export async function recordSession(deps: SessionStoreDeps, owner: Principal, body: CreateSessionBody): Promise<Session> {
  const id = randomUUID()
  const rows = toRows(owner, body, id, (deps.now ?? Date.now)())
  await deps.db.transaction().execute(async (trx) => {
    await repo.insertSession(trx, rows)
    await mirrorSamples(deps, trx, owner, rows.heartRates)
  })
  return toSession(rows)
}

function toPeriod(row: repo.PeriodRow, heartRates: readonly repo.HeartRateRow[]): Period {
  return {
    visualization: row.visualization,
    beatFrequency: row.beat_frequency,
    breathingPattern: JSON.parse(row.breathing_pattern) as unknown,
    breathingMultiplier: row.breathing_multiplier,
    isHapticFeedbackEnabled: Number(row.is_haptic_feedback) === 1,
    heartRates: heartRates.map((h) => ({ timestamp: iso(h.ts), bpm: h.bpm })),
  }
}

function toSession(rows: repo.SessionRows): Session {
  const { session } = rows
  return {
    id: session.id,
    deviceId: session.device_id === '' ? null : session.device_id,
    date: iso(session.started_at),
    durationSeconds: session.duration_s,
    isCompleted: Number(session.is_completed) === 1,
    isCanceled: Number(session.is_canceled) === 1,
    periods: rows.periods.map((p) => toPeriod(p, rows.heartRates.filter((h) => h.period_idx === p.idx))),
    createdAt: iso(session.created_at),
  }
}

async function withPeriods(db: Db, sessions: readonly repo.SessionRow[]): Promise<Session[]> {
  const { periods, heartRates } = await repo.periodsOf(db, sessions.map((s) => s.id))
  return sessions.map((session) => toSession({ session, periods: periods.filter((p) => p.session_id === session.id), heartRates: heartRates.filter((h) => h.session_id === session.id) }))
}

export async function listSessions(deps: SessionStoreDeps, userId: string, limit: number, deviceId?: string): Promise<Session[]> {
  return withPeriods(deps.db, await repo.listSessions(deps.db, userId, limit, deviceId))
}

export async function getSession(deps: SessionStoreDeps, userId: string, id: string): Promise<Session> {
  const row = await repo.findSession(deps.db, userId, id)
  if (row === undefined) throw new AppError('not_found', `No meditation session ${id}`)
  return (await withPeriods(deps.db, [row]))[0] as Session
}

/** Deletes the session with its periods and measurements; the heart-rate samples it mirrored go too. */
export async function deleteSession(deps: SessionStoreDeps, userId: string, id: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findSession(trx, userId, id)
    if (row === undefined) throw new AppError('not_found', `No meditation session ${id}`)
    const { heartRates } = await repo.periodsOf(trx, [id])
    const timestamps = [...new Set(heartRates.map((h) => h.ts))]
    for (let i = 0; i < timestamps.length; i += 500) {
      await trx.deleteFrom('heart_rate_samples').where('user_id', '=', userId).where('device_id', '=', row.device_id).where('ts', 'in', timestamps.slice(i, i + 500)).execute()
    }
    await repo.deleteSession(trx, userId, id)
  })
}

export interface HistoryPeriod extends PeriodObservation {
  /** The date of the period's session. */
  readonly sessionDate: number
}

/** The user's periods that have measurements, oldest first, as the recommender sees them. */
export async function periodHistory(db: Db, userId: string, deviceId?: string): Promise<HistoryPeriod[]> {
  const rows = await repo.periodSummaries(db, userId, deviceId)
  return rows.filter((r) => r.mean_bpm !== null).map((r) => ({
    sessionDate: r.started_at,
    heartRate: r.mean_bpm as number,
    beatFrequency: r.beat_frequency,
    visualization: r.visualization !== null && isVisualization(r.visualization) ? r.visualization : null,
    breathingMultiplier: r.breathing_multiplier,
  }))
}

/** A period as sent (not stored) in the recommender's terms; null when it has no measurements. */
export function observationOf(period: Period): PeriodObservation | null {
  if (period.heartRates.length === 0) return null
  return {
    heartRate: period.heartRates.reduce((sum, h) => sum + h.bpm, 0) / period.heartRates.length,
    beatFrequency: period.beatFrequency,
    visualization: period.visualization !== null && isVisualization(period.visualization) ? period.visualization : null,
    breathingMultiplier: period.breathingMultiplier,
  }
}
