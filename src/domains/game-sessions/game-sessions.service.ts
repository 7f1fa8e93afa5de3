import { randomUUID } from 'node:crypto'
import type { Static } from 'typebox'
import { AppError, invalidRequest } from '../../errors.js'
import type { Db, DatabaseKind } from '../../platform/db/database.js'
import type { Outbox } from '../../platform/queue/outbox.js'
import type { Principal } from '../../platform/auth/principal.js'
import { recordChange } from '../sync/sync.repository.js'
import { round2, computeSlope } from './analysis.js'
import type {
  CreateGameSessionBody,
  GameProgress,
  GameSession,
  ProcessingEvent,
  ReconciliationEvent,
} from './game-sessions.schema.js'
import {
  deleteSession as deleteSessionRow,
  findSession,
  findSessionById,
  findSessions,
  insertSession,
  listSessions,
  type PageAfter,
  progressPoints,
  type SessionRow,
} from './game-sessions.repository.js'
import { encodeUpload } from './sensor-data.js'
import { checkUpload, type Problem } from './upload-checks.js'
import { toIso } from '../../platform/time/date-time.js'
import type { Clock } from '../../platform/time/clock.js'
import { decodePageCursor, encodePageCursor } from '../../platform/pagination/page-cursor.js'

/** Live events this domain pushes to the owner's sockets. */
export interface GameSessionEvents {
  'session-processed': { cursor: string; session: GameSession }
  'session-failed': { cursor: string; session: GameSession }
}

export type PublishGameSessionEvent = <E extends keyof GameSessionEvents>(
  userId: string,
  event: E,
  data: GameSessionEvents[E],
) => void

export const PROCESS_JOB = 'game-sessions.process'
export const RECONCILE_JOB = 'game-sessions.reconcile'
export const SYNC_KIND = 'game-session'

export interface GameSessionDeps {
  readonly db: Db
  readonly kind: DatabaseKind
  readonly outbox: Outbox
  readonly publish: PublishGameSessionEvent
  /** The queue's attempts per job: the last one marks the session failed before dead-lettering. */
  readonly maxAttempts: number
  /** The time now (ms since the epoch): the platform's clock. */
  readonly now: Clock
  /** Told of a stored row that cannot be shown (lists leave it out rather than fail). */
  readonly onUnreadableRow?: (id: string, error: unknown) => void
}

export type ProcessingEventPayload = Static<typeof ProcessingEvent>
export type ReconciliationEventPayload = Static<typeof ReconciliationEvent>

export function toGameSession(row: SessionRow): GameSession {
  return {
    id: row.id,
    gameId: row.game_id,
    gameName: row.game_name,
    score: Number(row.score),
    startedAt: toIso(row.started_at),
    endedAt: toIso(row.ended_at),
    deviceId: row.device_id,
    state: row.state,
    channels: JSON.parse(row.channels) as GameSession['channels'],
    sampleCount: Number(row.sample_count),
    createdAt: toIso(row.created_at),
    processedAt: row.processed_at === null ? null : toIso(row.processed_at),
    failure: row.failure,
    analysis: row.analysis === null ? null : (JSON.parse(row.analysis) as GameSession['analysis']),
  }
}

/**
 * Stores the session, its sensor data, a `created` sync change and its ProcessingEvent in one
 * transaction; answers once that has committed. A retry with the same id returns the stored one.
 */
export async function createSession(
  deps: GameSessionDeps,
  owner: Principal,
  body: CreateGameSessionBody,
): Promise<{ session: GameSession; isNew: boolean }> {
  const problems: Problem[] = []
  const times = checkUpload(body, problems)
  if (times === undefined) throw invalidRequest(problems)
  if (body.id !== undefined) {
    const existing = await findSessionById(deps.db, body.id)
    if (existing !== undefined) return { session: toExisting(existing, owner), isNew: false }
  }
  // The validated form, not the text as received: the worker reads exactly what was acknowledged.
  const pieces = await encodeUpload(JSON.stringify(body))
  const now = deps.now()
  const row: SessionRow = {
    id: body.id ?? randomUUID(),
    user_id: owner.userId,
    device_id: owner.deviceId,
    game_id: body.gameId,
    game_name: body.gameName ?? null,
    score: body.score,
    started_at: times.startedAt,
    ended_at: times.endedAt,
    state: 'processing',
    channels: JSON.stringify(
      body.channels.map((c) => ({
        name: c.name,
        sampleCount: c.samples.length,
        dimensions: c.samples[0]?.v.length ?? 0,
      })),
    ),
    sample_count: body.channels.reduce((n, c) => n + c.samples.length, 0),
    analysis: null,
    progress_score: null,
    range_of_motion: null,
    failure: null,
    created_at: now,
    processed_at: null,
  }
  try {
    await deps.outbox.transaction(async (trx, stage) => {
      await insertSession(trx, row, pieces)
      await recordChange(
        trx,
        deps.kind,
        { userId: owner.userId, kind: SYNC_KIND, entityId: row.id, change: 'created' },
        now,
      )
      const event: ProcessingEventPayload = { eventId: randomUUID(), userId: owner.userId, sessionId: row.id }
      await stage(PROCESS_JOB, event)
    })
  } catch (err) {
    // Two concurrent uploads with one client id: the loser answers with the winner's row.
    const existing = body.id === undefined ? undefined : await findSessionById(deps.db, body.id)
    if (existing === undefined) throw err
    return { session: toExisting(existing, owner), isNew: false }
  }
  return { session: toGameSession(row), isNew: true }
}

function toExisting(row: SessionRow, owner: Principal): GameSession {
  if (row.user_id !== owner.userId)
    throw new AppError('conflict', 'This session id is already in use; choose another id')
  return toGameSession(row)
}

export async function getSession(
  deps: Pick<GameSessionDeps, 'db'>,
  owner: Principal,
  id: string,
): Promise<GameSession> {
  const row = await findSession(deps.db, owner.userId, id)
  if (row === undefined) throw new AppError('not_found', 'No such game session')
  return toGameSession(row)
}

function decodeCursor(cursor: string | undefined): PageAfter | undefined {
  if (cursor === undefined) return undefined
  const { position, key } = decodePageCursor(cursor, /[0-9a-f-]{1,36}/)
  return { createdAt: position, id: key }
}

/**
 * `rows` as the API shows them, leaving out (and reporting) any row that cannot be shown, so one
 * damaged row never fails a whole list; it can still be deleted by id.
 */
function readable<R extends { id: string }, T>(
  deps: Pick<GameSessionDeps, 'onUnreadableRow'>,
  rows: readonly R[],
  show: (row: R) => T,
): Array<[R, T]> {
  return rows.flatMap((row): Array<[R, T]> => {
    try {
      return [[row, show(row)]]
    } catch (error) {
      deps.onUnreadableRow?.(row.id, error)
      return []
    }
  })
}

export async function listGameSessions(
  deps: Pick<GameSessionDeps, 'db' | 'onUnreadableRow'>,
  owner: Principal,
  query: { game?: string; limit: number; cursor?: string },
) {
  const rows = await listSessions(deps.db, owner.userId, {
    gameId: query.game,
    after: decodeCursor(query.cursor),
    limit: query.limit + 1,
  })
  const page = rows.slice(0, query.limit)
  const last = page.at(-1)
  const nextCursor =
    rows.length > query.limit && last !== undefined ? encodePageCursor(Number(last.created_at), last.id) : null
  return { sessions: readable(deps, page, toGameSession).map(([, session]) => session), nextCursor }
}

/** Deletes the owner's session, its sensor data and analysis, and records a `deleted` sync change. Throws `not_found`. */
export async function deleteGameSession(
  deps: Pick<GameSessionDeps, 'db' | 'kind' | 'now'>,
  owner: Principal,
  id: string,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    if (!(await deleteSessionRow(trx, owner.userId, id))) throw new AppError('not_found', 'No such game session')
    await recordChange(
      trx,
      deps.kind,
      { userId: owner.userId, kind: SYNC_KIND, entityId: id, change: 'deleted' },
      deps.now(),
    )
  })
}

export async function gameProgress(
  deps: Pick<GameSessionDeps, 'db' | 'onUnreadableRow'>,
  owner: Principal,
  gameId: string,
  limit: number,
): Promise<GameProgress> {
  const rows = readable(deps, await progressPoints(deps.db, owner.userId, gameId, limit), (row) =>
    toIso(row.ended_at),
  ).map(([row]) => row)
  const scores = rows.map((r) => Number(r.score))
  const has = scores.length > 0
  return {
    gameId,
    sessions: rows.length,
    firstScore: has ? (scores[0] as number) : null,
    lastScore: has ? (scores.at(-1) as number) : null,
    bestScore: has ? Math.max(...scores) : null,
    meanScore: has ? round2(scores.reduce((a, b) => a + b, 0) / scores.length) : null,
    scoreSlope: ((slope) => (slope === null ? null : round2(slope)))(computeSlope(scores)),
    points: rows.map((r) => ({
      sessionId: r.id,
      endedAt: toIso(r.ended_at),
      score: Number(r.score),
      progressScore: r.progress_score === null ? null : Number(r.progress_score),
      rangeOfMotion: r.range_of_motion === null ? null : Number(r.range_of_motion),
    })),
  }
}

/** Sync loader: the sessions by id, as the API shows them (a row that cannot be shown is left out). */
export function sessionLoader(deps: Pick<GameSessionDeps, 'onUnreadableRow'>) {
  return async (db: Db, userId: string, ids: readonly string[]): Promise<Map<string, unknown>> =>
    new Map(
      readable(deps, await findSessions(db, userId, ids), toGameSession).map(([row, session]) => [row.id, session]),
    )
}
