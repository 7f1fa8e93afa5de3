// The thread side of a worker pool: takes tasks one at a time and answers each exactly once.
import { parentPort } from 'node:worker_threads'
import type { FromWorker, ToWorker } from './worker-messages.js'

export interface TaskContext {
  progress(data: unknown): void
  /** True once the pool asked this task to stop. */
  isStopRequested(): boolean
  /** Reports progress and waits for the caller's word: true to go on, false to stop (e.g. once per epoch, so a cancel is honoured at the next one). */
  ask(data: unknown): Promise<boolean>
}

export type TaskHandler = (task: unknown, context: TaskContext) => Promise<unknown>

export function serveTasks(handle: TaskHandler): void {
  const port = parentPort
  if (port === null) throw new Error('serveTasks must run in a worker thread')
  const stopped = new Set<number>()
  const questions = new Map<number, (proceed: boolean) => void>()
  let nextQuestion = 1
  let chain = Promise.resolve()
  const send = (message: FromWorker) => port.postMessage(message)
  port.on('message', (message: ToWorker) => {
    if (message.kind === 'stop') {
      stopped.add(message.id)
      return
    }
    if (message.kind === 'answer') {
      questions.get(message.seq)?.(message.proceed)
      questions.delete(message.seq)
      return
    }
    const { id, task } = message
    const ask = (data: unknown) =>
      new Promise<boolean>((resolve) => {
        const seq = nextQuestion++
        questions.set(seq, (proceed) => resolve(proceed && !stopped.has(id)))
        send({ kind: 'question', id, seq, data })
      })
    const context: TaskContext = {
      progress: (data) => send({ kind: 'progress', id, data }),
      isStopRequested: () => stopped.has(id),
      ask,
    }
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
