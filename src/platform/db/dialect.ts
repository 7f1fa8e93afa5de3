import { ensurePrivateDir, ensurePrivateFile, narrowExistingFiles } from '../files/private-files.js'
import { dirname } from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import { CompiledQuery, type Dialect, MysqlDialect, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely'
import type { DatabaseConfig } from '../../config.js'

const STATEMENT_CACHE_SIZE = 256

/**
 * Kysely prepares every query anew; on SQLite preparing is a real share of the cost (a 1,000-row
 * insert has 6,000 placeholders), so prepared statements are reused by SQL text. A statement still
 * being iterated is `busy` and is never handed out twice.
 */
function withStatementCache(db: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>()
  return {
    close: () => db.close(),
    prepare(sql) {
      const cached = cache.get(sql)
      if (cached !== undefined && !cached.busy) return cached
      const statement = db.prepare(sql)
      if (cached === undefined) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string)
        cache.set(sql, statement)
      }
      return statement
    },
  }
}

/** Builds the Kysely dialect for a database URL; drivers load lazily so unused ones cost nothing. */
export async function createDialect(config: DatabaseConfig, onIdleError: (error: Error) => void): Promise<Dialect> {
  switch (config.kind) {
    case 'sqlite': {
      const { default: Sqlite } = await import('better-sqlite3')
      ensurePrivateDir(dirname(config.file))
      // SQLite gives the -wal and -shm files the database file's mode, so 0600 here makes them 0600 too.
      ensurePrivateFile(config.file)
      narrowExistingFiles([`${config.file}-wal`, `${config.file}-shm`])
      const db = new Sqlite(config.file)
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.pragma('busy_timeout = 5000')
      db.pragma('foreign_keys = ON')
      return new SqliteDialect({ database: withStatementCache(db) })
    }
    case 'postgres': {
      const pg = await import('pg')
      pg.default.types.setTypeParser(20, (value) => Number(value)) // bigint epoch-ms columns
      const pool = new pg.default.Pool({ connectionString: config.url, max: 10 })
      // An idle client's connection can drop (server restart); without a listener that error kills the process.
      pool.on('error', (error) => onIdleError(error))
      return new PostgresDialect({ pool })
    }
    case 'mysql': {
      const mysql = await import('mysql2')
      return new MysqlDialect({
        pool: mysql.createPool({ uri: config.url, connectionLimit: 10, supportBigNumbers: true, timezone: 'Z' }),
        // READ COMMITTED, as PostgreSQL runs by default, so all engines share one isolation: under
        // InnoDB's REPEATABLE READ an UPDATE that finds no row takes a gap lock, and two writers
        // creating the same per-user counter row (sync feed, alert episode state) deadlock.
        onCreateConnection: async (connection) => {
          await connection.executeQuery(CompiledQuery.raw('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED'))
        },
      })
    }
  }
}
