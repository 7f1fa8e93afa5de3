import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Db } from '../db/database.js'
import type { DatabaseQueue } from './database-queue.js'
import {
  claimRow,
  deleteOutboxRow,
  insertOutboxRow,
  listUnclaimedRows,
  type OutboxRow,
  postponeRow,
} from './outbox.repository.js'
import type { QueuePort } from './queue.port.js'

/** Adds a job to the surrounding transaction. */
export type Stage = (queue: string, payload: unknown) => Promise<void>

/**
 * The transactional outbox: jobs staged in a business transaction are published only if it commits,
 * and are not lost when the process dies between the commit and the publish.
 */
export interface Outbox {
  transaction<T>(work: (trx: Db, stage: Stage) => Promise<T>): Promise<T>
  /** Stops the sweep and waits for the publishes in flight. */
  close(): Promise<void>
}

/** On the database queue the jobs table is the outbox: a staged job is a row of the same transaction. */
export function createJobsTableOutbox(db: Db, queue: DatabaseQueue): Outbox {
  return {
    async transaction(work) {
      const staged = new Map<string, number>()
      const result = await db.transaction().execute((trx) =>
        work(trx, async (name, payload) => {
          await queue.stage(trx, name, payload)
          staged.set(name, (staged.get(name) ?? 0) + 1)
        }),
      )
      for (const [name, count] of staged) queue.announce(name, count)
      return result
    },
    close: async () => {},
  }
}

export interface RelayOutboxOptions {
  readonly db: Db
  readonly queue: QueuePort
  readonly logger: Logger
  /** How often lapsed rows are looked for. */
  readonly sweepIntervalMs?: number
  /** How long a relay owns a row it is publishing before another relay may take it. */
  readonly claimMs?: number
}

const SWEEP_BATCH = 100

/**
 * For a broker: staged jobs are `outbox` rows; after the commit this process publishes them with
 * confirms and deletes them. A row left behind (a crash, a broker outage) is swept up by any
 * process once its claim lapses, so a job may be published twice and never zero times.
 */
export function createRelayOutbox(options: RelayOutboxOptions): Outbox {
  const { db, queue } = options
  const log = options.logger.child({ module: 'outbox' })
  const claimMs = options.claimMs ?? 30_000
  const sweepIntervalMs = options.sweepIntervalMs ?? 2000
  const inFlight = new Set<Promise<void>>()
  let isClosed = false

  const relay = (row: OutboxRow) => {
    const publishing = (async () => {
      try {
        await queue.publish(row.queue, JSON.parse(row.payload))
        await deleteOutboxRow(db, row.id)
      } catch (err) {
        log.warn({ err, queue: row.queue, outboxId: row.id }, 'publishing a staged job failed; the sweep retries it')
        await postponeRow(db, row.id, Date.now() + sweepIntervalMs).catch(() => {})
      }
    })()
    inFlight.add(publishing)
    void publishing.finally(() => inFlight.delete(publishing))
  }

  let isSweeping = false
  const sweep = async () => {
    if (isSweeping || isClosed) return
    isSweeping = true
    try {
      const now = Date.now()
      for (const row of await listUnclaimedRows(db, now, SWEEP_BATCH)) {
        if (await claimRow(db, row.id, now, now + claimMs)) relay(row)
      }
    } catch (err) {
      log.warn({ err }, 'outbox sweep failed')
    } finally {
      isSweeping = false
    }
  }
  const timer = setInterval(() => void sweep(), sweepIntervalMs)
  timer.unref()

  return {
    async transaction(work) {
      const staged: OutboxRow[] = []
      const result = await db.transaction().execute((trx) =>
        work(trx, async (name, payload) => {
          const now = Date.now()
          const row = { id: randomUUID(), queue: name, payload: JSON.stringify(payload ?? null) }
          await insertOutboxRow(trx, row, now, now + claimMs)
          staged.push(row)
        }),
      )
      for (const row of staged) relay(row)
      return result
    },
    async close() {
      isClosed = true
      clearInterval(timer)
      await Promise.allSettled([...inFlight])
    },
  }
}
