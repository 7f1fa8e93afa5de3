import { sql } from 'kysely'
import type { Logger } from 'pino'
import type { Db } from '../db/database.js'
import type { Metrics } from '../metrics/metrics.js'
import { describeError } from './job-error.js'
import {
  buryJob,
  type ClaimedJob,
  claimJob,
  completeJob,
  type DatabaseKind,
  deleteDoneJobs,
  extendLease,
  insertJob,
  countJobs,
  listDeadJobs,
  settleDeadJob,
  retryJob,
} from './jobs.repository.js'
import type { Consumer, JobHandler, QueuePort, RetryPolicy } from './queue.port.js'
import { DAY_MS } from '../time/date-time.js'

/** The database queue can also take a job inside the caller's transaction: its table is its own outbox. */
export interface DatabaseQueue extends QueuePort {
  readonly kind: 'database'
  /** Writes the job with `trx`; it becomes visible when that transaction commits. */
  stage(trx: Db, queue: string, payload: unknown): Promise<void>
  /** After the staging transaction committed: count the jobs and wake this process's consumers. */
  announce(queue: string, count: number): void
}

export interface DatabaseQueueOptions {
  readonly db: Db
  /** Which SQL the claim uses (`DatabaseHandle.kind`). */
  readonly dialect: DatabaseKind
  readonly metrics: Metrics
  readonly logger: Logger
  readonly retry: RetryPolicy
  /** How often an idle consumer looks for due jobs; in-process publishes wake it at once. */
  readonly pollIntervalMs?: number
  /** How long a claim lasts without renewal; a worker that dies loses its jobs after this. */
  readonly leaseMs?: number
}

interface Context {
  readonly db: Db
  readonly dialect: DatabaseKind
  readonly metrics: Metrics
  readonly log: Logger
  readonly retry: RetryPolicy
  readonly pollIntervalMs: number
  readonly leaseMs: number
  housekeep(): Promise<void>
}

interface Poller extends Consumer {
  readonly queue: string
  wake(): void
}

const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000

/** The embedded queue: jobs are rows of the `jobs` table, claimed with a renewable lease. */
export function createDatabaseQueue(options: DatabaseQueueOptions): DatabaseQueue {
  const ctx: Context = {
    db: options.db,
    dialect: options.dialect,
    metrics: options.metrics,
    log: options.logger.child({ adapter: 'database' }),
    retry: options.retry,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    leaseMs: options.leaseMs ?? 30_000,
    housekeep: createHousekeeping(options.db, options.logger),
  }
  const pollers = new Set<Poller>()
  let isClosed = false
  const announce = (queue: string, count: number) => {
    ctx.metrics.queuePublished.inc({ queue }, count)
    for (const poller of pollers) if (poller.queue === queue) poller.wake()
  }

  return {
    kind: 'database',
    async publish(queue, payload, publishOptions) {
      const now = Date.now()
      const runAt = now + Math.max(0, publishOptions?.delayMs ?? 0)
      const id = await insertJob(
        ctx.db,
        { queue, payload: JSON.stringify(payload ?? null), maxAttempts: ctx.retry.maxAttempts, runAt },
        now,
      )
      announce(queue, 1)
      return id
    },
    async stage(trx, queue, payload) {
      const now = Date.now()
      await insertJob(
        trx,
        { queue, payload: JSON.stringify(payload ?? null), maxAttempts: ctx.retry.maxAttempts, runAt: now },
        now,
      )
    },
    announce,
    async consume(queue, handler, consumeOptions) {
      if (isClosed) throw new Error('queue is closed')
      const poller = startPoller(ctx, queue, handler, Math.max(1, consumeOptions?.concurrency ?? 1))
      pollers.add(poller)
      return {
        stop: async () => {
          pollers.delete(poller)
          await poller.stop()
        },
      }
    },
    deadLetters: (queue, limit = 50) => listDeadJobs(ctx.db, queue, limit),
    settleDead: (queue, id, action) => settleDeadJob(ctx.db, queue, id, action, Date.now()),
    depth: (queue) => countJobs(ctx.db, queue, Date.now()),
    async ping() {
      await sql`select 1`.execute(ctx.db)
    },
    // The database handle belongs to the caller, who closes it after this resolves.
    async close() {
      isClosed = true
      const stopping = [...pollers].map((poller) => poller.stop())
      pollers.clear()
      await Promise.all(stopping)
    },
  }
}

// Done rows are kept for a day to help with debugging, then removed by whichever poller gets there.
function createHousekeeping(db: Db, logger: Logger): () => Promise<void> {
  let lastRunAt = 0
  return async () => {
    const now = Date.now()
    if (now - lastRunAt < HOUSEKEEPING_INTERVAL_MS) return
    lastRunAt = now
    try {
      await deleteDoneJobs(db, now - DAY_MS)
    } catch (err) {
      logger.warn({ err }, 'removing finished jobs failed')
    }
  }
}

function startPoller(ctx: Context, queue: string, handler: JobHandler, concurrency: number): Poller {
  const inFlight = new Set<Promise<void>>()
  let isStopped = false
  let isNudged = false
  let interrupt = () => {}

  const wake = () => {
    isNudged = true
    interrupt()
  }
  const pause = () =>
    new Promise<void>((resolve) => {
      if (isNudged) return resolve()
      const timer = setTimeout(resolve, ctx.pollIntervalMs)
      interrupt = () => {
        clearTimeout(timer)
        resolve()
      }
    })

  async function fill(): Promise<void> {
    while (!isStopped && inFlight.size < concurrency) {
      const job = await claimNext(ctx, queue)
      if (!job) return
      const run: Promise<void> = runJob(ctx, job, handler).finally(() => {
        inFlight.delete(run)
        wake()
      })
      inFlight.add(run)
    }
  }

  const loop = (async () => {
    while (!isStopped) {
      isNudged = false
      await fill()
      await ctx.housekeep()
      if (!isStopped) await pause()
    }
  })()

  return {
    queue,
    wake,
    async stop() {
      isStopped = true
      wake()
      await loop
      await Promise.all(inFlight)
    },
  }
}

async function claimNext(ctx: Context, queue: string): Promise<ClaimedJob | undefined> {
  try {
    return await claimJob(ctx.db, ctx.dialect, queue, Date.now(), ctx.leaseMs)
  } catch (err) {
    ctx.log.warn({ err, queue }, 'claiming a job failed')
    return undefined
  }
}

async function runJob(ctx: Context, job: ClaimedJob, handler: JobHandler): Promise<void> {
  const log = ctx.log.child({ queue: job.queue, jobId: job.id, attempt: job.attempt })
  // Claimed again after its lease lapsed on the final attempt: its worker died on it every time.
  if (job.attempt > job.maxAttempts) {
    log.error('job abandoned by its worker on the last attempt; dead-lettering')
    return settle(
      ctx,
      log,
      job,
      () => buryJob(ctx.db, job, 'lease expired: the worker stopped renewing it', Date.now()),
      'dead',
    )
  }
  const renewal = keepLeased(ctx, log, job)
  const stopTimer = ctx.metrics.queueProcessingDuration.startTimer({ queue: job.queue })
  try {
    await handler({ id: job.id, queue: job.queue, payload: JSON.parse(job.payload) as unknown, attempt: job.attempt })
  } catch (err) {
    return settleFailure(ctx, log, job, err)
  } finally {
    clearInterval(renewal)
    stopTimer()
  }
  return settle(ctx, log, job, () => completeJob(ctx.db, job, Date.now()), 'ok')
}

function keepLeased(ctx: Context, log: Logger, job: ClaimedJob): NodeJS.Timeout {
  return setInterval(
    () => {
      extendLease(ctx.db, job, Date.now(), ctx.leaseMs).then(
        (isHeld) => {
          if (!isHeld) log.warn('lease lost: another worker may run this job too')
        },
        (err: unknown) => log.warn({ err }, 'renewing the lease failed'),
      )
    },
    Math.max(10, Math.floor(ctx.leaseMs / 3)),
  )
}

function settleFailure(ctx: Context, log: Logger, job: ClaimedJob, err: unknown): Promise<void> {
  const error = describeError(err)
  const now = Date.now()
  if (job.attempt >= job.maxAttempts) {
    log.error({ err }, 'job failed on its last attempt; dead-lettering')
    return settle(ctx, log, job, () => buryJob(ctx.db, job, error, now), 'dead')
  }
  const runAt = now + ctx.retry.backoffMs(job.attempt)
  log.warn({ err, retryAt: runAt }, 'job failed; will retry')
  return settle(ctx, log, job, () => retryJob(ctx.db, job, runAt, error, now), 'retry')
}

// A failed write leaves the lease to expire, so the job is delivered again: at-least-once.
async function settle(
  ctx: Context,
  log: Logger,
  job: ClaimedJob,
  write: () => Promise<boolean>,
  outcome: 'ok' | 'retry' | 'dead',
): Promise<void> {
  try {
    if (!(await write())) log.warn({ outcome }, 'job outcome not recorded: its lease had passed to another worker')
    ctx.metrics.queueProcessed.inc({ queue: job.queue, outcome })
  } catch (err) {
    log.error({ err, outcome }, 'recording the job outcome failed; it will be redelivered')
  }
}
