import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  databaseTargets,
  insertTestUser,
  type OpenedTestDatabase,
  openTestDatabase,
} from '../../../test/helpers/databases.js'
import type { DatabaseHandle } from '../../platform/db/database.js'
import { insertSamples, parseRr, readSamplePages, type SampleRow } from './heart-rate.repository.js'
import { STORED_HRV, STORED_HRV_SERIES } from './heart-rate.read-tasks.js'
import { computeHrv, continuousSegments } from './hrv.js'
import { parsePackedText, visitRrIntervals } from './rr-intervals.repository.js'

const T0 = Date.UTC(2026, 10, 23, 10)

test('packed RR text is read as JSON.parse reads each array: spaces, decimals, exponents, empty arrays', () => {
  const arrays = ['[800]', '[]', '[ 812.5 , 790 ]', '[1e3,8.5E2,0.25]', '[ ]', '[1234567890123456789]']
  const page = parsePackedText(arrays.map((rr, i) => `${T0 + i * 1000}${rr}`).join(''), arrays.length)
  const read = arrays.map((_, i) => page.values.slice(i === 0 ? 0 : page.ends[i - 1], page.ends[i]))
  assert.deepEqual(
    read,
    arrays.map((rr) => JSON.parse(rr)),
  )
  assert.deepEqual(
    [...page.ts],
    arrays.map((_, i) => T0 + i * 1000),
  )
})

for (const target of await databaseTargets()) {
  describe(`RR intervals read for HRV on ${target.kind}`, { skip: target.skip }, () => {
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

    test('several devices, equal times, gaps and samples without intervals: the same samples in the same (time, device) order as readSamplePages, and the same HRV', async () => {
      const userId = await newUser()
      const rows: SampleRow[] = []
      for (const [device, step, offset] of [
        ['', 1000, 0],
        ['watch-b', 2000, 0],
        ['strap-a', 3000, 500],
      ] as const) {
        for (let i = 0; i < 60; i++) {
          const ts = T0 + offset + i * step + (i >= 40 ? 30_000 : 0)
          const rr = i % 11 === 5 ? null : i % 13 === 7 ? '[]' : `[${700 + ((i * 37) % 150)}.5, ${760 + i}]`
          rows.push({ user_id: userId, device_id: device, ts, bpm: 70, rr_intervals: rr, alert: null })
        }
      }
      await database.db.transaction().execute((trx) => insertSamples(trx, database.kind, rows))
      const range = { from: T0 + 1000, to: T0 + 150_000 }

      const expected: Array<[number, number[]]> = []
      for await (const page of readSamplePages(database.db, userId, range, 1000))
        for (const row of page) expected.push([row.ts, parseRr(row.rr_intervals) ?? []])
      const seen: Array<[number, number[]]> = []
      await visitRrIntervals(database.db, userId, range, 7, (ts, values, start, end) =>
        seen.push([ts, values.slice(start, end)]),
      )
      assert.equal(seen.length, rows.filter((r) => r.ts >= range.from && r.ts < range.to).length)
      assert.deepEqual(seen, expected)

      const samples = expected.map(([ts, rrIntervalsMs]) => ({ ts, rrIntervalsMs }))
      assert.deepEqual(await STORED_HRV.run(database.db, { userId, range }), computeHrv(continuousSegments(samples)))
      const perMinute = await STORED_HRV_SERIES.run(database.db, { userId, range, bucket: '1m', timeZone: 'UTC' })
      assert.deepEqual(
        perMinute.map((point) => point.intervalCount),
        [0, 1, 2].map(
          (m) =>
            computeHrv(
              continuousSegments(
                samples.filter((s) => s.rrIntervalsMs.length > 0 && Math.floor((s.ts - T0) / 60_000) === m),
              ),
            ).intervalCount,
        ),
      )
      const oneDevice = { ...range, deviceId: 'watch-b' }
      const fromOne = rows.filter((r) => r.device_id === 'watch-b' && r.ts >= range.from && r.ts < range.to)
      assert.deepEqual(
        await STORED_HRV.run(database.db, { userId, range: oneDevice }),
        computeHrv(continuousSegments(fromOne.map((r) => ({ ts: r.ts, rrIntervalsMs: parseRr(r.rr_intervals) })))),
      )
    })
  })
}
