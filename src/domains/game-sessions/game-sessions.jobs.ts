import { randomUUID } from 'node:crypto'
import type { Job } from '../../platform/queue/queue.port.js'
import { encodeSyncCursor } from '../sync/sync-cursor.js'
import { markNotified, recordChange } from '../sync/sync.repository.js'
import { analyse } from './analysis.js'
import { findSession, previousSessions, readSensorData, settleSession } from './game-sessions.repository.js'
import {
  type GameSessionDeps,
  type ProcessingEventPayload,
  RECONCILE_JOB,
  type ReconciliationEventPayload,
  SYNC_KIND,
  toGameSession,
} from './game-sessions.service.js'
import { decodeChannels } from './sensor-data.js'

type Settlement = Parameters<typeof settleSession>[3]

/**
 * Settles the session and stages its ReconciliationEvent in one transaction. Only the delivery
 * that moves the session out of `processing` records a change, so a redelivery announces nothing.
 */
async function settle(deps: GameSessionDeps, event: ProcessingEventPayload, fields: Settlement): Promise<void> {
  const state = fields.state === 'processed' ? 'processed' : 'failed'
  await deps.outbox.transaction(async (trx, stage) => {
    if (!(await settleSession(trx, event.userId, event.sessionId, fields))) return
    const cursor = await recordChange(
      trx,
      deps.kind,
      { userId: event.userId, kind: SYNC_KIND, entityId: event.sessionId, change: state },
      deps.now(),
    )
    const reconciliation: ReconciliationEventPayload = {
      eventId: randomUUID(),
      userId: event.userId,
      sessionId: event.sessionId,
      cursor,
      state,
    }
    await stage(RECONCILE_JOB, reconciliation)
  })
}

/** ProcessingEvent handler: analyses the session's sensor data and stores the result. */
export async function processSession(deps: GameSessionDeps, job: Job<ProcessingEventPayload>): Promise<void> {
  const event = job.payload
  const session = await findSession(deps.db, event.userId, event.sessionId)
  if (session === undefined || session.state !== 'processing') return // deleted, or an earlier delivery finished it
  try {
    const channels = await decodeChannels(await readSensorData(deps.db, event.userId, event.sessionId))
    const previous = await previousSessions(
      deps.db,
      event.userId,
      session.game_id,
      Number(session.ended_at),
      Number(session.score),
    )
    const analysis = analyse(channels, Number(session.score), previous)
    await settle(deps, event, {
      state: 'processed',
      analysis: JSON.stringify(analysis),
      progress_score: analysis.progress.progressScore,
      range_of_motion: analysis.rangeOfMotion,
      failure: null,
      processed_at: deps.now(),
    })
  } catch (err) {
    // On the last attempt the user learns the session failed; the event still goes to the dead letters.
    if (job.attempt >= deps.maxAttempts) {
      const failure = 'The session could not be processed; its data is kept and an operator can see why'
      await settle(deps, event, {
        state: 'failed',
        analysis: null,
        progress_score: null,
        range_of_motion: null,
        failure,
        processed_at: deps.now(),
      })
    }
    throw err
  }
}

/** ReconciliationEvent handler: tells the owner's live connections, once per change. */
export async function reconcileSession(deps: GameSessionDeps, job: Job<ReconciliationEventPayload>): Promise<void> {
  const event = job.payload
  // Marked before pushing: a crash in between loses one live push (sync still has it), never sends two.
  if (!(await markNotified(deps.db, event.userId, event.cursor, deps.now()))) return
  const session = await findSession(deps.db, event.userId, event.sessionId)
  if (session === undefined) return
  const data = { cursor: encodeSyncCursor(event.userId, event.cursor), session: toGameSession(session) }
  deps.publish(event.userId, event.state === 'processed' ? 'session-processed' : 'session-failed', data)
}
