import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { applySamples } from '../src/domains/heart-rate/alert-episodes.js'
import { classifyAlert } from '../src/domains/heart-rate/sample-checks.js'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { connect, next } from './helpers/sockets.js'

const DAY = 86_400_000
// Yesterday 00:00 UTC: wall-clock times of the cases sit on it, always in the past.
const MIDNIGHT = Math.floor(Date.now() / DAY) * DAY - DAY
const clock = (h: number, m: number, s: number) => MIDNIGHT + ((h * 60 + m) * 60 + s) * 1000
const T0 = MIDNIGHT + 12 * 3_600_000
const at = (seconds: number) => T0 + seconds * 1000
const iso = (ms: number) => new Date(ms).toISOString()

interface AlertBody {
  id: string
  kind: string
  openedAt: string
  lastAlertAt: string
  closedAt: string | null
  sampleCount: number
  peakBpm: number
}
const summary = (a: AlertBody) => [a.kind, a.openedAt, a.lastAlertAt, a.closedAt, a.sampleCount, a.peakBpm]

/** A small seeded generator, so a failing order can be replayed. */
function random(seed: number) {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state / 2 ** 31
  }
}

for (const target of await databaseTargets()) {
  describe(`alert episodes in sample time on ${target.kind}`, { skip: target.skip }, () => {
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

    const send = (token: string, samples: Array<[number, number]>) =>
      api.post('/v1/heart-rate/samples', { samples: samples.map(([ts, bpm]) => ({ timestamp: ts, bpm })) }, token)
    const fetchAlerts = async (token: string) =>
      (await api.get('/v1/heart-rate/alerts?state=all&limit=500', token)).body.alerts.reverse() as AlertBody[]

    test('an episode opens on a crossing, grows, closes after exactly 3 in-range samples, and a crossing resets the count', async () => {
      const user = await signUp(api)
      await send(user.accessToken, [
        [at(0), 80],
        [at(1), 155],
        [at(2), 160],
        [at(3), 100],
        [at(4), 95],
      ])
      let [episode] = await fetchAlerts(user.accessToken)
      assert.deepEqual(
        summary(episode as AlertBody),
        ['HIGH', iso(at(1)), iso(at(2)), null, 2, 160],
        'two in range: still open',
      )
      await send(user.accessToken, [[at(5), 90]])
      ;[episode] = await fetchAlerts(user.accessToken)
      assert.equal(episode?.closedAt, iso(at(5)), 'the third in-range sample closes it, at its time')

      await send(user.accessToken, [
        [at(10), 155],
        [at(11), 100],
        [at(12), 100],
        [at(13), 160],
        [at(14), 100],
        [at(15), 100],
      ])
      let second = (await fetchAlerts(user.accessToken))[1] as AlertBody
      assert.deepEqual(
        summary(second),
        ['HIGH', iso(at(10)), iso(at(13)), null, 2, 160],
        'the crossing at 13 s reset the streak of two',
      )
      await send(user.accessToken, [[at(16), 100]])
      second = (await fetchAlerts(user.accessToken))[1] as AlertBody
      assert.equal(second.closedAt, iso(at(16)))

      const switched = await send(user.accessToken, [
        [at(20), 165],
        [at(21), 45],
      ])
      assert.deepEqual(
        switched.body.alerts.map((a: AlertBody) => [a.kind, a.openedAt, a.closedAt]),
        [
          ['HIGH', iso(at(20)), iso(at(21))],
          ['LOW', iso(at(21)), null],
        ],
      )
      const status = await api.get('/v1/heart-rate/status', user.accessToken)
      assert.equal(status.body.activeAlert.kind, 'LOW')
      const acked = await api.post(
        `/v1/heart-rate/alerts/${status.body.activeAlert.id}/acknowledge`,
        undefined,
        user.accessToken,
      )
      assert.notEqual(acked.body.acknowledgedAt, null)
      const other = await signUp(api)
      assert.equal((await api.get(`/v1/heart-rate/alerts/${acked.body.id}`, other.accessToken)).status, 404)
    })

    test("an athlete's night at 38-39 bpm is stored and opens LOW; a sprint to 197 is stored, peaks at 197 and counts 25 s in zone 5", async () => {
      const user = await signUp(api)
      const night = await send(user.accessToken, [
        [clock(2, 0, 0), 39],
        [clock(2, 0, 5), 38],
        [clock(2, 0, 10), 39],
      ])
      assert.deepEqual(night.body.verdicts, [
        { status: 'stored', alert: 'LOW' },
        { status: 'stored', alert: 'LOW' },
        { status: 'stored', alert: 'LOW' },
      ])
      assert.deepEqual(night.body.alerts.map(summary), [
        ['LOW', iso(clock(2, 0, 0)), iso(clock(2, 0, 10)), null, 3, 38],
      ])

      const sprinter = await signUp(api)
      await api.patch('/v1/me', { settings: { birthYear: new Date().getUTCFullYear() - 20 } }, sprinter.accessToken)
      const bpms = [178, 186, 193, 197, 191, 179]
      const sprint = await send(
        sprinter.accessToken,
        bpms.map((bpm, i): [number, number] => [clock(7, 0, i * 5), bpm]),
      )
      assert.equal(sprint.body.stored, 6)
      assert.deepEqual(sprint.body.alerts.map(summary), [
        ['HIGH', iso(clock(7, 0, 0)), iso(clock(7, 0, 25)), null, 6, 197],
      ])
      const zones = await api.get(
        `/v1/heart-rate/zones?from=${clock(7, 0, 0)}&to=${clock(7, 1, 0)}`,
        sprinter.accessToken,
      )
      assert.equal(zones.body.maxHeartRate, 200)
      assert.deepEqual(
        zones.body.zones.map((z: { seconds: number }) => z.seconds),
        [0, 0, 0, 0, 25],
      )
    })

    test('a backfilled batch makes an episode in its own time, closed by the later in-range samples; it is announced as backfilled', async () => {
      const user = await signUp(api)
      const socket = await connect(server.url, user.accessToken)
      try {
        await send(
          user.accessToken,
          [0, 5, 10, 15].map((s): [number, number] => [clock(5, 0, s), 70]),
        )
        const event = next(socket, 'alert')
        const late = await send(user.accessToken, [
          [clock(3, 0, 0), 158],
          [clock(3, 0, 5), 162],
          [clock(3, 0, 10), 165],
        ])
        const expected = ['HIGH', iso(clock(3, 0, 0)), iso(clock(3, 0, 10)), iso(clock(5, 0, 10)), 3, 165]
        assert.deepEqual(late.body.alerts.map(summary), [expected])
        const live = await event
        assert.equal(live.change, 'backfilled', 'not a live alarm')
        assert.deepEqual(summary(live.alert), expected)
        assert.equal((await api.get('/v1/heart-rate/status', user.accessToken)).body.activeAlert, null)
        assert.deepEqual((await fetchAlerts(user.accessToken)).map(summary), [expected])
        const sync = await api.get('/v1/sync', user.accessToken)
        assert.deepEqual(
          sync.body.changes
            .filter((c: { kind: string }) => c.kind === 'alert')
            .map((c: { change: string }) => c.change),
          ['backfilled'],
        )
      } finally {
        socket.close()
      }
    })

    test('late samples that land inside a stored episode extend it in place, keeping its id', async () => {
      const user = await signUp(api)
      await send(user.accessToken, [
        [at(0), 160],
        [at(10), 100],
        [at(11), 100],
        [at(12), 100],
        [at(20), 100],
      ])
      const [before] = await fetchAlerts(user.accessToken)
      assert.deepEqual(summary(before as AlertBody), ['HIGH', iso(at(0)), iso(at(0)), iso(at(12)), 1, 160])
      await send(user.accessToken, [[at(11.5), 170]])
      const [after] = await fetchAlerts(user.accessToken)
      assert.equal(after?.id, before?.id)
      assert.deepEqual(
        summary(after as AlertBody),
        ['HIGH', iso(at(0)), iso(at(11.5)), null, 2, 170],
        'the streak starts again after 11.5 s: 12 s and 20 s are two in range, no third yet',
      )
      assert.equal((await api.get('/v1/heart-rate/status', user.accessToken)).body.activeAlert.id, before?.id)
    })

    test('late in-range samples inside a stored episode close it early, and a later crossing opens a new one', async () => {
      const user = await signUp(api)
      await send(user.accessToken, [
        [at(0), 160],
        [at(10), 165],
        [at(20), 100],
        [at(21), 100],
        [at(22), 100],
        [at(30), 100],
      ])
      const before = await fetchAlerts(user.accessToken)
      assert.deepEqual(before.map(summary), [['HIGH', iso(at(0)), iso(at(10)), iso(at(22)), 2, 165]])
      // Three in-range readings between the crossings, sent late: the streak reaches 3 at 3 s.
      await send(user.accessToken, [
        [at(1), 90],
        [at(2), 90],
        [at(3), 90],
      ])
      const after = await fetchAlerts(user.accessToken)
      assert.deepEqual(
        after.map(summary),
        [
          ['HIGH', iso(at(0)), iso(at(0)), iso(at(3)), 1, 160],
          ['HIGH', iso(at(10)), iso(at(10)), iso(at(22)), 1, 165],
        ],
        'the episode ends at 3 s; the crossing at 10 s opens its own',
      )
      // In-range readings where no episode was open change nothing.
      await send(user.accessToken, [
        [at(5), 90],
        [at(6), 90],
        [at(25), 90],
      ])
      assert.deepEqual((await fetchAlerts(user.accessToken)).map(summary), after.map(summary))
    })

    // Alert samples 25 % of the time (most batches replay), then 3 % (most batches are all in range:
    // those that land where no episode was open skip the replay, the rest replay).
    for (const [alertShare, minEpisodes] of [
      [0.25, 5],
      [0.03, 2],
    ] as const)
      test(`out-of-order batches across requests, and concurrent requests of one user on two devices, give the episodes of the samples in time order (alerts ${alertShare * 100} % of samples)`, async () => {
        const rng = random(target.kind.length * 7919 + Math.round(alertShare * 100))
        const user = await signUp(api)
        const keys = await Promise.all(
          ['strap', 'watch'].map(
            async (name) => (await api.post('/v1/devices', { name, kind: 'watch' }, user.accessToken)).body,
          ),
        )
        const timeline = Array.from({ length: 240 }, (_, i) => ({
          ts: at(100 + i),
          bpm: rng() < alertShare ? (rng() < 0.6 ? 160 : 45) : 60 + Math.floor(rng() * 40),
          device: keys[i % 2],
        }))
        const chunks: (typeof timeline)[] = []
        for (let i = 0; i < timeline.length; i += 6) chunks.push(timeline.slice(i, i + 6))
        chunks.sort(() => rng() - 0.5)
        const first = chunks.splice(0, 10)
        for (const chunk of first)
          await api.post(
            '/v1/heart-rate/samples',
            { samples: chunk.map((s) => ({ timestamp: s.ts, bpm: s.bpm })) },
            chunk[0]?.device.apiKey,
          )
        const replies = await Promise.all(
          chunks.map((chunk) =>
            api.post(
              '/v1/heart-rate/samples',
              { samples: chunk.map((s) => ({ timestamp: s.ts, bpm: s.bpm })) },
              chunk[0]?.device.apiKey,
            ),
          ),
        )
        assert.ok(replies.every((r) => r.status === 200 && r.body.stored === 6))

        const samples = timeline.map((s) => ({
          ts: s.ts,
          bpm: s.bpm,
          deviceId: s.device.device.id,
          alert: classifyAlert(s.bpm, { lowAlert: 50, highAlert: 150 }),
        }))
        const expected = applySamples(user.userId, undefined, samples, 3, 0).opened
        assert.ok(expected.length >= minEpisodes, `the generated timeline has ${expected.length} episodes`)
        const stored = await fetchAlerts(user.accessToken)
        assert.deepEqual(
          stored.map(summary),
          expected.map((e) => [
            e.kind,
            iso(e.opened_at),
            iso(e.last_alert_at),
            e.closed_at === null ? null : iso(e.closed_at),
            e.sample_count,
            e.peak_bpm,
          ]),
        )
      })
  })
}
