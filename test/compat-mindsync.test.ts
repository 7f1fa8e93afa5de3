import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { client, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { simulatedSessions, toMindsyncBody } from './helpers/meditation.js'

const SEED_VISUALIZATIONS = ['Arctic', 'Aurora', 'Circle', 'City', 'Golden', 'Japan', 'Metropolis', 'Nature', 'Plants', 'Skyline']

function validSession(deviceId: string) {
  return toMindsyncBody(deviceId, simulatedSessions(11, 5).sessions[0]!)
}

for (const target of await databaseTargets()) {
  describe(`MindSync seed REST API on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client

    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url, PULSEBASE_COMPAT: 'mindsync', PULSEBASE_ML_TRAINING_THREADS: '1' })
      await server.app.startWorker()
      api = client(server.url)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('GET /ready answers the seed message', async () => {
      const reply = await api.get('/ready')
      assert.deepEqual([reply.status, reply.body], [200, { message: 'server is ready' }])
    })

    test('POST /meditations checks in the seed order, and the first failure wins', async () => {
      const deviceId = randomUUID()
      const ok = validSession(deviceId)
      const without = <T extends object>(object: T, key: keyof T) => Object.fromEntries(Object.entries(object).filter(([k]) => k !== key))
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
        [{ ...ok, sessionPeriods: [] }, 'Session period list is empty.'],
        [{ ...ok, sessionPeriods: [period, periodNoVisualization] }, "Missing required field 'visualization' in session period at index 1"],
        [
          { ...ok, sessionPeriods: [{ ...period, heartRateMeasurements: [period.heartRateMeasurements[0], measurementNoRate] }, periodNoVisualization] },
          "Missing required field 'heartRate' in heart rate measurement at index 1 in session period at index 0",
        ],
        [{ ...ok, sessionPeriods: [{ ...period, visualization: 'disco' }] }, 'Unknown visualization "disco" in session period at index 0; expected one of Arctic, Aurora, Circle, City, Golden, Japan, Metropolis, Nature, Plants, Skyline.'],
        [{ ...ok, date: 'yesterday' }, 'Invalid date "yesterday" in field \'date\': expected ISO-8601 like 2024-01-01T21:47:31.000Z.'],
        [{ ...ok, duration: '3600' }, "Invalid value for 'duration': expected whole seconds from 0 to 86400."],
      ]
      for (const [body, message] of cases) {
        const reply = await api.call('POST', '/meditations', body, undefined)
        assert.deepEqual([reply.status, reply.body], [400, { error: message }], JSON.stringify(body)?.slice(0, 80))
      }
      const text = await fetch(`${server.url}/meditations`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(ok) })
      assert.equal(text.status, 415)
      const broken = await fetch(`${server.url}/meditations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"deviceId":' })
      assert.deepEqual([broken.status, await broken.json()], [400, { error: 'Invalid request body' }])
      assert.equal((await api.get(`/meditations?deviceId=${deviceId}`)).status, 404, 'nothing was stored')
    })

    test('sessions round-trip per device; GET needs a deviceId and never shows another device', async () => {
      const deviceId = randomUUID()
      const first = validSession(deviceId)
      const second = { ...toMindsyncBody(deviceId, simulatedSessions(12, 10).sessions[1]!), extraKey: 'ignored', date: '2024-01-09T21:47:31Z' }
      ;(second.sessionPeriods[0] as any).visualization = 'NATURE'
      second.sessionPeriods[1]!.visualization = null as never
      second.sessionPeriods[1]!.beatFrequency = null as never
      for (const body of [second, first]) {
        const reply = await api.call('POST', '/meditations', body, undefined, { 'content-type': 'application/json; charset=UTF-8' })
        assert.deepEqual([reply.status, reply.body], [201, { message: 'Meditation session created successfully' }])
      }
      const reply = await api.get(`/meditations?deviceId=${deviceId}`)
      assert.equal(reply.status, 200)
      const sessions = reply.body.meditationSessions
      assert.equal(sessions.length, 2)
      assert.deepEqual(sessions[0], first, 'oldest first, as sent')
      assert.equal(sessions[1].date, '2024-01-09T21:47:31.000Z')
      assert.equal(sessions[1].sessionPeriods[0].visualization, 'nature')
      assert.equal(sessions[1].sessionPeriods[1].visualization, null)
      assert.equal('extraKey' in sessions[1], false)

      assert.deepEqual([(await api.get('/meditations')).status, (await api.get('/meditations')).body], [400, { error: 'No device id provided.' }])
      const other = await api.get(`/meditations?deviceId=${randomUUID()}`)
      assert.deepEqual([other.status, other.body], [404, { message: 'No meditation sessions found' }])
    })

    test('train_model and predict: not enough data, no model yet, trained, then a best combination', async () => {
      const deviceId = randomUUID()
      const { sessions } = simulatedSessions(13, 45)
      const train = () => api.post(`/train_model?deviceId=${deviceId}`)
      const predict = () => api.post('/predict', toMindsyncBody(deviceId, sessions[0]!))

      assert.deepEqual((await api.post('/train_model')).body, { error: 'No device id provided.' })
      assert.deepEqual([(await train()).status, (await train()).body], [200, { message: `No previous sessions found for device ${deviceId}. Could not train model.` }])
      assert.equal((await api.post('/meditations', toMindsyncBody(deviceId, sessions[0]!))).status, 201)
      assert.deepEqual([(await train()).status, (await train()).body], [200, { message: `Model for device "${deviceId}" not trained. Could not find enough previous sessions.` }])
      assert.deepEqual([(await predict()).status, (await predict()).body], [200, { message: `Couldn't predict best combination for ${deviceId}. Not enough data available.` }])

      for (const session of sessions.slice(1)) assert.equal((await api.post('/meditations', toMindsyncBody(deviceId, session))).status, 201)
      const noModel = await predict()
      assert.deepEqual([noModel.status, noModel.body], [400, { message: `Could not predict best combination for ${deviceId}. User does not have any model yet.` }])

      const both = await Promise.all([train(), train()])
      for (const trained of both) assert.deepEqual([trained.status, trained.body], [200, { message: `Model for device ${deviceId} trained successfully.` }])

      const raw = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(toMindsyncBody(deviceId, sessions[0]!)) })
      assert.equal(raw.status, 200)
      const text = await raw.text()
      assert.match(text, /"beatFrequency":\d+\.\d+/, 'a double, as the client reads it')
      const best = JSON.parse(text).bestCombination
      assert.deepEqual(Object.keys(best), ['beatFrequency', 'visualization', 'breathingPatternMultiplier'])
      assert.ok(SEED_VISUALIZATIONS.includes(best.visualization), best.visualization)
      assert.ok(best.beatFrequency >= 1 && best.beatFrequency <= 40)
      assert.ok([0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6].includes(best.breathingPatternMultiplier), String(best.breathingPatternMultiplier))

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
