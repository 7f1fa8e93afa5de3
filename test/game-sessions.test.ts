// Game sessions end to end: upload -> outbox -> worker -> analysis -> live push and sync, on every
// database, with the database queue and with RabbitMQ.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { client, type Client, signUp, startTestApp, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { gameSession, handledJobs, processedSession, rabbitEnv } from './helpers/game-sessions.js'
import { waitUntil } from './helpers/poll.js'
import { RABBITMQ, skipUnless } from './helpers/services.js'
import { connect, next } from './helpers/sockets.js'

const MAX_BYTES = 256 * 1024
const targets = await databaseTargets()
const rabbitSkip = await skipUnless(RABBITMQ)
const queues = [
  { name: 'the database queue', skip: undefined, env: (): Record<string, string> => ({}) },
  { name: 'RabbitMQ', skip: rabbitSkip, env: () => rabbitEnv() },
]

for (const target of targets) {
  for (const queue of queues) {
    describe(`game sessions on ${target.kind} with ${queue.name}`, { skip: target.skip ?? queue.skip }, () => {
      let db: TestDatabase
      let server: TestApp
      let api: Client
      before(async () => {
        db = await target.create()
        server = await startTestApp({
          PULSEBASE_DATABASE_URL: db.url,
          PULSEBASE_GAME_SESSION_MAX_BYTES: String(MAX_BYTES),
          ...queue.env(),
        })
        await server.app.startWorker()
        api = client(server.url)
      })
      after(async () => {
        await server?.close()
        await db?.drop()
      })

      test('an upload answers 202 at once; the worker analyses it; the owner hears it live and through sync', async () => {
        const user = await signUp(api)
        const socket = await connect(server.url, user.accessToken)
        try {
          const processed = next(socket, 'session-processed')
          const posted = await api.post('/v1/game-sessions', gameSession(), user.accessToken)
          assert.equal(posted.status, 202)
          assert.equal(posted.body.state, 'processing')
          assert.equal(posted.body.analysis, null)
          assert.equal(posted.headers.get('location'), `/v1/game-sessions/${posted.body.id}`)
          assert.deepEqual(posted.body.channels, [
            { name: 'flex', sampleCount: 100, dimensions: 5 },
            { name: 'imu', sampleCount: 100, dimensions: 3 },
          ])

          const live = await processed
          assert.equal(live.session.id, posted.body.id)
          assert.equal(live.session.state, 'processed')
          const flex = live.session.analysis.channels[0]
          assert.equal(flex.name, 'flex')
          assert.equal(flex.sampleCount, 100)
          assert.equal(flex.durationMs, 990)
          assert.deepEqual(flex.mean, [4.5, 9, 13.5, 18, 22.5])
          assert.deepEqual(flex.min, [0, 0, 0, 0, 0])
          assert.deepEqual(flex.rangeOfMotion, [9, 18, 27, 36, 45])
          assert.equal(flex.standardDeviation[0], 2.87228, 'sqrt(8.25) to 6 significant digits')
          assert.ok(Math.abs(live.session.analysis.rangeOfMotion - (9 * (15 + 6)) / 8) < 1e-9, 'mean over all 8 axes')
          assert.equal(live.session.analysis.progress.previousSessions, 0)
          assert.equal(live.session.analysis.progress.progressScore, null)

          const stored = await api.get(`/v1/game-sessions/${posted.body.id}`, user.accessToken)
          assert.equal(stored.status, 200)
          assert.deepEqual(stored.body, live.session)

          const sync = await api.get('/v1/sync', user.accessToken)
          assert.equal(sync.status, 200)
          assert.deepEqual(
            sync.body.changes.map((c: { change: string; id: string }) => [c.change, c.id]),
            [
              ['created', posted.body.id],
              ['processed', posted.body.id],
            ],
          )
          assert.equal(sync.body.changes[1].cursor, live.cursor)
          assert.equal(sync.body.changes[1].data.state, 'processed')
          assert.equal(sync.body.cursor, live.cursor)
          assert.equal(sync.body.hasMore, false)
          const caughtUp = await api.get(`/v1/sync?since=${sync.body.cursor}`, user.accessToken)
          assert.deepEqual(caughtUp.body, { changes: [], cursor: sync.body.cursor, hasMore: false })
        } finally {
          socket.close()
        }
      })

      test('a redelivered ProcessingEvent or ReconciliationEvent makes no second analysis and no second notification', async () => {
        const user = await signUp(api)
        const socket = await connect(server.url, user.accessToken)
        try {
          const seen: string[] = []
          socket.onAny((event: string, data: { session?: { id: string } }) =>
            seen.push(`${event}:${data.session?.id ?? ''}`),
          )
          const first = next(socket, 'session-processed')
          const posted = await api.post('/v1/game-sessions', gameSession(), user.accessToken)
          const live = await first
          const processedBefore = await handledJobs(server.app, 'game-sessions.process')
          const reconciledBefore = await handledJobs(server.app, 'game-sessions.reconcile')

          await server.app.queue.publish('game-sessions.process', {
            eventId: randomUUID(),
            userId: user.userId,
            sessionId: posted.body.id,
          })
          await server.app.queue.publish('game-sessions.reconcile', {
            eventId: randomUUID(),
            userId: user.userId,
            sessionId: posted.body.id,
            cursor: Number(String(live.cursor).split('.')[0]), // the position the opaque cursor names
            state: 'processed',
          })
          await waitUntil(
            async () => (await handledJobs(server.app, 'game-sessions.process')) > processedBefore,
            'the process job to be handled',
          )
          await waitUntil(
            async () => (await handledJobs(server.app, 'game-sessions.reconcile')) > reconciledBefore,
            'the reconcile job to be handled',
          )

          // A live event published after the duplicates were handled; anything they sent arrives before it.
          const marker = next(socket, 'heart-rate')
          await api.post(
            '/v1/heart-rate/samples',
            { samples: [{ timestamp: Date.now() - 1000, bpm: 70 }] },
            user.accessToken,
          )
          await marker
          assert.deepEqual(seen, [`session-processed:${posted.body.id}`, 'heart-rate:'])
          const stored = await api.get(`/v1/game-sessions/${posted.body.id}`, user.accessToken)
          assert.equal(stored.body.processedAt, live.session.processedAt)
          const sync = await api.get('/v1/sync', user.accessToken)
          assert.equal(sync.body.changes.length, 2)
        } finally {
          socket.close()
        }
      })

      test('progress compares a session with the earlier ones of the same game, and the trend follows', async () => {
        const user = await signUp(api)
        const base = Date.now() - 3_600_000
        const ids: string[] = []
        for (const [i, score] of [10, 30, 20].entries()) {
          const posted = await api.post(
            '/v1/game-sessions',
            gameSession({ score, endedAt: base + i * 600_000 }),
            user.accessToken,
          )
          ids.push(posted.body.id)
          await processedSession(api, user.accessToken, posted.body.id)
        }
        const other = await api.post('/v1/game-sessions', gameSession({ gameId: 'grip', score: 99 }), user.accessToken)
        await processedSession(api, user.accessToken, other.body.id)

        const third = (await api.get(`/v1/game-sessions/${ids[2]}`, user.accessToken)).body.analysis.progress
        assert.equal(third.previousSessions, 2)
        assert.equal(third.previousMeanScore, 20)
        assert.equal(third.scoreChange, 0)
        assert.equal(third.progressScore, 50, 'beats 10, loses to 30')
        assert.equal(third.rangeOfMotionChange, 0)

        const trend = await api.get('/v1/progress/games/tap-speed', user.accessToken)
        assert.equal(trend.status, 200)
        assert.equal(trend.body.sessions, 3)
        assert.deepEqual(
          trend.body.points.map((p: { score: number }) => p.score),
          [10, 30, 20],
        )
        assert.deepEqual(
          trend.body.points.map((p: { progressScore: number | null }) => p.progressScore),
          [null, 100, 50],
        )
        assert.equal(trend.body.firstScore, 10)
        assert.equal(trend.body.lastScore, 20)
        assert.equal(trend.body.bestScore, 30)
        assert.equal(trend.body.meanScore, 20)
        assert.equal(trend.body.scoreSlope, 5)
        const empty = await api.get('/v1/progress/games/never-played', user.accessToken)
        assert.deepEqual([empty.body.sessions, empty.body.scoreSlope, empty.body.points], [0, null, []])
      })

      test('bad uploads get 400 or 413 with the reason, and store nothing', async () => {
        const user = await signUp(api)
        const base = gameSession()
        const cases: [unknown, RegExp][] = [
          [{ ...base, score: undefined }, /score/],
          [
            { ...base, endedAt: '2026-01-01T00:00:00Z', startedAt: '2026-01-02T00:00:00Z' },
            /must not be before startedAt/,
          ],
          [{ ...base, startedAt: 'yesterday' }, /startedAt/],
          [{ ...base, channels: [] }, /channels/],
          [{ ...base, channels: [base.channels[0], base.channels[0]] }, /appears twice/],
          [
            {
              ...base,
              channels: [
                {
                  name: 'flex',
                  samples: [
                    { t: Date.now() - 60_000, v: [1, 2] },
                    { t: Date.now() - 60_000, v: [1] },
                  ],
                },
              ],
            },
            /has 1 values; this channel's first sample has 2/,
          ],
          [{ ...base, channels: [{ name: 'flex', samples: [{ t: 5, v: [1] }] }] }, /outside the session/],
          [{ ...base, channels: [{ name: 'flex', samples: [{ t: Date.now(), v: ['x'] }] }] }, /number/],
          [{ ...base, id: 'not-a-uuid' }, /body\.id/],
        ]
        for (const [body, message] of cases) {
          const reply = await api.post('/v1/game-sessions', body, user.accessToken)
          assert.equal(reply.status, 400, JSON.stringify(reply.body))
          assert.equal(reply.body.error.code, 'invalid_argument')
          assert.match(JSON.stringify(reply.body.error), message)
        }
        const broken = await fetch(`${server.url}/v1/game-sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${user.accessToken}` },
          body: '{"gameId": "tap-speed", "__proto__": {"x": 1}}',
        })
        assert.equal(broken.status, 400, 'the upload route keeps the prototype-poisoning check')
        const tooBig = await api.post('/v1/game-sessions', gameSession({}, 6000), user.accessToken)
        assert.equal(tooBig.status, 413)
        assert.equal(tooBig.body.error.code, 'payload_too_large')
        assert.equal((await api.post('/v1/game-sessions', base)).status, 401)
        const list = await api.get('/v1/game-sessions', user.accessToken)
        assert.deepEqual(list.body.sessions, [])
        assert.deepEqual((await api.get('/v1/sync', user.accessToken)).body.changes, [])
      })

      test('a retried upload with the same id is stored and processed once; another user cannot take the id', async () => {
        const user = await signUp(api)
        const id = randomUUID()
        const body = gameSession({ id })
        const [first, second] = await Promise.all([
          api.post('/v1/game-sessions', body, user.accessToken),
          api.post('/v1/game-sessions', body, user.accessToken),
        ])
        assert.deepEqual([first.status, second.status].sort(), [200, 202])
        await processedSession(api, user.accessToken, id)
        const again = await api.post('/v1/game-sessions', body, user.accessToken)
        assert.equal(again.status, 200)
        assert.equal(again.body.state, 'processed')
        assert.equal((await api.get('/v1/game-sessions', user.accessToken)).body.sessions.length, 1)
        const thief = await signUp(api)
        const clash = await api.post('/v1/game-sessions', body, thief.accessToken)
        assert.equal(clash.status, 409)
        assert.equal((await api.get(`/v1/game-sessions/${id}`, thief.accessToken)).status, 404)
      })

      test("a device key uploads for its owner; lists page newest first; nobody sees another user's sessions", async () => {
        const owner = await signUp(api)
        const stranger = await signUp(api)
        const { apiKey, device } = (
          await api.post('/v1/devices', { name: 'left glove', kind: 'glove' }, owner.accessToken)
        ).body
        const ids: string[] = []
        for (const game of ['a', 'b', 'a']) {
          const reply = await api.post('/v1/game-sessions', gameSession({ gameId: game }), apiKey)
          assert.equal(reply.status, 202)
          assert.equal(reply.body.deviceId, device.id)
          ids.push(reply.body.id)
        }
        const page1 = await api.get('/v1/game-sessions?limit=2', owner.accessToken)
        assert.deepEqual(
          page1.body.sessions.map((s: { id: string }) => s.id),
          [ids[2], ids[1]],
        )
        const page2 = await api.get(`/v1/game-sessions?limit=2&cursor=${page1.body.nextCursor}`, owner.accessToken)
        assert.deepEqual(
          page2.body.sessions.map((s: { id: string }) => s.id),
          [ids[0]],
        )
        assert.equal(page2.body.nextCursor, null)
        const onlyA = await api.get('/v1/game-sessions?game=a', owner.accessToken)
        assert.deepEqual(
          onlyA.body.sessions.map((s: { id: string }) => s.id),
          [ids[2], ids[0]],
        )
        assert.equal((await api.get('/v1/game-sessions?cursor=bogus', owner.accessToken)).status, 400)

        assert.deepEqual((await api.get('/v1/game-sessions', stranger.accessToken)).body.sessions, [])
        assert.equal((await api.get(`/v1/game-sessions/${ids[0]}`, stranger.accessToken)).status, 404)
        assert.deepEqual((await api.get('/v1/sync', stranger.accessToken)).body.changes, [])
        assert.equal((await api.get('/v1/progress/games/a', stranger.accessToken)).body.sessions, 0)
      })
    })
  }
}

for (const target of targets) {
  describe(`a 20 MB game session on ${target.kind}, under the default 50 MB limit`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url })
      await server.app.startWorker()
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('is accepted, stored in pieces under the driver packet limit, and processed', async () => {
      const api = client(server.url)
      const user = await signUp(api)
      const body = JSON.stringify(gameSession({}, 300_000))
      assert.ok(body.length > 20_000_000, `body is ${body.length} bytes`)
      const reply = await fetch(`${server.url}/v1/game-sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user.accessToken}` },
        body,
      })
      assert.equal(reply.status, 202)
      const { id } = (await reply.json()) as { id: string }
      const pieces = await server.app.database.db
        .selectFrom('game_session_data')
        .select('seq')
        .where('session_id', '=', id)
        .execute()
      assert.ok(pieces.length > 1, `stored in ${pieces.length} pieces`)
      const processed = await processedSession(api, user.accessToken, id)
      assert.equal(processed.state, 'processed')
      assert.deepEqual(
        processed.analysis.channels.map((c: { sampleCount: number }) => c.sampleCount),
        [300_000, 300_000],
      )
    })
  })
}
