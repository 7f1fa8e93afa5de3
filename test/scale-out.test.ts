// Several API processes (apps in this process, sharing nothing but the servers) on PostgreSQL + Redis (+ RabbitMQ).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { client, signUp, startTestApp, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { gameSession, handledJobs, rabbitEnv } from './helpers/game-sessions.js'
import { pollUntil } from './helpers/poll.js'
import { RABBITMQ, REDIS, skipUnless } from './helpers/services.js'
import { connect, next } from './helpers/sockets.js'

const postgres = (await databaseTargets()).find((t) => t.kind === 'postgres')
const redisSkip = await skipUnless(REDIS)

describe('two API processes on PostgreSQL + Redis', { skip: postgres?.skip ?? redisSkip }, () => {
  let db: TestDatabase
  let a: TestApp
  let b: TestApp
  before(async () => {
    db = await (postgres as NonNullable<typeof postgres>).create()
    // A long key cache, so only the revocation broadcast can make the other process refuse a key.
    const env = {
      PULSEBASE_DATABASE_URL: db.url,
      PULSEBASE_REDIS_URL: REDIS.url,
      PULSEBASE_DEVICE_KEY_CACHE_SECONDS: '300',
    }
    a = await startTestApp(env)
    b = await startTestApp(env)
  })
  after(async () => {
    await Promise.allSettled([a?.close(), b?.close()])
    await db?.drop()
  })

  test('a sample posted to one process reaches a socket held by the other', async () => {
    const apiA = client(a.url)
    const user = await signUp(apiA)
    const socket = await connect(b.url, user.accessToken)
    try {
      const event = next(socket, 'heart-rate')
      const posted = await apiA.post(
        '/v1/heart-rate/samples',
        { samples: [{ timestamp: Date.now() - 60_000, bpm: 77 }] },
        user.accessToken,
      )
      assert.equal(posted.status, 200)
      assert.deepEqual(
        (await event).samples.map((s: { bpm: number }) => s.bpm),
        [77],
      )
    } finally {
      socket.close()
    }
  })

  test('a device revoked through one process is refused by the other, which had its key cached', async () => {
    const apiA = client(a.url)
    const apiB = client(b.url)
    const user = await signUp(apiA)
    const { apiKey, device } = (await apiA.post('/v1/devices', { name: 'watch', kind: 'watch' }, user.accessToken)).body
    assert.equal((await apiB.get('/v1/me', apiKey)).status, 200) // now cached on B
    assert.equal((await apiA.post(`/v1/devices/${device.id}/revoke`, undefined, user.accessToken)).status, 200)
    assert.equal((await apiA.get('/v1/me', apiKey)).status, 401, 'the revoking process refuses at once')
    const status = await pollUntil(
      async () => (await apiB.get('/v1/me', apiKey)).status,
      (s) => s !== 200,
      'the other process to refuse the key',
      { tries: 100, intervalMs: 20 },
    )
    assert.equal(status, 401, 'the other process dropped its cached key on the broadcast, long before its 300 s TTL')
  })
})

const rabbitSkip = await skipUnless(RABBITMQ)

describe(
  'two API processes and one worker on PostgreSQL + RabbitMQ + Redis',
  { skip: postgres?.skip ?? redisSkip ?? rabbitSkip },
  () => {
    let db: TestDatabase
    let a: TestApp
    let b: TestApp
    let worker: TestApp
    before(async () => {
      db = await (postgres as NonNullable<typeof postgres>).create()
      const env = { PULSEBASE_DATABASE_URL: db.url, PULSEBASE_REDIS_URL: REDIS.url, ...rabbitEnv() }
      a = await startTestApp(env)
      b = await startTestApp(env)
      worker = await startTestApp(env)
      await worker.app.startWorker() // only this one consumes jobs
    })
    after(async () => {
      await Promise.allSettled([a?.close(), b?.close(), worker?.close()])
      await db?.drop()
    })

    test('a session posted to one API process is processed by the worker and notified on a socket held by the other', async () => {
      const apiA = client(a.url)
      const user = await signUp(apiA)
      const socket = await connect(b.url, user.accessToken)
      try {
        const processed = next(socket, 'session-processed')
        const posted = await apiA.post('/v1/game-sessions', gameSession(), user.accessToken)
        assert.equal(posted.status, 202)
        const live = await processed
        assert.equal(live.session.id, posted.body.id)
        assert.equal(live.session.state, 'processed')
        assert.ok((await handledJobs(worker.app, 'game-sessions.process')) >= 1, 'the worker process did the work')
        assert.equal(await handledJobs(a.app, 'game-sessions.process'), 0)
        assert.equal(await handledJobs(b.app, 'game-sessions.process'), 0)
        const synced = await client(b.url).get('/v1/sync', user.accessToken)
        assert.deepEqual(
          synced.body.changes.map((c: { change: string }) => c.change),
          ['created', 'processed'],
        )
      } finally {
        socket.close()
      }
    })
  },
)
