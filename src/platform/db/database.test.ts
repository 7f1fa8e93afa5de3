import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { loadConfig } from '../../config.js'
import { databaseTargets } from '../../../test/helpers/databases.js'
import { createLogger } from '../logging/logger.js'
import { createMetrics } from '../metrics/metrics.js'
import { Migrator, sql } from 'kysely'
import { migrateToLatest, openDatabase } from './database.js'
import { migrationProvider } from './migrations/index.js'

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

      assert.deepEqual(await migrateToLatest(handle.db, logger), [
        '0001_accounts',
        '0002_jobs',
        '0003_heart_rate',
        '0004_game_sessions',
        '0005_ml',
        '0006_meditations',
        '0007_m2m_profiles',
        '0008_alert_timeline',
        '0009_local_times',
        '0010_device_presence',
        '0011_sensors',
        '0012_blobs',
        '0013_accounts',
        '0015_playground',
        '0016_playground_datasets',
        '0017_compact_samples',
        '0018_heart_rate_rollups',
        '0019_heart_rate_zone_rollups',
        '0020_dlp_trainspaces',
      ])
      assert.deepEqual(await migrateToLatest(handle.db, logger), [])
      await handle.ping()

      const now = Date.now()
      await handle.db
        .insertInto('users')
        .values({
          id: 'u1',
          email: 'a@example.com',
          password_hash: 'x',
          role: 'user',
          display_name: null,
          settings: '{}',
          created_at: now,
          updated_at: now,
        })
        .execute()
      const row = await handle.db.selectFrom('users').selectAll().where('id', '=', 'u1').executeTakeFirstOrThrow()
      assert.equal(row.created_at, now)
      assert.equal(typeof row.created_at, 'number')
    })

    test('0017, 0018 and 0019 move stored samples to stream keys and build their rollups and zone rollups', async () => {
      const testDb = await target.create()
      cleanups.push(() => testDb.drop())
      const handle = await openDatabase(
        loadConfig({ PULSEBASE_DATABASE_URL: testDb.url }).database,
        createMetrics(),
        logger,
      )
      cleanups.push(() => handle.close())
      const migrator = new Migrator({ db: handle.db, provider: migrationProvider })
      assert.equal((await migrator.migrateTo('0011_sensors')).error, undefined)
      const now = Date.now()
      for (const id of ['u1', 'u2']) {
        await sql`insert into users (id, email, password_hash, role, display_name, settings, created_at, updated_at) values (${id}, ${`${id}@example.com`}, 'x', 'user', null, '{}', ${now}, ${now})`.execute(
          handle.db,
        )
      }
      const T = Date.UTC(2026, 0, 1, 10)
      const old = [
        ['u1', '', T, 60, null, null],
        ['u1', '', T + 30_000, 70, '[800,810]', null],
        ['u1', 'watch', T, 65, null, null],
        ['u1', 'watch', T + 3_600_000, 190, null, 'HIGH'],
        ['u2', '', T + 61_000, 55, null, null],
      ] as const
      for (const [user, device, ts, bpm, rr, alert] of old) {
        await sql`insert into heart_rate_samples (user_id, device_id, ts, bpm, rr_intervals, alert) values (${user}, ${device}, ${ts}, ${bpm}, ${rr}, ${alert})`.execute(
          handle.db,
        )
      }
      const applied = await migrateToLatest(handle.db, logger)
      assert.deepEqual(
        applied.filter((name) => /^001[789]/.test(name)),
        ['0017_compact_samples', '0018_heart_rate_rollups', '0019_heart_rate_zone_rollups'],
      )
      const moved = await handle.db
        .selectFrom('heart_rate_samples')
        .innerJoin('heart_rate_streams', 'heart_rate_streams.id', 'heart_rate_samples.stream_id')
        .select(['user_id', 'device_id', 'ts', 'bpm', 'rr_intervals', 'alert'])
        .orderBy('user_id')
        .orderBy('device_id')
        .orderBy('ts')
        .execute()
      assert.deepEqual(
        moved.map((r) => [r.user_id, r.device_id, Number(r.ts), r.bpm, r.rr_intervals, r.alert]),
        old.map((row) => [...row]),
      )
      const rollups = await handle.db
        .selectFrom('heart_rate_rollups')
        .innerJoin('heart_rate_streams', 'heart_rate_streams.id', 'heart_rate_rollups.stream_id')
        .select(['user_id', 'device_id', 'bucket_ms', 'bucket_start', 'sample_count', 'bpm_sum', 'bpm_min', 'bpm_max'])
        .where('bucket_ms', '=', 60_000)
        .orderBy('user_id')
        .orderBy('device_id')
        .orderBy('bucket_start')
        .execute()
      assert.deepEqual(
        rollups.map((r) => [
          r.user_id,
          r.device_id,
          Number(r.bucket_start),
          Number(r.sample_count),
          Number(r.bpm_sum),
          Number(r.bpm_min),
          Number(r.bpm_max),
        ]),
        [
          ['u1', '', T, 2, 130, 60, 70],
          ['u1', 'watch', T, 1, 65, 65, 65],
          ['u1', 'watch', T + 3_600_000, 1, 190, 190, 190],
          ['u2', '', T + 60_000, 1, 55, 55, 55],
        ],
      )
      const spans = await handle.db
        .selectFrom('heart_rate_hour_spans')
        .innerJoin('heart_rate_streams', 'heart_rate_streams.id', 'heart_rate_hour_spans.stream_id')
        .select([
          'user_id',
          'device_id',
          'hour_start',
          'first_ts',
          'last_ts',
          'longest_interval_ms',
          'first_bpm',
          'last_bpm',
        ])
        .orderBy('user_id')
        .orderBy('device_id')
        .orderBy('hour_start')
        .execute()
      assert.deepEqual(
        spans.map((r) => [
          r.user_id,
          r.device_id,
          ...[r.hour_start, r.first_ts, r.last_ts, r.longest_interval_ms, r.first_bpm, r.last_bpm].map(Number),
        ]),
        [
          ['u1', '', T, T, T + 30_000, 30_000, 60, 70],
          ['u1', 'watch', T, T, T, 0, 65, 65],
          ['u1', 'watch', T + 3_600_000, T + 3_600_000, T + 3_600_000, 0, 190, 190],
          ['u2', '', T, T + 61_000, T + 61_000, 0, 55, 55],
        ],
      )
      const intervals = await handle.db
        .selectFrom('heart_rate_zone_intervals')
        .select(['hour_start', 'bpm_pair', 'interval_count', 'interval_ms'])
        .execute()
      assert.deepEqual(
        intervals.map((r) => [r.hour_start, r.bpm_pair, r.interval_count, r.interval_ms].map(Number)),
        [[T, 130, 1, 30_000]],
      )
    })
  })
}
