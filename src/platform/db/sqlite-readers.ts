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
import { createWorkerPool, type WorkerPool } from '../ml-runtime/worker-pool.js'
import type { Database } from './schema.js'

// Beside this module: the .ts entry when run from source, the .js one when compiled to dist/.
const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './sqlite-reader-thread.ts' : './sqlite-reader-thread.js',
  import.meta.url,
)
/** Reader threads: as many as the cores of the small machines this runs on by default. */
export const SQLITE_READER_THREADS = 2

/** Runs each SELECT on a reader thread; the pool starts on the first read, so a process that never reads long starts none. */
class ThreadReadDriver implements Driver {
  private pool: WorkerPool | undefined
  constructor(
    private readonly file: string,
    private readonly logger: Logger,
  ) {}

  private readonly connection: DatabaseConnection = {
    executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
      this.pool ??= createWorkerPool({
        entry: ENTRY,
        size: SQLITE_READER_THREADS,
        logger: this.logger,
        threadOptions: { file: this.file },
      })
      return { rows: (await this.pool.run({ sql: query.sql, parameters: query.parameters })) as R[] }
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
    await this.pool?.close()
    this.pool = undefined
  }
}

/**
 * A read-only Kysely over reader threads, each with its own connection to the SQLite `file`: a long
 * read holds a thread, never the event loop. A write committed before a read starts is seen by it
 * (WAL); statements that do not return rows are refused.
 */
export function openSqliteReaders(file: string, logger: Logger): Kysely<Database> {
  const dialect: Dialect = {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new ThreadReadDriver(file, logger),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  }
  return new Kysely<Database>({ dialect })
}
