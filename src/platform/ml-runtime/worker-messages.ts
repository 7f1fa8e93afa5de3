/** Messages from a pool to its thread. */
export type ToWorker =
  | { kind: 'task'; id: number; task: unknown }
  | { kind: 'stop'; id: number }
  | { kind: 'answer'; id: number; seq: number; proceed: boolean }

/** Messages from a thread to its pool. */
export type FromWorker =
  | { kind: 'ready'; id: 0 }
  | { kind: 'progress'; id: number; data: unknown }
  /** Progress the task waits on: it goes on only once the pool answers (see `TaskContext.ask`). */
  | { kind: 'question'; id: number; seq: number; data: unknown }
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; message: string }
