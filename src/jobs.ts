import type { Logger } from 'pino'
import type { Consumer, Job, QueuePort } from './platform/queue/queue.port.js'

/** Every job pulsebase runs, declared once: name -> payload. */
export interface JobPayloads {
  'maintenance.cleanup': Record<string, never>
}
export type JobName = keyof JobPayloads
export const JOB_NAMES: readonly JobName[] = ['maintenance.cleanup']

export type JobHandlers = { readonly [K in JobName]: (job: Job<JobPayloads[K]>) => Promise<void> }

export function publishJob<K extends JobName>(queue: QueuePort, name: K, payload: JobPayloads[K], options?: { delayMs?: number }) {
  return queue.publish(name, payload, options)
}

/** Starts a consumer per declared job; refuses to start when a declared job has no handler. */
export async function startWorker(queue: QueuePort, handlers: JobHandlers, logger: Logger): Promise<Consumer[]> {
  const missing = JOB_NAMES.filter((name) => typeof handlers[name] !== 'function')
  if (missing.length > 0) throw new Error(`no handler for job(s): ${missing.join(', ')}`)
  const consumers = await Promise.all(
    JOB_NAMES.map((name) => queue.consume(name, handlers[name] as (job: Job) => Promise<void>, { concurrency: 4 })),
  )
  logger.info({ jobs: JOB_NAMES }, 'worker started')
  return consumers
}
