import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'

const T0 = Date.now() - 3_600_000 - (Date.now() % 60_000) // a whole minute, an hour ago
const at = (seconds: number) => T0 + seconds * 1000

async function deviceKey(api: Client, token: string, name = 'watch') {
  const reply = await api.post('/v1/devices', { name, kind: 'watch' }, token)
  return { key: reply.body.apiKey as string, id: reply.body.device.id as string }
}

for (const target of await databaseTargets()) {
  describe(`heart rate on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client

    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url, PULSEBASE_HEART_RATE_ALERT_CLEAR_SAMPLES: '2' })
      api = client(server.url)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('a batch gets a verdict per sample, in order, and only the valid ones are stored', async () => {
      const user = await signUp(api)
      const watch = await deviceKey(api, user.accessToken)
      const samples = [
        { timestamp: new Date(at(0)).toISOString(), bpm: 72, rrIntervalsMs: [820, 830] },
        { timestamp: at(1), bpm: 45 },
        { timestamp: at(2), bpm: 160 },
        { timestamp: at(3), bpm: 39 },
        { timestamp: at(4), bpm: 181 },
        { timestamp: at(5), bpm: 'fast' },
        { timestamp: at(6) },
        { timestamp: 'yesterday', bpm: 70 },
        { timestamp: Date.now() + 3_600_000, bpm: 70 },
        { timestamp: Date.UTC(1999, 11, 31), bpm: 70 },
        { timestamp: at(1), bpm: 71 },
        { timestamp: at(7), bpm: 70, rrIntervalsMs: [5] },
        'not a sample',
        { timestamp: `${new Date(at(8)).toISOString().slice(0, 19)}+00:00`, bpm: 180 },
      ]
      const reply = await api.post('/v1/heart-rate/samples', { samples }, watch.key)
      assert.equal(reply.status, 200)
      const verdicts = reply.body.verdicts as Array<{ status: string; alert?: string; reason?: string; message?: string }>
      assert.deepEqual(
        verdicts.map((v) => v.reason ?? `${v.status}${v.alert ? `:${v.alert}` : ''}`),
        [
          'stored',
          'stored:LOW',
          'stored:HIGH',
          'bpm_out_of_range',
          'bpm_out_of_range',
          'bpm_not_a_number',
          'bpm_not_a_number',
          'timestamp_invalid',
          'timestamp_in_future',
          'timestamp_before_2000',
          'duplicate_in_batch',
          'rr_intervals_invalid',
          'sample_invalid',
          'stored:HIGH',
        ],
      )
      assert.ok(verdicts.filter((v) => v.status === 'rejected').every((v) => typeof v.message === 'string' && v.message.length > 10))
      assert.deepEqual([reply.body.stored, reply.body.rejected], [4, 10])

      const stored = await api.get(`/v1/heart-rate/samples?from=${at(-1)}&to=${at(60)}`, user.accessToken)
      assert.deepEqual(stored.body.samples.map((s: { bpm: number }) => s.bpm), [72, 45, 160, 180])
      assert.deepEqual(stored.body.samples[0], { timestamp: new Date(at(0)).toISOString(), bpm: 72, deviceId: watch.id, rrIntervalsMs: [820, 830], alert: null })

      const retried = await api.post('/v1/heart-rate/samples', { samples }, watch.key)
      assert.deepEqual(retried.body.verdicts.filter((v: { alreadyStored?: boolean }) => v.alreadyStored).length, 4)
      const again = await api.get(`/v1/heart-rate/samples?from=${at(-1)}&to=${at(60)}`, user.accessToken)
      assert.equal(again.body.samples.length, 4, 'a retried batch never duplicates')
      const counted = (await server.app.metrics.heartRateSamples.get()).values
      const count = (outcome: string) => counted.find((v) => v.labels.outcome === outcome)?.value ?? 0
      assert.ok(count('stored') >= 4 && count('already_stored') >= 4 && count('rejected') >= 20)
    })

    test('a single sample answers 201, or 400 with its reason and nothing stored', async () => {
      const user = await signUp(api)
      const ok = await api.post('/v1/heart-rate/samples', { timestamp: at(0), bpm: 155 }, user.accessToken)
      assert.equal(ok.status, 201)
      assert.deepEqual(ok.body.verdict, { status: 'stored', alert: 'HIGH' })
      assert.equal(ok.body.alerts[0].kind, 'HIGH')
      const bad = await api.post('/v1/heart-rate/samples', { timestamp: at(1), bpm: 300 }, user.accessToken)
      assert.equal(bad.status, 400)
      assert.match(bad.body.error.message, /outside the valid range 40-180/)
      const unknownField = await api.post('/v1/heart-rate/samples', { timestamp: at(2), bpm: 70, heart: 1 }, user.accessToken)
      assert.equal(unknownField.status, 400)
      const tooMany = await api.post('/v1/heart-rate/samples', { samples: Array.from({ length: 10_001 }, (_, i) => ({ timestamp: at(i), bpm: 70 })) }, user.accessToken)
      assert.equal(tooMany.status, 400)
      const stored = await api.get(`/v1/heart-rate/samples?from=${at(-1)}&to=${at(20_000)}`, user.accessToken)
      assert.deepEqual(stored.body.samples.map((s: { bpm: number }) => s.bpm), [155])
      assert.equal((await api.post('/v1/heart-rate/samples', { timestamp: at(3), bpm: 70 })).status, 401)
    })

    test('concurrent submits are committed together and each caller gets its own verdicts', async () => {
      const user = await signUp(api)
      const watch = await deviceKey(api, user.accessToken)
      const replies = await Promise.all(
        Array.from({ length: 200 }, (_, i) => api.post('/v1/heart-rate/samples', { timestamp: at(i), bpm: i % 2 === 0 ? 70 : 160 }, i % 3 === 0 ? user.accessToken : watch.key)),
      )
      assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([201]))
      replies.forEach((r, i) => assert.equal(r.body.verdict.alert, i % 2 === 0 ? undefined : 'HIGH'))
      // The same sample sent 20 times at once is stored once.
      const same = await Promise.all(Array.from({ length: 20 }, () => api.post('/v1/heart-rate/samples', { timestamp: at(500), bpm: 75 }, watch.key)))
      assert.equal(same.filter((r) => r.status === 201).length, 20)
      const stored = await api.get(`/v1/heart-rate/samples?from=${at(0)}&to=${at(1000)}&limit=1000`, user.accessToken)
      assert.equal(stored.body.samples.length, 201)
      const open = await api.get('/v1/heart-rate/alerts?state=all', user.accessToken)
      assert.ok(open.body.alerts.length >= 1)
    })

    test('per-user limits come from settings', async () => {
      const user = await signUp(api)
      await api.patch('/v1/me', { settings: { heartRate: { validMin: 30, lowAlert: 35 } } }, user.accessToken)
      const reply = await api.post('/v1/heart-rate/samples', { samples: [{ timestamp: at(0), bpm: 33 }, { timestamp: at(1), bpm: 38 }] }, user.accessToken)
      assert.deepEqual(reply.body.verdicts, [{ status: 'stored', alert: 'LOW' }, { status: 'stored' }])
    })

    test('alerts are episodes: open on a crossing, close after N in-range samples, acknowledge', async () => {
      const user = await signUp(api)
      const send = (samples: Array<[number, number]>) =>
        api.post('/v1/heart-rate/samples', { samples: samples.map(([s, bpm]) => ({ timestamp: at(s), bpm })) }, user.accessToken)
      const first = await send([[0, 80], [1, 155], [2, 160], [3, 100]])
      assert.equal(first.body.alerts.length, 1)
      const alert = first.body.alerts[0]
      assert.deepEqual([alert.kind, alert.closedAt, alert.openedAt], ['HIGH', null, new Date(at(1)).toISOString()])
      let status = await api.get('/v1/heart-rate/status?recent=3', user.accessToken)
      assert.equal(status.body.activeAlert.id, alert.id)
      assert.equal(status.body.activeAlert.peakBpm, 160)
      assert.deepEqual(status.body.recent.map((s: { bpm: number }) => s.bpm), [155, 160, 100])
      assert.deepEqual(status.body.stats, { count: 3, averageBpm: 138.33, minBpm: 100, maxBpm: 160 })

      const second = await send([[4, 90], [5, 45]])
      assert.deepEqual(second.body.alerts.map((a: { kind: string; closedAt: string | null }) => [a.kind, a.closedAt !== null]), [['HIGH', true], ['LOW', false]])
      status = await api.get('/v1/heart-rate/status', user.accessToken)
      assert.equal(status.body.activeAlert.kind, 'LOW')

      const listed = await api.get('/v1/heart-rate/alerts', user.accessToken)
      assert.deepEqual(listed.body.alerts.map((a: { kind: string }) => a.kind), ['LOW', 'HIGH'])
      const open = await api.get('/v1/heart-rate/alerts?state=open', user.accessToken)
      assert.deepEqual(open.body.alerts.map((a: { kind: string }) => a.kind), ['LOW'])
      const acked = await api.post(`/v1/heart-rate/alerts/${alert.id}/acknowledge`, undefined, user.accessToken)
      assert.equal(acked.status, 200)
      assert.notEqual(acked.body.acknowledgedAt, null)
      assert.equal((await api.get(`/v1/heart-rate/alerts/${alert.id}`, user.accessToken)).body.acknowledgedAt, acked.body.acknowledgedAt)

      const other = await signUp(api)
      assert.equal((await api.get(`/v1/heart-rate/alerts/${alert.id}`, other.accessToken)).status, 404)
      assert.equal((await api.post(`/v1/heart-rate/alerts/${alert.id}/acknowledge`, undefined, other.accessToken)).status, 404)
      assert.deepEqual((await api.get('/v1/heart-rate/samples', other.accessToken)).body.samples, [])
    })

    test('samples page by cursor; the series has min/avg/max per bucket', async () => {
      const user = await signUp(api)
      const samples = Array.from({ length: 180 }, (_, i) => ({ timestamp: at(i), bpm: 60 + (i % 60) }))
      await api.post('/v1/heart-rate/samples', { samples }, user.accessToken)
      const seen: number[] = []
      let cursor: string | null = null
      do {
        const page: { body: { samples: Array<{ timestamp: string }>; nextCursor: string | null } } = await api.get(
          `/v1/heart-rate/samples?from=${at(0)}&to=${at(180)}&limit=50${cursor ? `&cursor=${cursor}` : ''}`,
          user.accessToken,
        )
        seen.push(...page.body.samples.map((s) => Date.parse(s.timestamp)))
        cursor = page.body.nextCursor
      } while (cursor !== null)
      assert.deepEqual(seen, samples.map((s) => s.timestamp))
      const series = await api.get(`/v1/heart-rate/series?from=${at(0)}&to=${at(180)}&bucket=1m`, user.accessToken)
      assert.deepEqual(series.body.points, [0, 1, 2].map((m) => ({ start: new Date(at(m * 60)).toISOString(), count: 60, min: 60, avg: 89.5, max: 119 })))
      assert.equal((await api.get('/v1/heart-rate/series?bucket=1w', user.accessToken)).status, 400)
      assert.equal((await api.get(`/v1/heart-rate/samples?from=${at(10)}&to=${at(5)}`, user.accessToken)).status, 400)
      assert.equal((await api.get('/v1/heart-rate/samples?cursor=garbage', user.accessToken)).status, 400)
    })

    test('exports as CSV and as FHIR R4 Observations', async () => {
      const user = await signUp(api)
      await api.post('/v1/heart-rate/samples', { samples: [{ timestamp: at(0), bpm: 70, rrIntervalsMs: [850, 860] }, { timestamp: at(1), bpm: 151 }] }, user.accessToken)
      const csv = await api.get(`/v1/heart-rate/export.csv?from=${at(0)}&to=${at(10)}`, user.accessToken)
      assert.equal(csv.status, 200)
      assert.match(csv.headers.get('content-type') ?? '', /text\/csv/)
      assert.equal(csv.body, `timestamp,bpm,device_id,alert,rr_intervals_ms\n${new Date(at(0)).toISOString()},70,,,850;860\n${new Date(at(1)).toISOString()},151,,HIGH,\n`)
      const fhir = await api.get(`/v1/heart-rate/export.fhir.json?from=${at(0)}&to=${at(10)}`, user.accessToken)
      const bundle = fhir.body
      assert.equal(bundle.resourceType, 'Bundle')
      assert.equal(bundle.entry.length, 2)
      const obs = bundle.entry[1].resource
      assert.equal(obs.resourceType, 'Observation')
      assert.deepEqual(obs.code.coding[0], { system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' })
      assert.deepEqual([obs.valueQuantity.value, obs.valueQuantity.unit], [151, '/min'])
      assert.equal(obs.subject.reference, `Patient/${user.userId}`)
      assert.equal(obs.interpretation[0].coding[0].code, 'H')
    })

    test('zones from stored samples and from a posted list; HRV from RR intervals', async () => {
      const user = await signUp(api)
      const noMax = await api.get(`/v1/heart-rate/zones?from=${at(0)}&to=${at(100)}`, user.accessToken)
      assert.equal(noMax.status, 400)
      assert.match(noMax.body.error.message, /maximum heart rate/)
      // max 200: interval means 100 and 115 bpm are zone 1 (50-60 %), 130 zone 2, 140 and 150 zone 3; the 60 s gap is left out.
      const bpm = [[0, 100], [5, 100], [10, 130], [15, 130], [20, 150], [80, 150], [85, 150]]
      await api.post('/v1/heart-rate/samples', { samples: bpm.map(([s, b]) => ({ timestamp: at(s as number), bpm: b, rrIntervalsMs: [800, 810, 790, 860, 800] })) }, user.accessToken)
      await api.patch('/v1/me', { settings: { maxHeartRate: 200 } }, user.accessToken)
      const zones = await api.get(`/v1/heart-rate/zones?from=${at(0)}&to=${at(100)}`, user.accessToken)
      assert.equal(zones.status, 200)
      assert.equal(zones.body.method, 'percent-of-max')
      assert.deepEqual(zones.body.zones.map((z: { seconds: number }) => z.seconds), [10, 5, 10, 0, 0])
      assert.deepEqual([zones.body.totalSeconds, zones.body.excludedGapSeconds], [25, 60])
      const posted = await api.post('/v1/heart-rate/zones', { samples: [{ timestamp: at(0), bpm: 120 }, { timestamp: at(10), bpm: 120 }], age: 40, restingHeartRate: 60 }, user.accessToken)
      assert.equal(posted.body.method, 'karvonen')
      assert.equal(posted.body.maxHeartRate, 200) // the set max wins over 220 - age
      assert.equal(posted.body.zones[0].seconds, 0)
      assert.equal(posted.body.belowZonesSeconds, 10) // (120-60)/(200-60) = 43 %
      const hrv = await api.get(`/v1/heart-rate/hrv?from=${at(0)}&to=${at(100)}`, user.accessToken)
      // Seven copies of [800, 810, 790, 860, 800] in time order: 34 successive differences
      // (7 x [10, -20, 70, -60] and 6 zeros), so RMSSD = sqrt(63000 / 34), pNN50 = 14 / 34.
      assert.deepEqual(hrv.body, { intervalCount: 35, rmssdMs: 43.05, sdnnMs: 25.18, pnn50: 41.18 })

      // Per minute: the samples at 0-20 s share a minute bucket, 80 and 85 s share the next.
      const perMinute = await api.get(`/v1/heart-rate/hrv/series?from=${at(0)}&to=${at(100)}&bucket=1m`, user.accessToken)
      assert.equal(perMinute.status, 200, JSON.stringify(perMinute.body))
      const minuteOf = (s: number) => new Date(Math.floor(new Date(at(s)).getTime() / 60_000) * 60_000).toISOString()
      const buckets = new Map<string, number>()
      for (const s of [0, 5, 10, 15, 20, 80, 85]) buckets.set(minuteOf(s), (buckets.get(minuteOf(s)) ?? 0) + 5)
      assert.deepEqual(perMinute.body.points.map((p: { start: string; intervalCount: number }) => [p.start, p.intervalCount]), [...buckets])
      assert.deepEqual((await api.get(`/v1/heart-rate/hrv/series?from=${at(0)}&to=${at(100)}&bucket=1s`, user.accessToken)).status, 400)
    })

    test('the retention job deletes samples older than the setting', async () => {
      const { purgeOldSamples } = await import('../src/domains/heart-rate/heart-rate.jobs.js')
      const user = await signUp(api)
      await api.post('/v1/heart-rate/samples', { samples: [{ timestamp: Date.now() - 3 * 86_400_000, bpm: 70 }, { timestamp: at(0), bpm: 71 }] }, user.accessToken)
      const logger = server.app.logger
      assert.equal(await purgeOldSamples(server.app.database.db, 0, logger), 0, '0 keeps everything')
      assert.equal(await purgeOldSamples(server.app.database.db, 2, logger), 1, 'only the 3-day-old sample is past 2 days')
      const left = await api.get(`/v1/heart-rate/samples?from=${Date.now() - 5 * 86_400_000}`, user.accessToken)
      assert.deepEqual(left.body.samples.map((s: { bpm: number }) => s.bpm), [71])
    })
  })
}
