import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Sqlite from 'better-sqlite3'
import { Kysely, Migrator, SqliteDialect } from 'kysely'
import { up as createHeartRateTables } from '../../src/platform/db/migrations/0003_heart_rate.js'
import { migrationProvider } from '../../src/platform/db/migrations/index.js'
import { bpmFor } from './accounts.js'
import { trackDir } from './children.js'
import { isInWindow, type Window } from './window.js'

const COLUMNS = 6

/** A fresh SQLite file with the pragmas of src/platform/db/dialect.ts. */
function openSqlite(file: string): Sqlite.Database {
  const db = new Sqlite(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  return db
}

/** A fresh SQLite file set up like src/platform/db/dialect.ts, with heart_rate_samples made by its own migration. */
async function openBaselineDb(file: string): Promise<Sqlite.Database> {
  const db = openSqlite(file)
  db.exec('CREATE TABLE users (id varchar(36) PRIMARY KEY)') // just the parent key the samples' foreign key checks
  await createHeartRateTables(new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) }))
  return db
}

/**
 * Raw better-sqlite3 inserts of `batchSize`-row batches, each one prepared multi-row INSERT ...
 * ON CONFLICT DO NOTHING (what the server's repository sends) in its own transaction, the batches
 * taking turns over `devices` devices of one user like the HTTP bench. Counts rows committed in the window.
 */
export async function rawInsertRows(window: Window, batchSize: number, devices: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pulsebase-bench-sqlite-'))
  const removeDir = trackDir(dir)
  const db = await openBaselineDb(join(dir, 'baseline.sqlite'))
  try {
    const userId = randomUUID()
    const deviceIds = Array.from({ length: devices }, () => randomUUID())
    db.prepare('INSERT INTO users (id) VALUES (?)').run(userId)
    const values = Array.from({ length: batchSize }, () => '(?, ?, ?, ?, ?, ?)').join(', ')
    const insert = db.prepare(
      `INSERT INTO heart_rate_samples (user_id, device_id, ts, bpm, rr_intervals, alert) VALUES ${values} ON CONFLICT DO NOTHING`,
    )
    const commitBatch = db.transaction((params: unknown[]) => insert.run(params))
    const nextTs = deviceIds.map(() => Date.now() - 30 * 86_400_000)
    const params: unknown[] = new Array(batchSize * COLUMNS)
    let rows = 0
    for (let batch = 0; Date.now() < window.measureTo; batch += 1) {
      const device = batch % devices
      let ts = nextTs[device] as number
      for (let at = 0; at < params.length; at += COLUMNS, ts += 1) {
        params[at] = userId
        params[at + 1] = deviceIds[device]
        params[at + 2] = ts
        params[at + 3] = bpmFor(ts)
        params[at + 4] = null
        params[at + 5] = null
      }
      nextTs[device] = ts
      commitBatch(params)
      if (isInWindow(window, Date.now())) rows += batchSize
    }
    return rows
  } finally {
    db.close()
    removeDir()
  }
}

/**
 * Like `rawInsertRows`, into the table the server writes today: every migration applied (the
 * compact `WITHOUT ROWID` samples table keyed by stream and time, migration 0017), one stream per
 * device, `INSERT ... (stream_id, ts, bpm, rr_intervals, alert) VALUES ... ON CONFLICT DO NOTHING`
 * without rollups. The floor for the server's ingest on the same layout.
 */
export async function rawInsertCompactRows(window: Window, batchSize: number, devices: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pulsebase-bench-sqlite-'))
  const removeDir = trackDir(dir)
  const db = openSqlite(join(dir, 'baseline.sqlite'))
  const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) })
  try {
    const { error } = await new Migrator({ db: kysely, provider: migrationProvider }).migrateToLatest()
    if (error) throw error instanceof Error ? error : new Error(String(error))
    const userId = randomUUID()
    db.prepare(
      "INSERT INTO users (id, email, password_hash, role, settings, created_at, updated_at) VALUES (?, ?, 'x', 'user', '{}', 0, 0)",
    ).run(userId, `${userId}@example.com`)
    const streamIds = Array.from(
      { length: devices },
      () =>
        db.prepare('INSERT INTO heart_rate_streams (user_id, device_id) VALUES (?, ?)').run(userId, randomUUID())
          .lastInsertRowid,
    )
    const values = Array.from({ length: batchSize }, () => '(?, ?, ?, ?, ?)').join(', ')
    const insert = db.prepare(
      `INSERT INTO heart_rate_samples (stream_id, ts, bpm, rr_intervals, alert) VALUES ${values} ON CONFLICT DO NOTHING`,
    )
    const commitBatch = db.transaction((params: unknown[]) => insert.run(params))
    const nextTs = streamIds.map(() => Date.now() - 30 * 86_400_000)
    const params: unknown[] = new Array(batchSize * 5)
    let rows = 0
    for (let batch = 0; Date.now() < window.measureTo; batch += 1) {
      const device = batch % devices
      let ts = nextTs[device] as number
      for (let at = 0; at < params.length; at += 5, ts += 1) {
        params[at] = streamIds[device]
        params[at + 1] = ts
        params[at + 2] = bpmFor(ts)
        params[at + 3] = null
        params[at + 4] = null
      }
      nextTs[device] = ts
      commitBatch(params)
      if (isInWindow(window, Date.now())) rows += batchSize
    }
    return rows
  } finally {
    await kysely.destroy()
    removeDir()
  }
}
