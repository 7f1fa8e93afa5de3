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
        { timestamp: at(3), bpm: 0 },
        { timestamp: at(4), bpm: 255 },
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
      const verdicts = reply.body.verdicts as Array<{
        status: string
        alert?: string
        reason?: string
        message?: string
      }>
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
      assert.ok(
        verdicts
          .filter((v) => v.status === 'rejected')
          .every((v) => typeof v.message === 'string' && v.message.length > 10),
      )
      assert.match(verdicts[3]?.message ?? '', /no reading/, '0 is a sensor sentinel')
      assert.deepEqual([reply.body.stored, reply.body.rejected], [4, 10])

      const stored = await api.get(`/v1/heart-rate/samples?from=${at(-1)}&to=${at(60)}`, user.accessToken)
      assert.deepEqual(
        stored.body.samples.map((s: { bpm: number }) => s.bpm),
        [72, 45, 160, 180],
      )
      assert.deepEqual(stored.body.samples[0], {
        timestamp: new Date(at(0)).toISOString(),
        bpm: 72,
        deviceId: watch.id,
        rrIntervalsMs: [820, 830],
        alert: null,
      })

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
      assert.match(bad.body.error.message, /outside the plausible range 20-250/)
      assert.equal(bad.body.error.details[0].reason, 'bpm_out_of_range')
      const unknownField = await api.post(
        '/v1/heart-rate/samples',
        { timestamp: at(2), bpm: 70, heart: 1 },
        user.accessToken,
      )
      assert.equal(unknownField.status, 400)
      const tooMany = await api.post(
        '/v1/heart-rate/samples',
        { samples: Array.from({ length: 10_001 }, (_, i) => ({ timestamp: at(i), bpm: 70 })) },
        user.accessToken,
      )
      assert.equal(tooMany.status, 400)
      const stored = await api.get(`/v1/heart-rate/samples?from=${at(-1)}&to=${at(20_000)}`, user.accessToken)
      assert.deepEqual(
        stored.body.samples.map((s: { bpm: number }) => s.bpm),
        [155],
      )
      assert.equal((await api.post('/v1/heart-rate/samples', { timestamp: at(3), bpm: 70 })).status, 401)
    })

    test('concurrent one-sample submits each get their own verdicts, and the episode follows sample time, not arrival', async () => {
      const user = await signUp(api)
      const watch = await deviceKey(api, user.accessToken)
      const replies = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          api.post(
            '/v1/heart-rate/samples',
            { timestamp: at(i), bpm: i % 2 === 0 ? 70 : 160 },
            i % 3 === 0 ? user.accessToken : watch.key,
          ),
        ),
      )
      assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([201]))
      replies.forEach((r, i) => assert.equal(r.body.verdict.alert, i % 2 === 0 ? undefined : 'HIGH'))
      // The same sample sent 20 times at once is stored once.
      const same = await Promise.all(
        Array.from({ length: 20 }, () =>
          api.post('/v1/heart-rate/samples', { timestamp: at(500), bpm: 75 }, watch.key),
        ),
      )
      assert.equal(same.filter((r) => r.status === 201).length, 20)
      assert.equal(same.filter((r) => r.body.verdict.alreadyStored === true).length, 19)
      const stored = await api.get(`/v1/heart-rate/samples?from=${at(0)}&to=${at(1000)}&limit=1000`, user.accessToken)
      assert.equal(stored.body.samples.length, 201)
      // In time order 70, 160, 70, 160 ... never two in-range samples in a row (2 close it here),
      // whatever order the requests arrived in: exactly one HIGH episode, still open.
      const alerts = (await api.get('/v1/heart-rate/alerts?state=all', user.accessToken)).body.alerts
      assert.deepEqual(
        alerts.map(
          (a: {
            kind: string
            openedAt: string
            lastAlertAt: string
            closedAt: string | null
            sampleCount: number
            peakBpm: number
          }) => [a.kind, a.openedAt, a.lastAlertAt, a.closedAt, a.sampleCount, a.peakBpm],
        ),
        [['HIGH', new Date(at(1)).toISOString(), new Date(at(199)).toISOString(), null, 100, 160]],
      )
    })

    test('per-user alert thresholds come from settings; plausibility does not', async () => {
      const user = await signUp(api)
      const patched = await api.patch('/v1/me', { settings: { heartRate: { lowAlert: 35 } } }, user.accessToken)
      assert.deepEqual(patched.body.settings.heartRate, { lowAlert: 35 })
      const reply = await api.post(
        '/v1/heart-rate/samples',
        {
          samples: [
            { timestamp: at(0), bpm: 33 },
            { timestamp: at(1), bpm: 38 },
            { timestamp: at(2), bpm: 21 },
          ],
        },
        user.accessToken,
      )
      assert.deepEqual(reply.body.verdicts, [
        { status: 'stored', alert: 'LOW' },
        { status: 'stored' },
        { status: 'stored', alert: 'LOW' },
      ])
      const old = await api.patch('/v1/me', { settings: { heartRate: { validMin: 30 } } }, user.accessToken)
      assert.equal(old.status, 400, 'the validity range is no longer a setting')
      const crossed = await api.patch('/v1/me', { settings: { heartRate: { highAlert: 30 } } }, user.accessToken)
      assert.equal(crossed.status, 400)
      assert.match(crossed.body.error.message, /lowAlert must be below highAlert/)
    })

    test('settings stored by older versions (with validMin/validMax) stay readable', async () => {
      const user = await signUp(api)
      const legacy = JSON.stringify({
        maxHeartRate: 190,
        heartRate: { validMin: 30, validMax: 200, lowAlert: 45, highAlert: 170 },
      })
      await server.app.database.db
        .updateTable('users')
        .set({ settings: legacy })
        .where('id', '=', user.userId)
        .execute()
      const me = await api.get('/v1/me', user.accessToken)
      assert.equal(me.status, 200)
      assert.deepEqual(me.body.user.settings, { maxHeartRate: 190, heartRate: { lowAlert: 45, highAlert: 170 } })
      const reply = await api.post(
        '/v1/heart-rate/samples',
        {
          samples: [
            { timestamp: at(0), bpm: 25 },
            { timestamp: at(1), bpm: 210 },
            { timestamp: at(2), bpm: 50 },
          ],
        },
        user.accessToken,
      )
      assert.deepEqual(reply.body.verdicts, [
        { status: 'stored', alert: 'LOW' },
        { status: 'stored', alert: 'HIGH' },
        { status: 'stored' },
      ])
      const patched = await api.patch('/v1/me', { settings: { heartRate: { highAlert: 160 } } }, user.accessToken)
      assert.deepEqual(patched.body.settings.heartRate, { lowAlert: 45, highAlert: 160 })
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
      assert.deepEqual(
        seen,
        samples.map((s) => s.timestamp),
      )
      const series = await api.get(`/v1/heart-rate/series?from=${at(0)}&to=${at(180)}&bucket=1m`, user.accessToken)
      assert.deepEqual(
        series.body.points,
        [0, 1, 2].map((m) => ({ start: new Date(at(m * 60)).toISOString(), count: 60, min: 60, avg: 89.5, max: 119 })),
      )
      assert.equal((await api.get('/v1/heart-rate/series?bucket=1w', user.accessToken)).status, 400)
      assert.equal((await api.get(`/v1/heart-rate/samples?from=${at(10)}&to=${at(5)}`, user.accessToken)).status, 400)
      assert.equal((await api.get('/v1/heart-rate/samples?cursor=garbage', user.accessToken)).status, 400)
    })

    test('zones from stored samples and from a posted list; HRV from RR intervals', async () => {
      const user = await signUp(api)
      const noMax = await api.get(`/v1/heart-rate/zones?from=${at(0)}&to=${at(100)}`, user.accessToken)
      assert.equal(noMax.status, 400)
      assert.match(noMax.body.error.message, /maximum heart rate/)
      // max 200: interval means 100 and 115 bpm are zone 1 (50-60 %), 130 zone 2, 140 and 150 zone 3; the 60 s gap is left out.
      const bpm = [
        [0, 100],
        [5, 100],
        [10, 130],
        [15, 130],
        [20, 150],
        [80, 150],
        [85, 150],
      ]
      await api.post(
        '/v1/heart-rate/samples',
        {
          samples: bpm.map(([s, b]) => ({
            timestamp: at(s as number),
            bpm: b,
            rrIntervalsMs: [800, 810, 790, 860, 800],
          })),
        },
        user.accessToken,
      )
      await api.patch('/v1/me', { settings: { maxHeartRate: 200 } }, user.accessToken)
      const zones = await api.get(`/v1/heart-rate/zones?from=${at(0)}&to=${at(100)}`, user.accessToken)
      assert.equal(zones.status, 200)
      assert.equal(zones.body.method, 'percent-of-max')
      assert.deepEqual(
        zones.body.zones.map((z: { seconds: number }) => z.seconds),
        [10, 5, 10, 0, 0],
      )
      assert.deepEqual([zones.body.totalSeconds, zones.body.excludedGapSeconds], [25, 60])
      const posted = await api.post(
        '/v1/heart-rate/zones',
        {
          samples: [
            { timestamp: at(0), bpm: 120 },
            { timestamp: at(10), bpm: 120 },
          ],
          age: 40,
          restingHeartRate: 60,
        },
        user.accessToken,
      )
      assert.equal(posted.body.method, 'karvonen')
      assert.equal(posted.body.maxHeartRate, 200) // the set max wins over 220 - age
      assert.equal(posted.body.zones[0].seconds, 0)
      assert.equal(posted.body.belowZonesSeconds, 10) // (120-60)/(200-60) = 43 %
      const hrv = await api.get(`/v1/heart-rate/hrv?from=${at(0)}&to=${at(100)}`, user.accessToken)
      // Seven copies of [800, 810, 790, 860, 800], in two continuous stretches (the 60 s pause between
      // 20 s and 80 s is a gap no difference crosses): 5 copies give 24 differences, 2 copies 9, so
      // 33 in all (7 x [10, -20, 70, -60] and 5 zeros): RMSSD = sqrt(63000 / 33), pNN50 = 14 / 33.
      assert.deepEqual(hrv.body, {
        intervalCount: 35,
        correctedBeats: 0,
        segments: 2,
        rmssdMs: 43.69,
        sdnnMs: 25.18,
        pnn50: 42.42,
      })

      // Per minute: the samples at 0-20 s share a minute bucket, 80 and 85 s share the next.
      const perMinute = await api.get(
        `/v1/heart-rate/hrv/series?from=${at(0)}&to=${at(100)}&bucket=1m`,
        user.accessToken,
      )
      assert.equal(perMinute.status, 200, JSON.stringify(perMinute.body))
      const toMinute = (s: number) => new Date(Math.floor(new Date(at(s)).getTime() / 60_000) * 60_000).toISOString()
      const buckets = new Map<string, number>()
      for (const s of [0, 5, 10, 15, 20, 80, 85]) buckets.set(toMinute(s), (buckets.get(toMinute(s)) ?? 0) + 5)
      assert.deepEqual(
        perMinute.body.points.map((p: { start: string; intervalCount: number }) => [p.start, p.intervalCount]),
        [...buckets],
      )
      assert.deepEqual(
        (await api.get(`/v1/heart-rate/hrv/series?from=${at(0)}&to=${at(100)}&bucket=1s`, user.accessToken)).status,
        400,
      )
    })

    test('dates are strict RFC 3339 on every route that takes one: 29 February 2026 is refused, not stored as 1 March', async () => {
      const user = await signUp(api)
      const leap = await api.post(
        '/v1/heart-rate/samples',
        { timestamp: '2026-02-29T10:00:00Z', bpm: 70 },
        user.accessToken,
      )
      assert.equal(leap.status, 400)
      assert.equal(leap.body.error.details[0].reason, 'timestamp_invalid')
      assert.match(leap.body.error.message, /2026-02-29, a day that does not exist/)
      const march = await api.post(
        '/v1/heart-rate/samples',
        { timestamp: '2026-03-01T10:00:00Z', bpm: 71 },
        user.accessToken,
      )
      assert.equal(march.status, 201)
      assert.equal(march.body.verdict.alreadyStored, undefined, 'the real 1 March sample is new')
      const batch = await api.post(
        '/v1/heart-rate/samples',
        {
          samples: [
            { timestamp: '2026-03-01T10:00Z', bpm: 70 },
            { timestamp: '2026-04-31T10:00:00+02:00', bpm: 70 },
            { timestamp: '2026-03-01T11:00:00+01:00', bpm: 72 },
          ],
        },
        user.accessToken,
      )
      assert.deepEqual(
        batch.body.verdicts.map((v: { reason?: string; status: string }) => v.reason ?? v.status),
        ['timestamp_invalid', 'timestamp_invalid', 'stored'],
      )
      assert.equal(batch.body.verdicts[2].alreadyStored, true, '11:00+01:00 is the 10:00Z sample')
      for (const path of [
        '/v1/heart-rate/samples?from=2026-02-29T00:00:00Z',
        '/v1/heart-rate/series?to=2026-02-30T00:00:00Z',
        '/v1/heart-rate/alerts?before=2026-02-29T00:00:00Z',
        '/v1/heart-rate/hrv?from=2026-03-01T00:00Z',
      ]) {
        const reply = await api.get(path, user.accessToken)
        assert.equal(reply.status, 400, path)
        assert.equal(reply.body.error.details[0].reason, 'timestamp_invalid', path)
      }
      const zones = await api.post(
        '/v1/heart-rate/zones',
        {
          samples: [
            { timestamp: '2026-02-29T10:00:00Z', bpm: 120 },
            { timestamp: '2026-03-01T10:00:00Z', bpm: 120 },
          ],
          age: 30,
        },
        user.accessToken,
      )
      assert.equal(zones.status, 400)
      assert.deepEqual(
        zones.body.error.details.map((d: { path: string; reason: string }) => [d.path, d.reason]),
        [['body.samples.0', 'timestamp_invalid']],
      )
      const stored = await api.get(
        '/v1/heart-rate/samples?from=2026-02-28T00:00:00Z&to=2026-03-02T00:00:00Z',
        user.accessToken,
      )
      assert.deepEqual(
        stored.body.samples.map((s: { timestamp: string; bpm: number }) => [s.timestamp, s.bpm]),
        [['2026-03-01T10:00:00.000Z', 71]],
      )
    })

    test('the retention job deletes samples older than the setting', async () => {
      const { purgeOldSamples } = await import('../src/domains/heart-rate/heart-rate.jobs.js')
      const user = await signUp(api)
      await api.post(
        '/v1/heart-rate/samples',
        {
          samples: [
            { timestamp: Date.now() - 3 * 86_400_000, bpm: 70 },
            { timestamp: at(0), bpm: 71 },
          ],
        },
        user.accessToken,
      )
      const logger = server.app.logger
      assert.equal(await purgeOldSamples(server.app.database.db, 0, logger, server.app.now()), 0, '0 keeps everything')
      // Other tests of this file stored old samples too (1 March): every sample past the cutoff goes.
      const db = server.app.database.db
      const older = await db
        .selectFrom('heart_rate_samples')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('ts', '<', Date.now() - 2 * 86_400_000)
        .executeTakeFirstOrThrow()
      assert.ok(Number(older.n) >= 1)
      assert.equal(
        await purgeOldSamples(db, 2, logger, server.app.now()),
        Number(older.n),
        'exactly the samples past 2 days',
      )
      const left = await api.get(`/v1/heart-rate/samples?from=${Date.now() - 5 * 86_400_000}`, user.accessToken)
      assert.deepEqual(
        left.body.samples.map((s: { bpm: number }) => s.bpm),
        [71],
      )
    })
  })
}
