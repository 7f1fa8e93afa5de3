import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { client, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { type DatabaseApp, startDatabaseApp } from './helpers/database-app.js'
import { databaseTargets } from './helpers/databases.js'
import { simulatedSessions, toMindsyncBody } from './helpers/meditation.js'

const SEED_VISUALIZATIONS = [
  'Arctic',
  'Aurora',
  'Circle',
  'City',
  'Golden',
  'Japan',
  'Metropolis',
  'Nature',
  'Plants',
  'Skyline',
]

function validSession(deviceId: string) {
  return toMindsyncBody(deviceId, simulatedSessions(11, 5).sessions[0]!)
}

for (const target of await databaseTargets()) {
  describe(`MindSync seed REST API on ${target.kind}`, { skip: target.skip }, () => {
    let started: DatabaseApp | undefined
    let server: TestApp
    let api: Client

    before(async () => {
      started = await startDatabaseApp(
        target,
        {
          PULSEBASE_COMPAT: 'mindsync',
          PULSEBASE_ML_TRAINING_THREADS: '1',
          PULSEBASE_MINDSYNC_TIME_ZONE: 'Asia/Tokyo',
        },
        { hasWorker: true },
      )
      ;({ server, api } = started)
    })
    after(async () => {
      await started?.close()
    })

    test('GET /ready answers the seed message', async () => {
      const reply = await api.get('/ready')
      assert.deepEqual([reply.status, reply.body], [200, { message: 'server is ready' }])
    })

    test('POST /meditations checks in the seed order, and the first failure wins', async () => {
      const deviceId = randomUUID()
      const ok = validSession(deviceId)
      const without = <T extends object>(object: T, key: keyof T) =>
        Object.fromEntries(Object.entries(object).filter(([k]) => k !== key))
      const noDate = without(ok, 'date')
      const period = ok.sessionPeriods[0]!
      const periodNoVisualization = without(period, 'visualization')
      const measurementNoRate = { date: period.heartRateMeasurements[0]!.date }
      const cases: Array<[unknown, string]> = [
        [{}, 'Invalid request body'],
        [null, 'Invalid request body'],
        [{ other: 1 }, 'Missing required field: deviceId'],
        [noDate, 'Missing required field: date'],
        [{ ...ok, deviceId: '' }, 'Device ID is empty. Please provide a valid device ID.'],
        [{ ...ok, deviceId: '', sessionPeriods: [] }, 'Device ID is empty. Please provide a valid device ID.'],
        [{ ...ok, sessionPeriods: [] }, 'Session period list is empty.'],
        [
          { ...ok, sessionPeriods: [period, periodNoVisualization] },
          "Missing required field 'visualization' in session period at index 1",
        ],
        [
          {
            ...ok,
            sessionPeriods: [
              { ...period, heartRateMeasurements: [period.heartRateMeasurements[0], measurementNoRate] },
              periodNoVisualization,
            ],
          },
          "Missing required field 'heartRate' in heart rate measurement at index 1 in session period at index 0",
        ],
        [
          { ...ok, sessionPeriods: [{ ...period, visualization: 'disco' }] },
          "Invalid value for 'visualization' in session period at index 0: expected null or one of Arctic, Aurora, Circle, City, Golden, Japan, Metropolis, Nature, Plants, Skyline.",
        ],
        [
          { ...ok, date: 'yesterday' },
          'Invalid value for \'date\': date "yesterday" is not an RFC 3339 date-time like 2026-11-23T10:00:00Z.',
        ],
        [
          { ...ok, date: '2026-02-29T10:00:00.000Z' },
          'Invalid value for \'date\': date "2026-02-29T10:00:00.000Z" names 2026-02-29, a day that does not exist.',
        ],
        [{ ...ok, duration: '3600' }, "Invalid value for 'duration': must be integer."],
        [{ ...ok, duration: 90_000 }, "Invalid value for 'duration': must be <= 86400."],
        [
          {
            ...ok,
            sessionPeriods: [
              { ...period, heartRateMeasurements: [{ date: '1999-12-31T23:59:59.000Z', heartRate: 70 }] },
            ],
          },
          "Invalid value for 'date' in heart rate measurement at index 0 in session period at index 0: timestamp is before 2000-01-01 (epoch milliseconds are expected, not seconds).",
        ],
        [
          {
            ...ok,
            sessionPeriods: [
              period,
              { ...period, heartRateMeasurements: [{ date: period.heartRateMeasurements[0]!.date, heartRate: 0 }] },
            ],
          },
          "Invalid value for 'heartRate' in heart rate measurement at index 0 in session period at index 1: bpm 0 is the value sensors send when they have no reading.",
        ],
      ]
      for (const [body, message] of cases) {
        const reply = await api.call('POST', '/meditations', body, undefined)
        assert.deepEqual([reply.status, reply.body], [400, { error: message }], JSON.stringify(body)?.slice(0, 80))
      }
      const text = await fetch(`${server.url}/meditations`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify(ok),
      })
      assert.equal(text.status, 415)
      const broken = await fetch(`${server.url}/meditations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"deviceId":',
      })
      assert.deepEqual([broken.status, await broken.json()], [400, { error: 'Invalid request body' }])
      assert.equal((await api.get(`/meditations?deviceId=${deviceId}`)).status, 404, 'nothing was stored')
    })

    test('sessions round-trip per device; GET needs a deviceId and never shows another device', async () => {
      const deviceId = randomUUID()
      const first = validSession(deviceId)
      const second = {
        ...toMindsyncBody(deviceId, simulatedSessions(12, 10).sessions[1]!),
        extraKey: 'ignored',
        date: '2024-01-09T21:47:31Z',
      }
      ;(second.sessionPeriods[0] as any).visualization = 'NATURE'
      second.sessionPeriods[1]!.visualization = null as never
      second.sessionPeriods[1]!.beatFrequency = null as never
      for (const body of [second, first]) {
        const reply = await api.call('POST', '/meditations', body, undefined, {
          'content-type': 'application/json; charset=UTF-8',
        })
        assert.deepEqual([reply.status, reply.body], [201, { message: 'Meditation session created successfully' }])
      }
      const reply = await api.get(`/meditations?deviceId=${deviceId}`)
      assert.equal(reply.status, 200)
      const sessions = reply.body.meditationSessions
      assert.equal(sessions.length, 2)
      assert.deepEqual(sessions[0], first, 'oldest first, as sent')
      assert.equal(sessions[1].date, '2024-01-09T21:47:31Z', 'in the form it came')
      assert.equal(sessions[1].sessionPeriods[0].visualization, 'nature')
      assert.equal(sessions[1].sessionPeriods[1].visualization, null)
      assert.equal('extraKey' in sessions[1], false)

      assert.deepEqual(
        [(await api.get('/meditations')).status, (await api.get('/meditations')).body],
        [400, { error: 'No device id provided.' }],
      )
      const other = await api.get(`/meditations?deviceId=${randomUUID()}`)
      assert.deepEqual([other.status, other.body], [404, { message: 'No meditation sessions found' }])
    })

    test("zone-less local times are placed in the device's zone (Asia/Tokyo here), come back as sent, and their samples go through the alert episodes", async () => {
      const deviceId = randomUUID()
      const body = validSession(deviceId)
      body.date = '2026-11-30T15:09:00.000'
      const period = body.sessionPeriods[0]!
      period.heartRateMeasurements = [
        { date: '2026-11-30T15:09:00.000', heartRate: 72 },
        { date: '2026-11-30T15:09:02.000', heartRate: 165 },
        { date: '2026-11-30T15:09:04.000', heartRate: 168 },
      ]
      body.sessionPeriods = [period]
      const reply = await api.post('/meditations', body)
      assert.deepEqual([reply.status, reply.body], [201, { message: 'Meditation session created successfully' }])
      const [stored] = (await api.get(`/meditations?deviceId=${deviceId}`)).body.meditationSessions
      assert.equal(stored.date, '2026-11-30T15:09:00.000')
      assert.deepEqual(
        stored.sessionPeriods[0].heartRateMeasurements.map((m: { date: string }) => m.date),
        ['2026-11-30T15:09:00.000', '2026-11-30T15:09:02.000', '2026-11-30T15:09:04.000'],
      )

      // On the timeline: 15:09 in Tokyo is 06:09 UTC, not 15:09 UTC (nine hours in the future of the real time).
      const { db: kysely } = server.app.database
      const mapping = await kysely
        .selectFrom('compat_mindsync_devices')
        .select('user_id')
        .where('client_id', '=', deviceId)
        .executeTakeFirstOrThrow()
      const session = await kysely
        .selectFrom('meditation_sessions')
        .select('started_at')
        .where('user_id', '=', mapping.user_id)
        .executeTakeFirstOrThrow()
      assert.equal(Number(session.started_at), Date.UTC(2026, 10, 30, 6, 9))
      const samples = await kysely
        .selectFrom('heart_rate_samples')
        .innerJoin('heart_rate_streams', 'heart_rate_streams.id', 'heart_rate_samples.stream_id')
        .select(['ts', 'alert'])
        .where('user_id', '=', mapping.user_id)
        .orderBy('ts')
        .execute()
      assert.deepEqual(
        samples.map((r) => [Number(r.ts), r.alert]),
        [
          [Date.UTC(2026, 10, 30, 6, 9, 0), null],
          [Date.UTC(2026, 10, 30, 6, 9, 2), 'HIGH'],
          [Date.UTC(2026, 10, 30, 6, 9, 4), 'HIGH'],
        ],
      )
      const alerts = await kysely
        .selectFrom('heart_rate_alerts')
        .select(['kind', 'opened_at', 'peak_bpm', 'sample_count'])
        .where('user_id', '=', mapping.user_id)
        .execute()
      assert.deepEqual(
        alerts.map((a) => [a.kind, Number(a.opened_at), a.peak_bpm, a.sample_count]),
        [['HIGH', Date.UTC(2026, 10, 30, 6, 9, 2), 168, 2]],
      )
    })

    test('train_model and predict: not enough data, no model yet, trained, then a best combination', async () => {
      const deviceId = randomUUID()
      const { sessions } = simulatedSessions(13, 45)
      const train = () => api.post(`/train_model?deviceId=${deviceId}`)
      const predict = () => api.post('/predict', toMindsyncBody(deviceId, sessions[0]!))

      assert.deepEqual((await api.post('/train_model')).body, { error: 'No device id provided.' })
      assert.deepEqual(
        [(await train()).status, (await train()).body],
        [200, { message: `No previous sessions found for device ${deviceId}. Could not train model.` }],
      )
      assert.equal((await api.post('/meditations', toMindsyncBody(deviceId, sessions[0]!))).status, 201)
      assert.deepEqual(
        [(await train()).status, (await train()).body],
        [200, { message: `Model for device "${deviceId}" not trained. Could not find enough previous sessions.` }],
      )
      assert.deepEqual(
        [(await predict()).status, (await predict()).body],
        [200, { message: `Couldn't predict best combination for ${deviceId}. Not enough data available.` }],
      )

      for (const session of sessions.slice(1))
        assert.equal((await api.post('/meditations', toMindsyncBody(deviceId, session))).status, 201)
      const noModel = await predict()
      assert.deepEqual(
        [noModel.status, noModel.body],
        [400, { message: `Could not predict best combination for ${deviceId}. User does not have any model yet.` }],
      )

      const both = await Promise.all([train(), train()])
      for (const trained of both)
        assert.deepEqual(
          [trained.status, trained.body],
          [200, { message: `Model for device ${deviceId} trained successfully.` }],
        )

      const raw = await fetch(`${server.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(toMindsyncBody(deviceId, sessions[0]!)),
      })
      assert.equal(raw.status, 200)
      const text = await raw.text()
      assert.match(text, /"beatFrequency":\d+\.\d+/, 'a double, as the client reads it')
      const best = JSON.parse(text).bestCombination
      assert.deepEqual(Object.keys(best), ['beatFrequency', 'visualization', 'breathingPatternMultiplier'])
      assert.ok(SEED_VISUALIZATIONS.includes(best.visualization), best.visualization)
      assert.ok(best.beatFrequency >= 1 && best.beatFrequency <= 40)
      assert.ok(
        [0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6].includes(best.breathingPatternMultiplier),
        String(best.breathingPatternMultiplier),
      )

      const sessionsAfter = (await api.get(`/meditations?deviceId=${deviceId}`)).body.meditationSessions
      assert.equal(sessionsAfter.length, sessions.length, 'predict stores nothing')
    })
  })
}

describe('MindSync routes without the switch', () => {
  let server: TestApp
  before(async () => {
    server = await startTestApp()
  })
  after(() => server?.close())

  test('are not served', async () => {
    assert.equal((await client(server.url).get('/ready')).status, 404)
  })
})
