import type { Db } from '../../platform/db/database.js'
import type {
  MeditationHeartRatesTable,
  MeditationPeriodsTable,
  MeditationSessionsTable,
} from '../../platform/db/schema.js'
import { isOlderThan } from '../../platform/pagination/keyset.js'

export type SessionRow = MeditationSessionsTable
export type PeriodRow = MeditationPeriodsTable
export type HeartRateRow = MeditationHeartRatesTable

export interface SessionRows {
  readonly session: SessionRow
  readonly periods: PeriodRow[]
  readonly heartRates: HeartRateRow[]
}

const CHUNK = 500

export async function insertSession(db: Db, rows: SessionRows): Promise<void> {
  await db.insertInto('meditation_sessions').values(rows.session).execute()
  await db.insertInto('meditation_periods').values(rows.periods).execute()
  for (let i = 0; i < rows.heartRates.length; i += CHUNK) {
    await db
      .insertInto('meditation_heart_rates')
      .values(rows.heartRates.slice(i, i + CHUNK))
      .execute()
  }
}

/** Where the previous page of sessions ended: its last row's date, insertion time and id. */
export interface SessionsAfter {
  readonly startedAt: number
  readonly createdAt: number
  readonly id: string
}

/** Sessions newest first (by date, then insertion), optionally of one device ('' is a person's own); `after` is the previous page's last row. */
export async function listSessions(
  db: Db,
  userId: string,
  limit: number,
  options: { deviceId?: string; after?: SessionsAfter } = {},
): Promise<SessionRow[]> {
  let query = db.selectFrom('meditation_sessions').selectAll().where('user_id', '=', userId)
  if (options.deviceId !== undefined) query = query.where('device_id', '=', options.deviceId)
  const after = options.after
  if (after !== undefined)
    query = query.where((eb) =>
      isOlderThan(eb, [
        ['started_at', after.startedAt],
        ['created_at', after.createdAt],
        ['id', after.id],
      ]),
    )
  return query.orderBy('started_at', 'desc').orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
}

export async function findSession(db: Db, userId: string, id: string): Promise<SessionRow | undefined> {
  return db
    .selectFrom('meditation_sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function findSessions(db: Db, userId: string, ids: readonly string[]): Promise<SessionRow[]> {
  if (ids.length === 0) return []
  return db
    .selectFrom('meditation_sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', 'in', [...ids])
    .execute()
}

export async function findPeriods(
  db: Db,
  sessionIds: readonly string[],
): Promise<{ periods: PeriodRow[]; heartRates: HeartRateRow[] }> {
  if (sessionIds.length === 0) return { periods: [], heartRates: [] }
  const ids = [...sessionIds]
  const periods = await db
    .selectFrom('meditation_periods')
    .selectAll()
    .where('session_id', 'in', ids)
    .orderBy('session_id')
    .orderBy('idx')
    .execute()
  const heartRates = await db
    .selectFrom('meditation_heart_rates')
    .selectAll()
    .where('session_id', 'in', ids)
    .orderBy('session_id')
    .orderBy('period_idx')
    .orderBy('idx')
    .execute()
  return { periods, heartRates }
}

export async function deleteSession(db: Db, userId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('meditation_sessions')
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

export interface PeriodSummaryRow extends PeriodRow {
  readonly started_at: number
  readonly created_at: number
  readonly mean_bpm: number | null
  readonly samples: number
}

/** Every period of the user, oldest first, with its mean heart rate (null when it has no measurements). */
export async function periodSummaries(db: Db, userId: string, deviceId?: string): Promise<PeriodSummaryRow[]> {
  let query = db
    .selectFrom('meditation_periods as p')
    .innerJoin('meditation_sessions as s', 's.id', 'p.session_id')
    .leftJoin('meditation_heart_rates as h', (join) =>
      join.onRef('h.session_id', '=', 'p.session_id').onRef('h.period_idx', '=', 'p.idx'),
    )
    .select([
      'p.session_id',
      'p.idx',
      'p.visualization',
      'p.beat_frequency',
      'p.breathing_pattern',
      'p.breathing_multiplier',
      'p.is_haptic_feedback',
      's.started_at',
      's.created_at',
    ])
    .select((eb) => [eb.fn.avg<number>('h.bpm').as('mean_bpm'), eb.fn.count<number>('h.bpm').as('samples')])
    .where('s.user_id', '=', userId)
  if (deviceId !== undefined) query = query.where('s.device_id', '=', deviceId)
  const rows = await query
    .groupBy([
      'p.session_id',
      'p.idx',
      'p.visualization',
      'p.beat_frequency',
      'p.breathing_pattern',
      'p.breathing_multiplier',
      'p.is_haptic_feedback',
      's.started_at',
      's.created_at',
    ])
    .orderBy('s.started_at')
    .orderBy('s.created_at')
    .orderBy('p.session_id')
    .orderBy('p.idx')
    .execute()
  return rows.map((r) => ({
    ...r,
    mean_bpm: r.mean_bpm === null ? null : Number(r.mean_bpm),
    samples: Number(r.samples),
    started_at: Number(r.started_at),
    created_at: Number(r.created_at),
  }))
}

export async function countSessions(db: Db, userId: string, deviceId?: string): Promise<number> {
  let query = db
    .selectFrom('meditation_sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
  if (deviceId !== undefined) query = query.where('device_id', '=', deviceId)
  return Number((await query.executeTakeFirst())?.n ?? 0)
}
