import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'

const HOUR = 3_600_000
const iso = (ms: number) => new Date(ms).toISOString()
type Point = { start: string; count: number; min: number; avg: number; max: number }

for (const target of await databaseTargets()) {
  describe(`day and hour buckets in a time zone on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client

    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url })
      api = client(server.url)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    const post = (token: string, samples: Array<[number, number]>) =>
      api.post('/v1/heart-rate/samples', { samples: samples.map(([timestamp, bpm]) => ({ timestamp, bpm })) }, token)
    const series = async (token: string, query: string) => {
      const reply = await api.get(`/v1/heart-rate/series?${query}`, token)
      assert.equal(reply.status, 200, JSON.stringify(reply.body))
      return reply.body as { bucket: string; timeZone: string; points: Point[] }
    }

    test('20:00 and 08:00 the next morning in UTC-8 are two local days, one UTC day', async () => {
      const user = await signUp(api)
      // 2026-11-10 20:00 and 2026-11-11 08:00 in Los Angeles (PST, UTC-8) are 11-11 04:00Z and 16:00Z.
      await api.post(
        '/v1/heart-rate/samples',
        {
          samples: [
            [Date.UTC(2026, 10, 11, 4), 60],
            [Date.UTC(2026, 10, 11, 16), 80],
          ].map(([timestamp, bpm]) => ({ timestamp, bpm, rrIntervalsMs: [800, 820, 810] })),
        },
        user.accessToken,
      )
      const range = `from=2026-11-09T00:00:00Z&to=2026-11-13T00:00:00Z&bucket=1d`
      const utc = await series(user.accessToken, range)
      assert.deepEqual(
        [utc.timeZone, utc.points],
        ['UTC', [{ start: '2026-11-11T00:00:00.000Z', count: 2, min: 60, avg: 70, max: 80 }]],
      )
      const local = await series(user.accessToken, `${range}&tz=America/Los_Angeles`)
      assert.deepEqual(local.points, [
        { start: '2026-11-10T08:00:00.000Z', count: 1, min: 60, avg: 60, max: 60 },
        { start: '2026-11-11T08:00:00.000Z', count: 1, min: 80, avg: 80, max: 80 },
      ])
      // The user's setting is the default; the parameter still wins.
      await api.patch('/v1/me', { settings: { timeZone: 'America/Los_Angeles' } }, user.accessToken)
      assert.deepEqual((await series(user.accessToken, range)).points, local.points)
      assert.equal((await series(user.accessToken, `${range}&tz=UTC`)).points.length, 1)
      // HRV per day follows the same days.
      const hrvDays = async (tz: string) =>
        (await api.get(`/v1/heart-rate/hrv/series?${range}&tz=${tz}`, user.accessToken)).body.points.map(
          (p: { start: string; intervalCount: number }) => [p.start, p.intervalCount],
        )
      assert.deepEqual(await hrvDays('America/Los_Angeles'), [
        ['2026-11-10T08:00:00.000Z', 3],
        ['2026-11-11T08:00:00.000Z', 3],
      ])
      assert.deepEqual(await hrvDays('UTC'), [['2026-11-11T00:00:00.000Z', 6]])
    })

    test('DST days have 23 and 25 hours', async () => {
      const user = await signUp(api)
      // One sample at every whole UTC hour from 2026-03-07 08:00Z to 03-10 07:00Z, and around 11-01.
      const spring = Array.from({ length: 72 }, (_, h): [number, number] => [
        Date.UTC(2026, 2, 7, 8) + h * HOUR,
        70 + (h % 3),
      ])
      const autumn = Array.from({ length: 72 }, (_, h): [number, number] => [Date.UTC(2026, 9, 31, 7) + h * HOUR, 70])
      await post(user.accessToken, [...spring, ...autumn])
      const march = await series(
        user.accessToken,
        'from=2026-03-07T08:00:00Z&to=2026-03-10T07:00:00Z&bucket=1d&tz=America/Los_Angeles',
      )
      assert.deepEqual(
        march.points.map((p) => [p.start, p.count]),
        [
          ['2026-03-07T08:00:00.000Z', 24],
          ['2026-03-08T08:00:00.000Z', 23],
          ['2026-03-09T07:00:00.000Z', 24],
        ],
      )
      const november = await series(
        user.accessToken,
        'from=2026-10-31T07:00:00Z&to=2026-11-03T08:00:00Z&bucket=1d&tz=America/Los_Angeles',
      )
      assert.deepEqual(
        november.points.map((p) => [p.start, p.count]),
        [
          ['2026-10-31T07:00:00.000Z', 24],
          ['2026-11-01T07:00:00.000Z', 25],
          ['2026-11-02T08:00:00.000Z', 23],
        ],
      )
      const hours = await series(
        user.accessToken,
        'from=2026-11-01T07:00:00Z&to=2026-11-01T12:00:00Z&bucket=1h&tz=America/Los_Angeles',
      )
      assert.equal(hours.points.length, 5, 'the repeated 01:00 is an hour of its own')
    })

    test('+05:30 and +05:45: hours start at half and quarter past in UTC, by name or as an offset', async () => {
      const user = await signUp(api)
      const t = Date.UTC(2026, 5, 1, 0, 20)
      await post(user.accessToken, [
        [t, 60],
        [t + 20 * 60_000, 62],
        [t + 40 * 60_000, 64],
        [t + 60 * 60_000, 66],
      ])
      const range = 'from=2026-05-31T23:00:00Z&to=2026-06-01T02:00:00Z&bucket=1h'
      const kolkata = await series(user.accessToken, `${range}&tz=Asia/Kolkata`)
      assert.deepEqual(
        kolkata.points.map((p) => [p.start, p.count, p.avg]),
        [
          ['2026-05-31T23:30:00.000Z', 1, 60],
          ['2026-06-01T00:30:00.000Z', 3, 64],
        ],
      )
      for (const tz of ['Asia/Kathmandu', '%2B05:45']) {
        const kathmandu = await series(user.accessToken, `${range}&tz=${tz}`)
        assert.deepEqual(
          kathmandu.points.map((p) => [p.start, p.count]),
          [
            ['2026-06-01T00:15:00.000Z', 3],
            ['2026-06-01T01:15:00.000Z', 1],
          ],
          tz,
        )
      }
      const days = await series(
        user.accessToken,
        'from=2026-05-31T00:00:00Z&to=2026-06-02T00:00:00Z&bucket=1d&tz=Asia/Kathmandu',
      )
      assert.deepEqual(
        days.points.map((p) => [p.start, p.count]),
        [['2026-05-31T18:15:00.000Z', 4]],
      )
    })

    test('an unknown time zone is a 400 naming it, on the query and in settings', async () => {
      const user = await signUp(api)
      const reply = await api.get('/v1/heart-rate/series?bucket=1d&tz=Mars/Olympus_Mons', user.accessToken)
      assert.equal(reply.status, 400)
      assert.deepEqual(
        reply.body.error.details.map((d: { path: string; reason: string }) => [d.path, d.reason]),
        [['querystring.tz', 'time_zone_invalid']],
      )
      const setting = await api.patch('/v1/me', { settings: { timeZone: 'Europe/Atlantis' } }, user.accessToken)
      assert.equal(setting.status, 400)
      assert.match(setting.body.error.message, /Europe\/Atlantis/)
      assert.equal(iso(0), '1970-01-01T00:00:00.000Z')
    })
  })
}
