import { Kysely, Migrator, MysqlAdapter, PostgresAdapter, sql } from 'kysely'
import type { Logger } from 'pino'
import type { DatabaseConfig } from '../../config.js'
import type { Metrics } from '../metrics/metrics.js'
import { createDialect } from './dialect.js'
import { type ReadTaskRunner, runReadTasksInProcess } from './read-tasks.js'
import { openSqliteReaderThreads } from './sqlite-readers.js'
import { migrationProvider } from './migrations/index.js'
import type { Database } from './schema.js'

export type Db = Kysely<Database>
export type DatabaseKind = DatabaseConfig['kind']

export interface DatabaseHandle {
  readonly db: Db
  /**
   * For reads that can take long: on SQLite a pool of reader threads with their own connections
   * (sqlite-readers.ts), so the event loop never waits on one; on PostgreSQL and MariaDB `db`
   * itself (their drivers do not block). Read-only: no transactions, no writes.
   */
  readonly reader: Db
  /** Read tasks (read-tasks.ts): whole on a reader thread on SQLite, in-process over `db` elsewhere. */
  readonly readTasks: ReadTaskRunner
  readonly kind: DatabaseKind
  ping(): Promise<void>
  close(): Promise<void>
}

/** Which engine a Kysely instance (or transaction) talks to, for the few statements whose spelling differs. */
export function readDatabaseKind(db: Kysely<unknown> | Db): DatabaseKind {
  const adapter = (db as Kysely<unknown>).getExecutor().adapter
  if (adapter instanceof MysqlAdapter) return 'mysql'
  if (adapter instanceof PostgresAdapter) return 'postgres'
  return 'sqlite'
}

/** Opens the configured database, timing every query into the metrics registry. */
export async function openDatabase(config: DatabaseConfig, metrics: Metrics, logger: Logger): Promise<DatabaseHandle> {
  const db = new Kysely<Database>({
    dialect: await createDialect(config, (err) => logger.warn({ err }, 'idle database connection failed')),
    log(event) {
      const outcome = event.level === 'error' ? 'error' : 'ok'
      metrics.dbQueryDuration.observe({ outcome }, event.queryDurationMillis / 1000)
      if (event.level === 'error') logger.warn({ err: event.error }, 'query failed')
    },
  })
  const threads = config.kind === 'sqlite' ? openSqliteReaderThreads(config.file, logger) : undefined
  const reader = threads?.reader ?? db
  return {
    db,
    reader,
    readTasks: threads?.tasks ?? runReadTasksInProcess(db),
    kind: config.kind,
    ping: async () => {
      await sql`select 1`.execute(db)
    },
    close: async () => {
      await threads?.close()
      await db.destroy()
    },
  }
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<Database>, logger: Logger): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider })
  const { error, results = [] } = await migrator.migrateToLatest()
  for (const r of results) logger.info({ migration: r.migrationName, status: r.status }, 'migration')
  if (error) throw error instanceof Error ? error : new Error(String(error))
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
