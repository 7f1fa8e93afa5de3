import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { type Dialect, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely'
import type { DatabaseConfig } from '../../config.js'

/** Builds the Kysely dialect for a database URL; drivers load lazily so unused ones cost nothing. */
export async function createDialect(config: DatabaseConfig, onIdleError: (error: Error) => void): Promise<Dialect> {
  switch (config.kind) {
    case 'sqlite': {
      const { default: Sqlite } = await import('better-sqlite3')
      mkdirSync(dirname(config.file), { recursive: true })
      const db = new Sqlite(config.file)
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.pragma('busy_timeout = 5000')
      db.pragma('foreign_keys = ON')
      return new SqliteDialect({ database: db })
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
      })
    }
  }
}
