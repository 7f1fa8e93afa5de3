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
 * Commits `batchSize`-row batches through `insert` (one prepared multi-row statement of `columns`
 * parameters a row) until the window ends, the batches taking turns over `keys` (one per device);
 * `fill(params, at, key, ts)` writes a row's parameters in place from `at` (no array per row).
 * Counts rows committed in the window.
 */
function commitBatches(
  db: Sqlite.Database,
  window: Window,
  insert: Sqlite.Statement,
  shape: { readonly batchSize: number; readonly columns: number },
  keys: readonly unknown[][],
  fill: (params: unknown[], at: number, key: readonly unknown[], ts: number) => void,
): number {
  const commitBatch = db.transaction((params: unknown[]) => insert.run(params))
  const nextTs = keys.map(() => Date.now() - 30 * 86_400_000)
  const params: unknown[] = new Array(shape.batchSize * shape.columns)
  let rows = 0
  for (let batch = 0; Date.now() < window.measureTo; batch += 1) {
    const device = batch % keys.length
    let ts = nextTs[device] as number
    for (let at = 0; at < params.length; at += shape.columns, ts += 1) fill(params, at, keys[device] as unknown[], ts)
    nextTs[device] = ts
    commitBatch(params)
    if (isInWindow(window, Date.now())) rows += shape.batchSize
  }
  return rows
}

/** `batchSize` rows of `columns` placeholders: `(?, ?, …), (?, ?, …), …`. */
const placeholders = (batchSize: number, columns: number) =>
  Array.from({ length: batchSize }, () => `(${Array.from({ length: columns }, () => '?').join(', ')})`).join(', ')

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
    db.prepare('INSERT INTO users (id) VALUES (?)').run(userId)
    const insert = db.prepare(
      `INSERT INTO heart_rate_samples (user_id, device_id, ts, bpm, rr_intervals, alert) VALUES ${placeholders(batchSize, 6)} ON CONFLICT DO NOTHING`,
    )
    const keys = Array.from({ length: devices }, () => [userId, randomUUID()])
    return commitBatches(db, window, insert, { batchSize, columns: 6 }, keys, (params, at, [user, device], ts) => {
      params[at] = user
      params[at + 1] = device
      params[at + 2] = ts
      params[at + 3] = bpmFor(ts)
      params[at + 4] = null
      params[at + 5] = null
    })
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
    const addStream = db.prepare('INSERT INTO heart_rate_streams (user_id, device_id) VALUES (?, ?)')
    const keys = Array.from({ length: devices }, () => [addStream.run(userId, randomUUID()).lastInsertRowid])
    const insert = db.prepare(
      `INSERT INTO heart_rate_samples (stream_id, ts, bpm, rr_intervals, alert) VALUES ${placeholders(batchSize, 5)} ON CONFLICT DO NOTHING`,
    )
    return commitBatches(db, window, insert, { batchSize, columns: 5 }, keys, (params, at, [stream], ts) => {
      params[at] = stream
      params[at + 1] = ts
      params[at + 2] = bpmFor(ts)
      params[at + 3] = null
      params[at + 4] = null
    })
  } finally {
    await kysely.destroy()
    removeDir()
  }
}
