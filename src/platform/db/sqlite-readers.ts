import type { Logger } from 'pino'
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely'
import { type IdleReleased, releasedWhenIdle } from '../ml-runtime/idle-release.js'
import { createWorkerPool, type WorkerPool } from '../ml-runtime/worker-pool.js'
import type { ReadTask, ReadTaskMessage, ReadTaskRunner } from './read-tasks.js'
import type { Database } from './schema.js'

// Beside this module: the .ts entry when run from source, the .js one when compiled to dist/.
const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './sqlite-reader-thread.ts' : './sqlite-reader-thread.js',
  import.meta.url,
)
/** Reader threads: as many as the cores of the small machines this runs on by default. */
export const SQLITE_READER_THREADS = 2
/**
 * Reader threads run at this Linux nice value (per thread there), like training threads
 * (ml-runtime.ts), so a long read or export competing for the cores leaves the event loop the CPU
 * its turns need: a weight of 110 against the event loop's 1,024 under CFS. Idle cores still go
 * to the readers; only under contention do they yield.
 */
export const SQLITE_READER_NICE = 10

/** Reader threads end after this long without a read (each is a V8 isolate with its own heap and connection, about 20 MB resident), and start again with the next. */
export const SQLITE_READERS_IDLE_MS = 60_000

/** The reader threads, started on the first use and ended once idle, so a process that does not read long holds none. */
class ReaderThreads {
  private readonly pool: IdleReleased<WorkerPool>
  private isClosed = false
  constructor(file: string, logger: Logger, idleMs: number) {
    this.pool = releasedWhenIdle({
      open: () =>
        createWorkerPool({
          entry: ENTRY,
          size: SQLITE_READER_THREADS,
          logger,
          threadOptions: { file, nice: SQLITE_READER_NICE },
        }),
      close: (pool) => pool.close(),
      idleMs,
    })
  }

  run(task: { sql: string; parameters: readonly unknown[] } | ReadTaskMessage): Promise<unknown> {
    if (this.isClosed) return Promise.reject(new Error('the SQLite readers are closed'))
    return this.pool.use((pool) => pool.run(task))
  }

  /** Threads running now: 0 before the first read and again once reads have been idle for the idle period. */
  size(): number {
    return this.pool.current()?.size ?? 0
  }

  async close(): Promise<void> {
    this.isClosed = true
    await this.pool.close()
  }
}

/** Runs each SELECT on a reader thread. */
class ThreadReadDriver implements Driver {
  constructor(private readonly threads: ReaderThreads) {}

  private readonly connection: DatabaseConnection = {
    executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
      return { rows: (await this.threads.run({ sql: query.sql, parameters: query.parameters })) as R[] }
    },
    streamQuery: () => {
      throw new Error('the SQLite reader does not stream; read in pages')
    },
  }

  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.connection
  }
  async beginTransaction(): Promise<void> {
    throw new Error('the SQLite reader takes no transactions; write through the main connection')
  }
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {
    await this.threads.close()
  }
}

export interface SqliteReaders {
  /** Read-only Kysely: each statement runs on a reader thread. Destroying it ends the threads. */
  readonly reader: Kysely<Database>
  /** Read tasks (read-tasks.ts) run whole on a reader thread, over its own connection. */
  readonly tasks: ReadTaskRunner
  /** Reader threads running now (0 until the first read, and again after `SQLITE_READERS_IDLE_MS` without one). */
  readerThreads(): number
  /** Ends the threads (`reader.destroy()` alone does not when only read tasks ran: Kysely never started its driver). */
  close(): Promise<void>
}

/**
 * Reader threads, each with its own read-only connection to the SQLite `file`: a long read, or a
 * read task's work on its rows, holds a thread, never the event loop. A write committed before a
 * read starts is seen by it (WAL); statements that do not return rows are refused.
 */
export function openSqliteReaderThreads(file: string, logger: Logger, idleMs = SQLITE_READERS_IDLE_MS): SqliteReaders {
  const threads = new ReaderThreads(file, logger, idleMs)
  const dialect: Dialect = {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new ThreadReadDriver(threads),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  }
  const reader = new Kysely<Database>({ dialect })
  return {
    reader,
    tasks: {
      run: async <A, R>(task: ReadTask<A, R>, args: A) =>
        (await threads.run({ module: task.module, name: task.name, args })) as R,
    },
    readerThreads: () => threads.size(),
    close: async () => {
      await reader.destroy()
      await threads.close()
    },
  }
}

/** The read-only Kysely of `openSqliteReaderThreads`, for callers that only run statements. */
export function openSqliteReaders(file: string, logger: Logger): Kysely<Database> {
  return openSqliteReaderThreads(file, logger).reader
}
