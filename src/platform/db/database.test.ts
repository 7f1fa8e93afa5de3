import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { loadConfig } from '../../config.js'
import { databaseTargets } from '../../../test/helpers/databases.js'
import { createLogger } from '../logging/logger.js'
import { createMetrics } from '../metrics/metrics.js'
import { migrateToLatest, openDatabase } from './database.js'

const logger = createLogger('silent')

for (const target of await databaseTargets()) {
  describe(`database on ${target.kind}`, { skip: target.skip }, () => {
    const cleanups: Array<() => Promise<void>> = []
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup()
    })

    test('migrations apply once, then are a no-op, and the schema round-trips epoch-ms bigints', async () => {
      const testDb = await target.create()
      cleanups.push(() => testDb.drop())
      const config = loadConfig({ PULSEBASE_DATABASE_URL: testDb.url })
      const handle = await openDatabase(config.database, createMetrics(), logger)
      cleanups.push(() => handle.close())

      assert.deepEqual(await migrateToLatest(handle.db, logger), ['0001_accounts', '0002_jobs', '0003_heart_rate', '0004_game_sessions', '0005_ml', '0006_meditations', '0007_m2m_profiles', '0008_alert_timeline', '0009_local_times', '0010_device_presence', '0011_sensors', '0012_blobs', '0013_accounts'])
      assert.deepEqual(await migrateToLatest(handle.db, logger), [])
      await handle.ping()

      const now = Date.now()
      await handle.db
        .insertInto('users')
        .values({ id: 'u1', email: 'a@example.com', password_hash: 'x', role: 'user', display_name: null, settings: '{}', created_at: now, updated_at: now })
        .execute()
      const row = await handle.db.selectFrom('users').selectAll().where('id', '=', 'u1').executeTakeFirstOrThrow()
      assert.equal(row.created_at, now)
      assert.equal(typeof row.created_at, 'number')
    })
  })
}
