import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { threadNices } from '../../../test/helpers/threads.js'
import { sql } from 'kysely'
import { loadConfig } from '../../config.js'
import { createLogger } from '../logging/logger.js'
import { createMetrics } from '../metrics/metrics.js'
import { migrateToLatest, openDatabase } from './database.js'
import { openSqliteReaderThreads, SQLITE_READER_NICE, SQLITE_READER_THREADS } from './sqlite-readers.js'

const logger = createLogger('silent')

describe('SQLite reader threads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pulsebase-readers-'))
  const opened = openDatabase(
    loadConfig({ PULSEBASE_DATABASE_URL: `sqlite://${join(dir, 'db.sqlite')}` }).database,
    createMetrics(),
    logger,
  )
  after(async () => {
    await (await opened).close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('a read runs off the event loop: the loop keeps turning until its answer comes', async () => {
    const handle = await opened
    await migrateToLatest(handle.db, logger)
    assert.notEqual(handle.reader, handle.db)
    let turns = 0
    let isReading = true
    const spin = () => {
      turns += 1
      if (isReading) setImmediate(spin)
    }
    setImmediate(spin)
    // Two million rows counted by a recursive query: long work for one statement.
    const read = sql<{
      n: number
    }>`with recursive c(x) as (select 1 union all select x + 1 from c where x < 2000000) select count(*) as n from c`.execute(
      handle.reader,
    )
    const turnsAtStart = turns
    const { rows } = await read
    isReading = false
    assert.equal(rows[0]?.n, 2_000_000)
    // On the event loop the statement would hold it from start to end: no turn between.
    assert.ok(turns - turnsAtStart > 100, `the loop turned ${turns - turnsAtStart} times during the read`)
    const nices = threadNices()
    if (nices !== null) {
      // Linux keeps nice per thread: the reader that ran is reniced, the event loop's thread is not.
      assert.ok([...nices.values()].includes(SQLITE_READER_NICE), 'a thread at the reader nice')
      assert.notEqual(nices.get(process.pid), SQLITE_READER_NICE)
    }
  })

  test('readers see what the main connection committed, and refuse writes', async () => {
    const handle = await opened
    const now = Date.now()
    await handle.db
      .insertInto('users')
      .values({
        id: 'r1',
        email: 'r1@example.com',
        password_hash: 'x',
        role: 'user',
        display_name: null,
        settings: '{}',
        created_at: now,
        updated_at: now,
      })
      .execute()
    const row = await handle.reader.selectFrom('users').select('email').where('id', '=', 'r1').executeTakeFirst()
    assert.equal(row?.email, 'r1@example.com')
    await assert.rejects(
      handle.reader.deleteFrom('users').where('id', '=', 'r1').execute(),
      /only statements that return rows|readonly/,
    )
    await assert.rejects(
      handle.reader.transaction().execute(async () => undefined),
      /takes no transactions/,
    )
    assert.equal((await handle.db.selectFrom('users').select('id').where('id', '=', 'r1').executeTakeFirst())?.id, 'r1')
  })

  test('reader threads start with the first read, end once reads have been idle, and start again with the next', async () => {
    const handle = await opened
    await migrateToLatest(handle.db, logger)
    const readers = openSqliteReaderThreads(join(dir, 'db.sqlite'), logger, 100)
    try {
      assert.equal(readers.readerThreads(), 0, 'none before the first read')
      const count = () => sql<{ n: number }>`select count(*) as n from users`.execute(readers.reader)
      assert.equal((await count()).rows.length, 1)
      assert.equal(readers.readerThreads(), SQLITE_READER_THREADS, 'kept right after a read')
      for (let i = 0; i < 600 && readers.readerThreads() > 0; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 20))
      assert.equal(readers.readerThreads(), 0, 'released once idle')
      assert.equal((await count()).rows.length, 1, 'the next read starts them again')
      assert.equal(readers.readerThreads(), SQLITE_READER_THREADS)
    } finally {
      await readers.close()
    }
    assert.equal(readers.readerThreads(), 0, 'none after close')
    await assert.rejects(sql`select 1`.execute(readers.reader), /closed|destroyed/)
  })
})
