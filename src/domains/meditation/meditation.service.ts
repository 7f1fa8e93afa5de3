import { randomUUID } from 'node:crypto'
import { AppError } from '../../errors.js'
import type { Db, DatabaseKind } from '../../platform/db/database.js'
import type { ErrorDetail } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import { toIso } from '../../platform/time/date-time.js'
import { decodePageCursor, encodePageCursor, splitPage } from '../../platform/pagination/page-cursor.js'
import { announceStored, type HeartRateDeps } from '../heart-rate/heart-rate.service.js'
import { deleteSamplesAt } from '../heart-rate/heart-rate.repository.js'
import { recordChange } from '../sync/sync.repository.js'
import { checkPeriods, type DateOptions, type PlacedDate, placeDates, zoneForDates } from './session-checks.js'
import { isVisualization, type PeriodObservation } from './meditation.features.js'
import * as repo from './meditation.repository.js'
import type { CreateSessionBody, Period, Session } from './meditation.schema.js'
import type { Clock } from '../../platform/time/clock.js'

export interface SessionStoreDeps {
  readonly db: Db
  readonly kind: DatabaseKind
  /** The heart-rate domain: session measurements go through its checks, store and alert episodes. */
  readonly heartRate: HeartRateDeps
  readonly now: Clock
}

/** The sync feed's kind for meditation sessions. */
export const SESSION_SYNC_KIND = 'meditation-session'

const readDeviceId = (owner: Principal) => owner.deviceId ?? ''

function toRows(
  owner: Principal,
  body: CreateSessionBody,
  id: string,
  now: number,
  date: PlacedDate,
  dates: PlacedDate[][],
): repo.SessionRows {
  const session: repo.SessionRow = {
    id,
    user_id: owner.userId,
    device_id: readDeviceId(owner),
    started_at: date.ms,
    duration_s: body.durationSeconds,
    is_completed: body.isCompleted ? 1 : 0,
    is_canceled: body.isCanceled ? 1 : 0,
    created_at: now,
    date_text: date.asSent,
  }
  const periods = body.periods.map((p, idx): repo.PeriodRow => ({
    session_id: id,
    idx,
    visualization: p.visualization,
    beat_frequency: p.beatFrequency,
    breathing_pattern: JSON.stringify(p.breathingPattern ?? null),
    breathing_multiplier: p.breathingMultiplier,
    is_haptic_feedback: p.isHapticFeedbackEnabled ? 1 : 0,
  }))
  const heartRates = body.periods.flatMap((p, periodIdx) =>
    p.heartRates.map((h, idx): repo.HeartRateRow => {
      const placed = dates[periodIdx]?.[idx] as PlacedDate
      return { session_id: id, period_idx: periodIdx, idx, ts: placed.ms, bpm: h.bpm, date_text: placed.asSent }
    }),
  )
  return { session, periods, heartRates }
}

/**
 * Stores the session, its periods and measurements in one transaction, with the measurements as
 * heart-rate samples (through the same checks and alert episodes as any ingest) and a `created`
 * change on the sync feed; the live events go out after the commit.
 */
export async function recordSession(
  deps: SessionStoreDeps,
  owner: Principal,
  body: CreateSessionBody,
  options: DateOptions = {},
): Promise<StoredSession> {
  const problems: ErrorDetail[] = []
  const [date] = placeDates(
    [{ text: body.date, path: 'body.date' }],
    await zoneForDates(deps.db, owner, options),
    options,
    problems,
  )
  const { dates, samples } = await checkPeriods(deps, owner, body.periods, 'body.periods', options, problems)
  const id = randomUUID()
  const now = deps.now()
  const rows = toRows(owner, body, id, now, date as PlacedDate, dates)
  const outcome = await deps.db.transaction().execute(async (trx) => {
    await repo.insertSession(trx, rows)
    await recordChange(
      trx,
      deps.kind,
      { userId: owner.userId, kind: SESSION_SYNC_KIND, entityId: id, change: 'created' },
      now,
    )
    return samples.length === 0
      ? undefined
      : deps.heartRate.writer.writeIn(trx, { userId: owner.userId, deviceId: readDeviceId(owner), samples })
  })
  if (outcome !== undefined)
    announceStored(
      deps.heartRate,
      owner,
      samples.filter((_, i) => outcome.alreadyStored[i] !== true),
      outcome,
    )
  return toSession(rows)
}

/** A session as stored: the public `Session`, plus each date as the client wrote it where that differs (seed clients). */
export type StoredPeriod = Omit<Period, 'heartRates'> & {
  heartRates: Array<Period['heartRates'][number] & { timestampAsSent?: string }>
}
export type StoredSession = Omit<Session, 'periods'> & { readonly dateAsSent?: string; periods: StoredPeriod[] }

function toPeriod(row: repo.PeriodRow, heartRates: readonly repo.HeartRateRow[]): StoredPeriod {
  return {
    visualization: row.visualization,
    beatFrequency: row.beat_frequency,
    breathingPattern: JSON.parse(row.breathing_pattern) as unknown,
    breathingMultiplier: row.breathing_multiplier,
    isHapticFeedbackEnabled: Number(row.is_haptic_feedback) === 1,
    heartRates: heartRates.map((h) => ({
      timestamp: toIso(h.ts),
      bpm: h.bpm,
      ...(h.date_text !== null && { timestampAsSent: h.date_text }),
    })),
  }
}

function toSession(rows: repo.SessionRows): StoredSession {
  const { session } = rows
  return {
    ...(session.date_text !== null && { dateAsSent: session.date_text }),
    id: session.id,
    deviceId: session.device_id === '' ? null : session.device_id,
    date: toIso(session.started_at),
    durationSeconds: session.duration_s,
    isCompleted: Number(session.is_completed) === 1,
    isCanceled: Number(session.is_canceled) === 1,
    periods: rows.periods.map((p) =>
      toPeriod(
        p,
        rows.heartRates.filter((h) => h.period_idx === p.idx),
      ),
    ),
    createdAt: toIso(session.created_at),
  }
}

async function withPeriods(db: Db, sessions: readonly repo.SessionRow[]): Promise<StoredSession[]> {
  const { periods, heartRates } = await repo.findPeriods(
    db,
    sessions.map((s) => s.id),
  )
  return sessions.map((session) =>
    toSession({
      session,
      periods: periods.filter((p) => p.session_id === session.id),
      heartRates: heartRates.filter((h) => h.session_id === session.id),
    }),
  )
}

/** Every session of the user (or of one device, '' for a person's own), newest first; for the MindSync seed's unpaged list. */
export async function listSessions(
  deps: Pick<SessionStoreDeps, 'db'>,
  userId: string,
  limit: number,
  deviceId?: string,
): Promise<StoredSession[]> {
  return withPeriods(deps.db, await repo.listSessions(deps.db, userId, limit, { deviceId }))
}

/** One page of the user's sessions, newest first, after `cursor` (a `nextCursor` this server gave out; else `invalid_argument`). */
export async function pageSessions(
  deps: Pick<SessionStoreDeps, 'db'>,
  userId: string,
  query: { limit: number; cursor?: string; deviceId?: string },
): Promise<{ sessions: StoredSession[]; nextCursor: string | null }> {
  const rows = await repo.listSessions(deps.db, userId, query.limit + 1, {
    deviceId: query.deviceId,
    after: sessionsAfter(query.cursor),
  })
  const { page, nextCursor } = splitPage(rows, query.limit, (last) =>
    encodePageCursor(Number(last.started_at), `${Number(last.created_at)}.${last.id}`),
  )
  return { sessions: await withPeriods(deps.db, page), nextCursor }
}

function sessionsAfter(cursor: string | undefined): repo.SessionsAfter | undefined {
  if (cursor === undefined) return undefined
  const { position, key } = decodePageCursor(cursor, /\d{1,16}\.[0-9a-f-]{36}/)
  const [createdAt, id] = key.split('.') as [string, string]
  return { startedAt: position, createdAt: Number(createdAt), id }
}

export async function getSession(
  deps: Pick<SessionStoreDeps, 'db'>,
  userId: string,
  id: string,
): Promise<StoredSession> {
  const row = await repo.findSession(deps.db, userId, id)
  if (row === undefined) throw new AppError('not_found', `No meditation session ${id}`)
  return (await withPeriods(deps.db, [row]))[0] as StoredSession
}

/** Deletes the session with its periods and measurements; the heart-rate samples it mirrored go too. */
export async function deleteSession(
  deps: Pick<SessionStoreDeps, 'db' | 'kind' | 'now'>,
  userId: string,
  id: string,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findSession(trx, userId, id)
    if (row === undefined) throw new AppError('not_found', `No meditation session ${id}`)
    const { heartRates } = await repo.findPeriods(trx, [id])
    const timestamps = [...new Set(heartRates.map((h) => h.ts))]
    await deleteSamplesAt(trx, userId, row.device_id, timestamps)
    await repo.deleteSession(trx, userId, id)
    await recordChange(trx, deps.kind, { userId, kind: SESSION_SYNC_KIND, entityId: id, change: 'deleted' }, deps.now())
  })
}

export interface HistoryPeriod extends PeriodObservation {
  /** The date of the period's session. */
  readonly sessionDate: number
}

/** The user's periods that have measurements, oldest first, as the recommender sees them. */
export async function periodHistory(db: Db, userId: string, deviceId?: string): Promise<HistoryPeriod[]> {
  const rows = await repo.periodSummaries(db, userId, deviceId)
  return rows
    .filter((r) => r.mean_bpm !== null)
    .map((r) => ({
      sessionDate: r.started_at,
      heartRate: r.mean_bpm as number,
      beatFrequency: r.beat_frequency,
      visualization: r.visualization !== null && isVisualization(r.visualization) ? r.visualization : null,
      breathingMultiplier: r.breathing_multiplier,
    }))
}

/** A period as sent (not stored) in the recommender's terms; null when it has no measurements. */
export function toObservation(period: Period): PeriodObservation | null {
  if (period.heartRates.length === 0) return null
  return {
    heartRate: period.heartRates.reduce((sum, h) => sum + h.bpm, 0) / period.heartRates.length,
    beatFrequency: period.beatFrequency,
    visualization: period.visualization !== null && isVisualization(period.visualization) ? period.visualization : null,
    breathingMultiplier: period.breathingMultiplier,
  }
}

/** Sync loader: the user's sessions by id (a deleted one is absent, so its `deleted` change carries null). */
export async function loadSessions(db: Db, userId: string, ids: readonly string[]): Promise<Map<string, unknown>> {
  return new Map(
    (await withPeriods(db, await repo.findSessions(db, userId, ids))).map((session) => [session.id, session]),
  )
}

/** How many meditation sessions `userId` has stored. */
export async function countUserSessions(db: Db, userId: string): Promise<number> {
  return repo.countSessions(db, userId)
}
