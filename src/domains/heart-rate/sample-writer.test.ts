import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  databaseTargets,
  insertTestUser,
  type OpenedTestDatabase,
  openTestDatabase,
} from '../../../test/helpers/databases.js'
import type { DatabaseHandle } from '../../platform/db/database.js'
import { createSampleWriter } from './sample-writer.js'

const T0 = Date.UTC(2026, 10, 23, 10)

for (const target of await databaseTargets()) {
  describe(`the group-commit sample writer on ${target.kind}`, { skip: target.skip }, () => {
    let opened: OpenedTestDatabase
    let database: DatabaseHandle

    before(async () => {
      opened = await openTestDatabase(target)
      database = opened.database
    })
    after(async () => {
      await opened?.close()
    })

    const newUser = () => insertTestUser(database)

    test('writes that arrive while none has started are committed together: one transaction per 20 callers, each answered with its own outcome', async () => {
      const userId = await newUser()
      let flushes = 0
      // The writer reads its clock once per transaction: the count of reads is the count of commits.
      const writer = createSampleWriter({
        db: database.db,
        kind: database.kind,
        alertClearSamples: 3,
        now: () => ++flushes,
      })
      const writes = Array.from({ length: 50 }, (_, i) =>
        writer.write({
          userId,
          deviceId: '',
          samples: [
            { ts: T0 + i * 1000, bpm: i === 7 ? 160 : 70, rrIntervalsMs: null, alert: i === 7 ? 'HIGH' : null },
          ],
        }),
      )
      const again = writer.write({
        userId,
        deviceId: '',
        samples: [{ ts: T0, bpm: 70, rrIntervalsMs: null, alert: null }],
      })
      const outcomes = await Promise.all([...writes, again])
      assert.equal(flushes, 3, '51 callers in waves of at most 20')
      assert.deepEqual(
        outcomes.map((o) => o.alreadyStored),
        [...Array.from({ length: 50 }, () => [false]), [true]],
      )
      // The HIGH at 7 s opened an episode, closed by 8, 9 and 10 s; one caller of the flush announces it.
      const announcers = outcomes.filter((o) => o.isAnnouncer && o.alerts.opened.length > 0)
      assert.equal(announcers.length, 1)
      assert.deepEqual(
        announcers[0]?.alerts.opened.map((row) => [row.opened_at, row.closed_at]),
        [[T0 + 7000, T0 + 10_000]],
      )
      const stored = await database.db
        .selectFrom('heart_rate_samples')
        .innerJoin('heart_rate_streams', 'heart_rate_streams.id', 'heart_rate_samples.stream_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow()
      assert.equal(Number(stored.n), 50)
    })

    test("a write inside the caller's transaction is rolled back with it, episodes included", async () => {
      const userId = await newUser()
      const writer = createSampleWriter({ db: database.db, kind: database.kind, alertClearSamples: 3, now: () => 1 })
      await assert.rejects(
        database.db.transaction().execute(async (trx) => {
          const outcome = await writer.writeIn(trx, {
            userId,
            deviceId: '',
            samples: [{ ts: T0, bpm: 170, rrIntervalsMs: null, alert: 'HIGH' }],
          })
          assert.equal(outcome.alerts.opened.length, 1)
          throw new Error('the caller fails after the write')
        }),
        /the caller fails/,
      )
      const samples = await database.db
        .selectFrom('heart_rate_samples')
        .innerJoin('heart_rate_streams', 'heart_rate_streams.id', 'heart_rate_samples.stream_id')
        .selectAll()
        .where('user_id', '=', userId)
        .execute()
      const alerts = await database.db
        .selectFrom('heart_rate_alerts')
        .selectAll()
        .where('user_id', '=', userId)
        .execute()
      assert.deepEqual([samples.length, alerts.length], [0, 0])
    })
  })
}
