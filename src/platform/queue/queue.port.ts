import { type Static, Type } from 'typebox'

/** A job as a handler sees it: `attempt` counts from 1 and grows on every redelivery. */
export interface Job<P = unknown> {
  readonly id: string
  readonly queue: string
  readonly payload: P
  readonly attempt: number
}

/** Handlers must be idempotent: a job may be delivered more than once. Throwing means retry. */
export type JobHandler<P = unknown> = (job: Job<P>) => Promise<void>

/** A job that used up its attempts; the schema is also the admin route's response. */
export const DeadJob = Type.Object({
  id: Type.String(),
  queue: Type.String(),
  payload: Type.Unknown(),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
})
export type DeadJob = Static<typeof DeadJob>

/** How many jobs of one queue wait: `ready` are due now and not held by a worker (delayed retries are not counted); `dead` used up their attempts. */
export const QueueDepth = Type.Object({
  queue: Type.String(),
  ready: Type.Integer({
    description: 'Due now, waiting for a worker (retries still in their back-off delay are not counted)',
  }),
  dead: Type.Integer({ description: 'Used up their attempts (dead-lettered)' }),
})
export type QueueDepth = Static<typeof QueueDepth>

export interface ConsumeOptions {
  /** Jobs handled at once by this consumer. */
  readonly concurrency?: number
}

export interface Consumer {
  /** Stops taking new jobs and resolves when the ones in flight have finished. */
  stop(): Promise<void>
}

/** The queue port: durable, at-least-once jobs with retry, backoff and dead-lettering. */
export interface QueuePort {
  readonly kind: 'database' | 'amqp'
  /** Resolves only once the job is durably stored (committed, or confirmed by the broker). */
  publish(queue: string, payload: unknown, options?: { delayMs?: number }): Promise<string>
  consume(queue: string, handler: JobHandler, options?: ConsumeOptions): Promise<Consumer>
  /** Jobs that used up their attempts, newest first. */
  deadLetters(queue: string, limit?: number): Promise<DeadJob[]>
  /** Retries one dead-lettered job (a fresh set of attempts, due now) or discards it; false when `queue` has no dead job `id`. */
  settleDead(queue: string, id: string, action: 'retry' | 'discard'): Promise<boolean>
  /** Jobs of `queue` waiting for a worker and dead-lettered, counted now. */
  depth(queue: string): Promise<QueueDepth>
  ping(): Promise<void>
  /** Stops every consumer (waiting for in-flight jobs) and releases connections. */
  close(): Promise<void>
}

export interface RetryPolicy {
  readonly maxAttempts: number
  /** Delay before attempt n+1 after attempt n failed. */
  backoffMs(attempt: number): number
}

/**
 * Retries with a doubling delay: attempt n waits `min(capMs, baseMs * 2^(n-1))` milliseconds before
 * attempt n+1 (so 1 s, 2 s, 4 s ... capped at 5 min by default); after `maxAttempts` deliveries the
 * job is dead-lettered. Capped exponential backoff as in M. Brooker, "Exponential Backoff And
 * Jitter", AWS Architecture Blog, 2015 (here without the jitter).
 */
export function exponentialBackoff(maxAttempts: number, baseMs = 1000, capMs = 5 * 60_000): RetryPolicy {
  return { maxAttempts, backoffMs: (attempt) => Math.min(capMs, baseMs * 2 ** (attempt - 1)) }
}
