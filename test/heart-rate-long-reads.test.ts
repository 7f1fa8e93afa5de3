import assert from 'node:assert/strict'
import { get, type IncomingMessage } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'

// 50,000 samples make a FHIR Bundle of about 30 MB: far more than the loopback socket buffers hold,
// so while the client reads nothing the export is paused in the middle by back-pressure.
const SAMPLES = 50_000
const T0 = Date.UTC(2026, 9, 1)

for (const target of await databaseTargets()) {
  describe(`long reads on ${target.kind}`, { skip: target.skip }, () => {
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

    test('while an export waits for a slow client, /healthz, a series and zones answer; then the export completes', async () => {
      const user = await signUp(api)
      for (let i = 0; i < SAMPLES; i += 10_000) {
        const samples = Array.from({ length: 10_000 }, (_, k) => ({
          timestamp: T0 + (i + k) * 1000,
          bpm: 60 + ((i + k) % 50),
        }))
        assert.equal((await api.post('/v1/heart-rate/samples', { samples }, user.accessToken)).status, 200)
      }
      const range = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + SAMPLES * 1000).toISOString()}`
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        get(
          `${server.url}/v1/heart-rate/export.fhir.json?${range}`,
          { headers: { authorization: `Bearer ${user.accessToken}` } },
          resolve,
        ).on('error', reject)
      })
      assert.equal(response.statusCode, 200)
      const chunks = response[Symbol.asyncIterator]()
      const first = await chunks.next()
      assert.equal(first.done, false)

      // The client reads no further: the server cannot have finished, and must still answer others.
      assert.deepEqual((await api.get('/healthz')).body, { status: 'ok' })
      const series = await api.get(`/v1/heart-rate/series?${range}&bucket=1h&tz=UTC`, user.accessToken)
      assert.equal(series.status, 200)
      assert.equal(
        series.body.points.reduce((n: number, p: { count: number }) => n + p.count, 0),
        SAMPLES,
      )
      const zones = await api.get(`/v1/heart-rate/zones?${range}&maxHeartRate=190`, user.accessToken)
      assert.equal(zones.status, 200, JSON.stringify(zones.body))
      assert.equal(zones.body.intervalCount, SAMPLES - 1)
      assert.equal(response.complete, false, 'the export was still under way')

      const parts: Buffer[] = [first.value as Buffer]
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) parts.push(next.value as Buffer)
      const bundle = JSON.parse(Buffer.concat(parts).toString('utf8')) as {
        entry: Array<{ resource: { effectiveDateTime: string } }>
      }
      assert.equal(bundle.entry.length, SAMPLES)
      assert.equal(bundle.entry.at(-1)?.resource.effectiveDateTime, new Date(T0 + (SAMPLES - 1) * 1000).toISOString())
    })
  })
}
