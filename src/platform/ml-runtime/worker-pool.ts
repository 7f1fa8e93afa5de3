// A fixed pool of worker threads, each running one task at a time. A thread that dies fails its
// task with WorkerCrashedError (never a task left hanging) and is replaced.
import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import type { FromWorker, ToWorker } from './worker-messages.js'

/** The thread running a task exited or threw outside the task. */
export class WorkerCrashedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WorkerCrashedError'
  }
}

export interface RunOptions {
  /**
   * Progress from the task; returning (or resolving to) false asks the task to stop early. A task
   * that `ask`s waits for the answer before it goes on.
   */
  readonly onProgress?: (data: unknown) => boolean | void | Promise<boolean | void>
  /** Who the task is for (a user id): waiting tasks of different owners take turns for a free thread. */
  readonly owner?: string | undefined
}

/** Runs tasks off the event loop. */
export interface WorkerPool {
  readonly size: number
  run(task: unknown, options?: RunOptions): Promise<unknown>
  /** Ends every thread now (tasks in flight fail with WorkerCrashedError, as in a crash) and starts fresh ones. */
  recycle(): Promise<void>
  /** Terminates every thread; tasks in flight fail with WorkerCrashedError, queued ones are rejected. */
  close(): Promise<void>
}

export interface WorkerPoolOptions {
  /** The module a thread runs; it calls `serveTasks`. */
  readonly entry: URL
  readonly size: number
  readonly logger: Logger
  /** Handed to each thread as `workerData.options`. */
  readonly threadOptions?: unknown
}

interface Pending {
  readonly id: number
  readonly task: unknown
  readonly options: RunOptions
  resolve(value: unknown): void
  reject(error: Error): void
}

interface Slot {
  worker: Worker
  current: Pending | undefined
  isReady: boolean
}

// Threads do not inherit the parent's tsx hooks: a thread whose entry is TypeScript registers them
// before importing it; a compiled (.js) entry is imported as it is.
const TSX_API = import.meta.resolve('tsx/esm/api')
/** A thread that dies before it is ready is replaced only after this long, so a broken entry cannot spin. */
const RESPAWN_DELAY_MS = 1000
const BOOT = `const { workerData } = require('node:worker_threads')
if (!workerData.entry.endsWith('.ts')) import(workerData.entry)
else import(workerData.tsx).then(({ register }) => { register(); return import(workerData.entry) })`

/**
 * The tasks waiting for a thread. `take` gives the oldest waiting task of the owner with the fewest
 * tasks running on `slots`, ties going to the owner served longest ago (tasks without an owner count
 * as one owner): FIFO when every task has the same owner. `drain` empties the queue and returns what it held.
 */
function createFairQueue(slots: readonly Slot[]): {
  push(pending: Pending): void
  take(): Pending | undefined
  drain(): Pending[]
} {
  const waiting: Pending[] = []
  const servedAt = new Map<string | undefined, number>()
  let served = 0
  return {
    push: (pending) => void waiting.push(pending),
    drain: () => waiting.splice(0),
    take() {
      let best = -1
      let bestKey: [number, number] | undefined
      const seen = new Set<string | undefined>()
      waiting.forEach((pending, index) => {
        const owner = pending.options.owner
        if (seen.has(owner)) return
        seen.add(owner)
        const key: [number, number] = [
          slots.filter((s) => s.current?.options.owner === owner).length,
          servedAt.get(owner) ?? -1,
        ]
        if (bestKey === undefined || key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1]))
          [best, bestKey] = [index, key]
      })
      if (best < 0) return undefined
      const [pending] = waiting.splice(best, 1)
      servedAt.set(pending?.options.owner, (served += 1))
      return pending
    },
  }
}

/** The caller's word on a question, posted back (a throwing caller lets the task go on; its error is logged). */
async function answer(slot: Slot, pending: Pending, seq: number, data: unknown, logger: Logger): Promise<void> {
  let proceed = true
  try {
    proceed = (await pending.options.onProgress?.(data)) !== false
  } catch (err) {
    logger.warn({ err, taskId: pending.id }, 'progress handler failed; the task goes on')
  }
  if (slot.current === pending)
    slot.worker.postMessage({ kind: 'answer', id: pending.id, seq, proceed } satisfies ToWorker)
}

/** Starts `options.size` threads running `options.entry` and returns the pool that hands them tasks (see `WorkerPool`). */
export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const slots: Slot[] = []
  const queue = createFairQueue(slots)
  let nextId = 1
  let isClosed = false

  function dispatch() {
    for (const slot of slots) {
      if (slot.current !== undefined) continue
      const pending = queue.take()
      if (pending === undefined) return
      slot.current = pending
      slot.worker.postMessage({ kind: 'task', id: pending.id, task: pending.task } satisfies ToWorker)
    }
  }

  function onMessage(slot: Slot, message: FromWorker) {
    if (message.kind === 'ready') {
      slot.isReady = true
      return
    }
    const pending = slot.current
    if (pending === undefined || message.id !== pending.id) return
    if (message.kind === 'progress') {
      if (pending.options.onProgress?.(message.data) === false)
        slot.worker.postMessage({ kind: 'stop', id: pending.id } satisfies ToWorker)
      return
    }
    if (message.kind === 'question') {
      void answer(slot, pending, message.seq, message.data, options.logger)
      return
    }
    slot.current = undefined
    if (message.kind === 'result') pending.resolve(message.result)
    else pending.reject(new Error(message.message))
    dispatch()
  }

  function onDeath(slot: Slot, reason: string) {
    const pending = slot.current
    slot.current = undefined
    pending?.reject(new WorkerCrashedError(`ML worker thread died: ${reason}`))
    const index = slots.indexOf(slot)
    if (index >= 0) slots.splice(index, 1)
    if (isClosed) return
    options.logger.error({ reason, taskId: pending?.id }, 'ML worker thread died; starting another')
    if (slot.isReady) {
      spawn()
      dispatch()
      return
    }
    // It never started: waiting tasks would only meet the same fate.
    for (const waiting of queue.drain())
      waiting.reject(new WorkerCrashedError(`ML worker thread could not start: ${reason}`))
    setTimeout(() => {
      if (!isClosed) spawn()
    }, RESPAWN_DELAY_MS).unref()
  }

  function spawn() {
    const worker = new Worker(BOOT, {
      eval: true,
      workerData: { tsx: TSX_API, entry: options.entry.href, options: options.threadOptions },
    })
    const slot: Slot = { worker, current: undefined, isReady: false }
    let isDead = false
    const die = (reason: string) => {
      if (isDead) return
      isDead = true
      onDeath(slot, reason)
    }
    worker.on('message', (message: FromWorker) => onMessage(slot, message))
    worker.on('error', (error) => die(error.message))
    worker.on('exit', (code) => die(`exited with code ${code}`))
    slots.push(slot)
  }

  for (let i = 0; i < options.size; i += 1) spawn()

  return {
    size: options.size,
    run(task, runOptions = {}) {
      if (isClosed) return Promise.reject(new WorkerCrashedError('the ML worker pool is closed'))
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, task, options: runOptions, resolve, reject })
        dispatch()
      })
    },
    async recycle() {
      // Each terminated thread's exit replaces it (onDeath), so the pool keeps its size.
      await Promise.all(slots.map((slot) => slot.worker.terminate()))
    },
    async close() {
      isClosed = true
      for (const pending of queue.drain()) pending.reject(new WorkerCrashedError('the ML worker pool is closed'))
      await Promise.all(slots.map((slot) => slot.worker.terminate()))
    },
  }
}
