import { sql } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { GameSessionsTable } from '../../platform/db/schema.js'
import type { PreviousSessions } from './analysis.js'

export type SessionRow = GameSessionsTable

export async function insertSession(db: Db, row: SessionRow, pieces: readonly Buffer[]): Promise<void> {
  await db.insertInto('game_sessions').values(row).execute()
  // One statement per piece keeps each under the driver's packet limit.
  for (const [seq, bytes] of pieces.entries()) {
    await db.insertInto('game_session_data').values({ session_id: row.id, seq, bytes }).execute()
  }
}

/** The session by id, whoever owns it (to tell a retry from a clash); callers scope by user. */
export async function findSessionById(db: Db, id: string): Promise<SessionRow | undefined> {
  return db.selectFrom('game_sessions').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function findSession(db: Db, userId: string, id: string): Promise<SessionRow | undefined> {
  return db
    .selectFrom('game_sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function findSessions(db: Db, userId: string, ids: readonly string[]): Promise<SessionRow[]> {
  if (ids.length === 0) return []
  return db.selectFrom('game_sessions').selectAll().where('user_id', '=', userId).where('id', 'in', ids).execute()
}

export async function readSensorData(db: Db, userId: string, id: string): Promise<Buffer[]> {
  const rows = await db
    .selectFrom('game_session_data')
    .innerJoin('game_sessions', 'game_sessions.id', 'game_session_data.session_id')
    .select('game_session_data.bytes')
    .where('game_sessions.user_id', '=', userId)
    .where('game_session_data.session_id', '=', id)
    .orderBy('game_session_data.seq')
    .execute()
  return rows.map((r) => Buffer.from(r.bytes))
}

export interface PageAfter {
  readonly createdAt: number
  readonly id: string
}

/** Deletes the user's session and its sensor data; false when the user has no such session. */
export async function deleteSession(db: Db, userId: string, id: string): Promise<boolean> {
  const row = await findSession(db, userId, id)
  if (row === undefined) return false
  await db.deleteFrom('game_session_data').where('session_id', '=', id).execute()
  await db.deleteFrom('game_sessions').where('user_id', '=', userId).where('id', '=', id).execute()
  return true
}

/** Newest first; `after` is the last row of the previous page. */
export async function listSessions(
  db: Db,
  userId: string,
  options: { gameId?: string; after?: PageAfter; limit: number },
): Promise<SessionRow[]> {
  let query = db.selectFrom('game_sessions').selectAll().where('user_id', '=', userId)
  if (options.gameId !== undefined) query = query.where('game_id', '=', options.gameId)
  const after = options.after
  if (after !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]),
    )
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute()
}

/** Moves a session out of `processing`; false when another delivery already did. */
export async function settleSession(
  db: Db,
  userId: string,
  id: string,
  fields: Pick<SessionRow, 'state' | 'analysis' | 'progress_score' | 'range_of_motion' | 'failure' | 'processed_at'>,
): Promise<boolean> {
  const result = await db
    .updateTable('game_sessions')
    .set(fields)
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .where('state', '=', 'processing')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** The same game's processed sessions that ended before `endedAt`, summarised against `score`. */
export async function previousSessions(
  db: Db,
  userId: string,
  gameId: string,
  endedAt: number,
  score: number,
): Promise<PreviousSessions> {
  const row = await db
    .selectFrom('game_sessions')
    .select([
      sql<number>`count(*)`.as('count'),
      sql<number | null>`avg(score)`.as('meanScore'),
      sql<number | null>`sum(case when score < ${score} then 1.0 when score = ${score} then 0.5 else 0 end)`.as(
        'beaten',
      ),
      sql<number | null>`avg(range_of_motion)`.as('meanRangeOfMotion'),
    ])
    .where('user_id', '=', userId)
    .where('game_id', '=', gameId)
    .where('state', '=', 'processed')
    .where('ended_at', '<', endedAt)
    .executeTakeFirstOrThrow()
  const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value))
  return {
    count: Number(row.count),
    meanScore: numberOrNull(row.meanScore),
    beaten: Number(row.beaten ?? 0),
    meanRangeOfMotion: numberOrNull(row.meanRangeOfMotion),
  }
}

/** The latest `limit` processed sessions of a game, oldest first. */
export async function progressPoints(db: Db, userId: string, gameId: string, limit: number): Promise<SessionRow[]> {
  const rows = await db
    .selectFrom('game_sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('game_id', '=', gameId)
    .where('state', '=', 'processed')
    .orderBy('ended_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.reverse()
}
