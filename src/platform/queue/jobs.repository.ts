import { randomUUID } from 'node:crypto'
import type { ExpressionBuilder } from 'kysely'
import type { DatabaseConfig } from '../../config.js'
import type { Db } from '../db/database.js'
import type { Database } from '../db/schema.js'
import type { DeadJob, QueueDepth } from './queue.port.js'

export type DatabaseKind = DatabaseConfig['kind']

/** A job this worker holds: `attempt` is the claim count, and with `id` it identifies this claim. */
export interface ClaimedJob {
  readonly id: string
  readonly queue: string
  readonly payload: string
  readonly attempt: number
  readonly maxAttempts: number
}

export interface NewJob {
  readonly queue: string
  /** The job's payload as JSON text. */
  readonly payload: string
  readonly maxAttempts: number
  /** When it becomes due, in epoch milliseconds. */
  readonly runAt: number
}

/** Adds a ready job and returns its id; `now` (epoch ms) stamps it. */
export async function insertJob(db: Db, job: NewJob, now: number): Promise<string> {
  const id = randomUUID()
  await db
    .insertInto('jobs')
    .values({
      id,
      queue: job.queue,
      payload: job.payload,
      status: 'ready',
      attempts: 0,
      max_attempts: job.maxAttempts,
      run_at: job.runAt,
      locked_until: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    })
    .execute()
  return id
}

// Ready and due, or running with a lease nobody renewed (its worker died).
function isClaimable(queue: string, now: number) {
  return (eb: ExpressionBuilder<Database, 'jobs'>) =>
    eb.and([
      eb('queue', '=', queue),
      eb.or([
        eb.and([eb('status', '=', 'ready'), eb('run_at', '<=', now)]),
        eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)]),
      ]),
    ])
}

/**
 * Atomically takes the next due job of `queue`, leasing it until `now + leaseMs` and counting the
 * attempt. The one dialect difference of the queue lives here.
 */
export async function claimJob(db: Db, dialect: DatabaseKind, queue: string, now: number, leaseMs: number) {
  const row =
    dialect === 'sqlite' ? await claimWithUpdate(db, queue, now, leaseMs) : await claimWithLock(db, queue, now, leaseMs)
  if (!row) return undefined
  const job: ClaimedJob = {
    id: row.id,
    queue: row.queue,
    payload: row.payload,
    attempt: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
  }
  return job
}

// SQLite serialises writers, so one UPDATE over a sub-select is atomic.
async function claimWithUpdate(db: Db, queue: string, now: number, leaseMs: number) {
  return db
    .updateTable('jobs')
    .set((eb) => ({
      status: 'running',
      attempts: eb('attempts', '+', 1),
      locked_until: now + leaseMs,
      updated_at: now,
    }))
    .where('id', '=', (eb) =>
      eb
        .selectFrom('jobs')
        .select('id')
        .where(isClaimable(queue, now))
        .orderBy('run_at')
        .orderBy('created_at')
        .limit(1),
    )
    .returning(['id', 'queue', 'payload', 'attempts', 'max_attempts'])
    .executeTakeFirst()
}

// READ COMMITTED keeps InnoDB from taking gap locks that would block publishers; SKIP LOCKED lets
// concurrent workers pass over each other's rows instead of queueing behind them.
async function claimWithLock(db: Db, queue: string, now: number, leaseMs: number) {
  return db
    .transaction()
    .setIsolationLevel('read committed')
    .execute(async (trx) => {
      const row = await trx
        .selectFrom('jobs')
        .select(['id', 'queue', 'payload', 'attempts', 'max_attempts'])
        .where(isClaimable(queue, now))
        .orderBy('run_at')
        .orderBy('created_at')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst()
      if (!row) return undefined
      const attempts = Number(row.attempts) + 1
      await trx
        .updateTable('jobs')
        .set({ status: 'running', attempts, locked_until: now + leaseMs, updated_at: now })
        .where('id', '=', row.id)
        .execute()
      return { ...row, attempts }
    })
}

// Every write after a claim is guarded by the claim itself, so a worker whose lease was taken over
// cannot overwrite the new owner's row.
function updateOwned(db: Db, job: ClaimedJob) {
  return db
    .updateTable('jobs')
    .where('id', '=', job.id)
    .where('status', '=', 'running')
    .where('attempts', '=', job.attempt)
}

async function isUpdated(result: Promise<{ numUpdatedRows: bigint }>): Promise<boolean> {
  return (await result).numUpdatedRows > 0n
}

/** Moves the lease of a held job to `now + leaseMs` (both ms); false when this claim no longer holds it. */
export function extendLease(db: Db, job: ClaimedJob, now: number, leaseMs: number): Promise<boolean> {
  return isUpdated(
    updateOwned(db, job)
      .set({ locked_until: now + leaseMs, updated_at: now })
      .executeTakeFirst(),
  )
}

/** Marks a held job done at `now` (epoch ms); false when this claim no longer holds it. */
export function completeJob(db: Db, job: ClaimedJob, now: number): Promise<boolean> {
  return isUpdated(updateOwned(db, job).set({ status: 'done', locked_until: null, updated_at: now }).executeTakeFirst())
}

/** Gives a held job back to be retried at `runAt` (epoch ms), keeping `error`; `now` (epoch ms) stamps it. False when this claim no longer holds it. */
export function retryJob(db: Db, job: ClaimedJob, runAt: number, error: string, now: number): Promise<boolean> {
  return isUpdated(
    updateOwned(db, job)
      .set({ status: 'ready', run_at: runAt, locked_until: null, last_error: error, updated_at: now })
      .executeTakeFirst(),
  )
}

/** Dead-letters a held job with its last `error`; `now` (epoch ms) stamps it. False when this claim no longer holds it. */
export function buryJob(db: Db, job: ClaimedJob, error: string, now: number): Promise<boolean> {
  return isUpdated(
    updateOwned(db, job)
      .set({ status: 'dead', locked_until: null, last_error: error, updated_at: now })
      .executeTakeFirst(),
  )
}

/** Ready-and-due (at `now`, epoch ms) and dead jobs of one queue (a lapsed lease is not counted: its worker may still finish). */
export async function countJobs(db: Db, queue: string, now: number): Promise<QueueDepth> {
  const rows = await db
    .selectFrom('jobs')
    .select((eb) => ['status', eb.fn.countAll().as('count')])
    .where('queue', '=', queue)
    .where((eb) => eb.or([eb('status', '=', 'dead'), eb.and([eb('status', '=', 'ready'), eb('run_at', '<=', now)])]))
    .groupBy('status')
    .execute()
  const readCount = (status: string) => Number(rows.find((row) => row.status === status)?.count ?? 0)
  return { queue, ready: readCount('ready'), dead: readCount('dead') }
}

/** Puts a dead job back (attempts from zero, due now) or deletes it; false when there is no dead job `id` in `queue`. */
export async function settleDeadJob(
  db: Db,
  queue: string,
  id: string,
  action: 'retry' | 'discard',
  now: number,
): Promise<boolean> {
  const result =
    action === 'retry'
      ? await db
          .updateTable('jobs')
          .set({ status: 'ready', attempts: 0, run_at: now, locked_until: null, updated_at: now })
          .where('id', '=', id)
          .where('queue', '=', queue)
          .where('status', '=', 'dead')
          .executeTakeFirst()
      : await db
          .deleteFrom('jobs')
          .where('id', '=', id)
          .where('queue', '=', queue)
          .where('status', '=', 'dead')
          .executeTakeFirst()
  return Number('numUpdatedRows' in result ? result.numUpdatedRows : result.numDeletedRows) > 0
}

/** The newest `limit` dead jobs of `queue`, with their attempts and last error. */
export async function listDeadJobs(db: Db, queue: string, limit: number): Promise<DeadJob[]> {
  const rows = await db
    .selectFrom('jobs')
    .select(['id', 'queue', 'payload', 'attempts', 'last_error'])
    .where('queue', '=', queue)
    .where('status', '=', 'dead')
    .orderBy('updated_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute()
  return rows.map((row) => ({
    id: row.id,
    queue: row.queue,
    payload: JSON.parse(row.payload) as unknown,
    attempts: Number(row.attempts),
    lastError: row.last_error,
  }))
}

/** Deletes done jobs last touched before `updatedBefore` (epoch ms); returns how many. */
export async function deleteDoneJobs(db: Db, updatedBefore: number): Promise<number> {
  const result = await db
    .deleteFrom('jobs')
    .where('status', '=', 'done')
    .where('updated_at', '<', updatedBefore)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
