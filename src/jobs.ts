import type { Logger } from 'pino'
import { type Static, Type } from 'typebox'
import { ProcessingEvent, ReconciliationEvent } from './domains/game-sessions/game-sessions.schema.js'
import { invalidRequest } from './errors.js'
import type { Consumer, Job, QueuePort } from './platform/queue/queue.port.js'
import { schemaProblems } from './platform/validation/schema-check.js'

/** Every job pulsebase runs, declared once: name -> payload schema. Names, types and checks derive from it. */
const JOBS = {
  'maintenance.cleanup': Type.Object({}, { additionalProperties: false }),
  'game-sessions.process': ProcessingEvent,
  'game-sessions.reconcile': ReconciliationEvent,
  'ml.train': Type.Object(
    { trainingJobId: Type.String({ minLength: 1, maxLength: 64 }) },
    { additionalProperties: false },
  ),
} as const

export type JobName = keyof typeof JOBS
export type JobPayloads = { [K in JobName]: Static<(typeof JOBS)[K]> }
/** Every job name, which is also its queue's name. */
export const JOB_NAMES = Object.keys(JOBS) as JobName[]

/**
 * Deliveries one worker process handles at once, per job (4 unless named here). Processing spends
 * most of a job waiting on the database and zlib's thread pool, so it takes more at a time.
 */
const CONCURRENCY: Partial<Readonly<Record<JobName, number>>> = {
  'game-sessions.process': 16,
  'game-sessions.reconcile': 16,
}
const DEFAULT_CONCURRENCY = 4

export type JobHandlers = { readonly [K in JobName]: (job: Job<JobPayloads[K]>) => Promise<void> }

export function publishJob<K extends JobName>(
  queue: QueuePort,
  name: K,
  payload: JobPayloads[K],
  options?: { delayMs?: number },
) {
  return queue.publish(name, payload, options)
}

/** A payload that does not match its schema fails the delivery (and so is retried, then dead-lettered). */
function checked<K extends JobName>(name: K, handler: JobHandlers[K]): (job: Job) => Promise<void> {
  return async (job) => {
    const problems = schemaProblems(JOBS[name], job.payload, 'payload')
    if (problems.length > 0) throw invalidRequest(problems)
    await handler(job as Job<JobPayloads[K]>)
  }
}

/** Starts a consumer per declared job; refuses to start when a declared job has no handler. */
export async function startWorker(queue: QueuePort, handlers: JobHandlers, logger: Logger): Promise<Consumer[]> {
  const missing = JOB_NAMES.filter((name) => typeof handlers[name] !== 'function')
  if (missing.length > 0) throw new Error(`no handler for job(s): ${missing.join(', ')}`)
  const consumers = await Promise.all(
    JOB_NAMES.map((name) =>
      queue.consume(name, checked(name, handlers[name]), { concurrency: CONCURRENCY[name] ?? DEFAULT_CONCURRENCY }),
    ),
  )
  logger.info({ jobs: JOB_NAMES }, 'worker started')
  return consumers
}
