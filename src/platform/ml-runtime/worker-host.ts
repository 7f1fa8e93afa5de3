// The thread side of a worker pool: takes tasks one at a time and answers each exactly once.
import { parentPort } from 'node:worker_threads'
import type { FromWorker, ToWorker } from './worker-messages.js'

export interface TaskContext {
  progress(data: unknown): void
  /** True once the pool asked this task to stop. */
  isStopRequested(): boolean
}

export type TaskHandler = (task: unknown, context: TaskContext) => Promise<unknown>

export function serveTasks(handle: TaskHandler): void {
  const port = parentPort
  if (port === null) throw new Error('serveTasks must run in a worker thread')
  const stopped = new Set<number>()
  let chain = Promise.resolve()
  const send = (message: FromWorker) => port.postMessage(message)
  port.on('message', (message: ToWorker) => {
    if (message.kind === 'stop') {
      stopped.add(message.id)
      return
    }
    const { id, task } = message
    const context: TaskContext = { progress: (data) => send({ kind: 'progress', id, data }), isStopRequested: () => stopped.has(id) }
    chain = chain.then(async () => {
      try {
        send({ kind: 'result', id, result: await handle(task, context) })
      } catch (error) {
        send({ kind: 'error', id, message: error instanceof Error ? error.message : String(error) })
      } finally {
        stopped.delete(id)
      }
    })
  })
  send({ kind: 'ready', id: 0 })
}
