// Read tasks: a read together with the work done on its rows (HRV over a day, an export page turned
// into text), run where the rows are. On SQLite that is a reader thread (sqlite-readers.ts), so
// neither the query nor the work on its result holds the event loop, and the rows never cross to
// the main thread, only the answer; on PostgreSQL and MariaDB, whose drivers never block, it runs
// in-process over the pool. A domain declares its tasks in a module of its own; the thread imports
// that module by URL, so platform/ never imports a domain.
import type { Kysely } from 'kysely'
import type { Database } from './schema.js'

/**
 * A read task: `run(db, args)`, exported as `name` from the module at `module` (its own
 * `import.meta.url`). `args` and the answer must survive a structured clone (plain data).
 */
export interface ReadTask<A, R> {
  readonly module: string
  readonly name: string
  readonly run: (db: Kysely<Database>, args: A) => Promise<R>
}

/** Declares a read task; call it at a module's top level as `defineReadTask(import.meta.url, 'name', fn)`. */
export function defineReadTask<A, R>(
  module: string,
  name: string,
  run: (db: Kysely<Database>, args: A) => Promise<R>,
): ReadTask<A, R> {
  return { module, name, run }
}

/** Runs read tasks: on reader threads (SQLite) or in-process (PostgreSQL, MariaDB). */
export interface ReadTaskRunner {
  run<A, R>(task: ReadTask<A, R>, args: A): Promise<R>
}

/** The runner for drivers that never block: the task runs here, over `db`. */
export function runReadTasksInProcess(db: Kysely<Database>): ReadTaskRunner {
  return { run: (task, args) => task.run(db, args) }
}

/** What a reader thread is sent for a read task. */
export interface ReadTaskMessage {
  readonly module: string
  readonly name: string
  readonly args: unknown
}
