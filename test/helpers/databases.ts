import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config.js'
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../../src/platform/db/database.js'
import { createLogger } from '../../src/platform/logging/logger.js'
import { createMetrics } from '../../src/platform/metrics/metrics.js'
import { MARIADB, POSTGRES, type Service, skipUnless } from './services.js'

export type DatabaseKind = 'sqlite' | 'postgres' | 'mysql'

/** A database made for one test file and dropped after it. */
export interface TestDatabase {
  readonly kind: DatabaseKind
  readonly url: string
  drop(): Promise<void>
}

export interface DatabaseTarget {
  readonly kind: DatabaseKind
  /** The skip reason when the server does not answer. */
  readonly skip: string | undefined
  create(): Promise<TestDatabase>
}

const POSTGRES_ADMIN_URL = POSTGRES.url
const MARIADB_ADMIN_URL = MARIADB.url

function uniqueName(): string {
  return `pb_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
}

async function createSqlite(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'pulsebase-db-'))
  return {
    kind: 'sqlite',
    url: `sqlite://${join(dir, 'test.sqlite')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  }
}

async function createPostgres(): Promise<TestDatabase> {
  const { default: pg } = await import('pg')
  const name = uniqueName()
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    kind: 'postgres',
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await client.end()
    },
  }
}

async function createMariadb(): Promise<TestDatabase> {
  const mysql = await import('mysql2/promise')
  const name = uniqueName()
  const admin = await mysql.createConnection({ uri: MARIADB_ADMIN_URL })
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(MARIADB_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    kind: 'mysql',
    url: url.toString(),
    drop: async () => {
      const client = await mysql.createConnection({ uri: MARIADB_ADMIN_URL })
      await client.query(`DROP DATABASE IF EXISTS ${name}`)
      await client.end()
    },
  }
}

async function target(kind: DatabaseKind, service: Service | undefined, create: () => Promise<TestDatabase>) {
  return { kind, skip: service ? await skipUnless(service) : undefined, create }
}

/** SQLite always; PostgreSQL and MariaDB when they answer on loopback. */
export async function databaseTargets(): Promise<DatabaseTarget[]> {
  return [
    await target('sqlite', undefined, createSqlite),
    await target('postgres', POSTGRES, createPostgres),
    await target('mysql', MARIADB, createMariadb),
  ]
}

export interface OpenedTestDatabase {
  readonly database: DatabaseHandle
  close(): Promise<void>
}

/** A fresh, migrated database of `target`, opened as the app opens it; `close` closes and drops it. */
export async function openTestDatabase(target: DatabaseTarget): Promise<OpenedTestDatabase> {
  const testDb = await target.create()
  const logger = createLogger('silent')
  const database = await openDatabase(
    loadConfig({ PULSEBASE_DATABASE_URL: testDb.url }).database,
    createMetrics(),
    logger,
  )
  await migrateToLatest(database.db, logger)
  return {
    database,
    async close() {
      await database.close()
      await testDb.drop()
    },
  }
}

/** Inserts a user row (no password anyone can use) for repository tests; answers its id. */
export async function insertTestUser(database: DatabaseHandle): Promise<string> {
  const id = randomUUID()
  await database.db
    .insertInto('users')
    .values({
      id,
      email: `${id}@example.com`,
      password_hash: 'x',
      role: 'user',
      display_name: null,
      settings: '{}',
      created_at: 0,
      updated_at: 0,
    })
    .execute()
  return id
}
