// What happens to game-session processing when things break: a poison event, a worker killed
// with SIGKILL mid-job, and the broker connection cut while sessions flow.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import { startTcpProxy, type TcpProxy } from '../src/platform/queue/tcp-proxy.fixture.js'
import { type CliProcess, startCli } from './helpers/cli.js'
import { client, type Client, signUp, startTestApp, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { gameSession, processedSession, RABBITMQ_URL, rabbitEnv } from './helpers/game-sessions.js'
import { pollDefined, waitUntil } from './helpers/poll.js'
import { RABBITMQ, REDIS, skipUnless } from './helpers/services.js'
import { connect, next } from './helpers/sockets.js'

const ADMIN = { PULSEBASE_ADMIN_EMAIL: 'ops@example.com', PULSEBASE_ADMIN_PASSWORD: 'correct horse battery' }
const targets = await databaseTargets()
const sqlite = targets.find((t) => t.kind === 'sqlite') as (typeof targets)[number]
const postgres = targets.find((t) => t.kind === 'postgres') as (typeof targets)[number]
const rabbitSkip = await skipUnless(RABBITMQ)
const redisSkip = await skipUnless(REDIS)

const setups = [
  {
    name: 'SQLite with the database queue',
    target: sqlite,
    skip: sqlite.skip,
    env: (): Record<string, string> => ({}),
  },
  { name: 'PostgreSQL with RabbitMQ', target: postgres, skip: postgres.skip ?? rabbitSkip, env: () => rabbitEnv() },
]

for (const setup of setups) {
  describe(`a poison ProcessingEvent on ${setup.name}`, { skip: setup.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client
    before(async () => {
      db = await setup.target.create()
      server = await startTestApp({
        PULSEBASE_DATABASE_URL: db.url,
        PULSEBASE_QUEUE_MAX_ATTEMPTS: '2',
        ...ADMIN,
        ...setup.env(),
      })
      api = client(server.url)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('is retried with backoff, then dead-lettered where admins see it; the session is marked failed and the user told', async () => {
      const user = await signUp(api)
      const posted = await api.post('/v1/game-sessions', gameSession(), user.accessToken)
      assert.equal(posted.status, 202)
      // Stored data that no longer decodes: every attempt at it fails.
      await server.app.database.db
        .updateTable('game_session_data')
        .set({ bytes: Buffer.from('not gzip') })
        .where('session_id', '=', posted.body.id)
        .execute()
      const socket = await connect(server.url, user.accessToken)
      try {
        const failed = next(socket, 'session-failed')
        await server.app.startWorker()
        const live = await failed
        assert.equal(live.session.id, posted.body.id)
        assert.equal(live.session.state, 'failed')
        assert.match(live.session.failure, /could not be processed/)

        const admin = (
          await api.post('/v1/auth/login', {
            email: ADMIN.PULSEBASE_ADMIN_EMAIL,
            password: ADMIN.PULSEBASE_ADMIN_PASSWORD,
          })
        ).body.accessToken as string
        const dead = await pollDefined(async () => {
          const jobs = (await api.get('/v1/admin/queues/game-sessions.process/dead', admin)).body.jobs as {
            payload: { sessionId: string }
            attempts: number
            lastError: string
          }[]
          return jobs.find((j) => j.payload.sessionId === posted.body.id)
        }, 'the dead-lettered job')
        assert.equal(dead.attempts, 2)
        assert.match(dead.lastError, /header|gzip|incorrect/i)
        assert.equal((await api.get('/v1/admin/queues/game-sessions.process/dead', user.accessToken)).status, 403)
        const sync = await api.get('/v1/sync', user.accessToken)
        assert.deepEqual(
          sync.body.changes.map((c: { change: string }) => c.change),
          ['created', 'failed'],
        )
      } finally {
        socket.close()
      }
    })
  })
}

const startWorker = (env: Record<string, string>): CliProcess => startCli(['worker'], env)

/** The UPDATE that settles a session, blocked behind the test's row lock: the worker is mid-job. */
async function waitForBlockedSettle(admin: pg.Client, database: string): Promise<void> {
  await waitUntil(async () => {
    const { rows } = await admin.query(
      `select 1 from pg_stat_activity where datname = $1 and wait_event_type = 'Lock' and query ilike 'update "game_sessions"%'`,
      [database],
    )
    return rows.length > 0
  }, 'the settling UPDATE to block')
}

const killSetups = [
  {
    name: 'the database queue',
    skip: undefined,
    env: (): Record<string, string> => ({ PULSEBASE_QUEUE_LEASE_SECONDS: '2' }),
  },
  { name: 'RabbitMQ', skip: rabbitSkip, env: () => rabbitEnv() },
]

for (const setup of killSetups) {
  describe(
    `kill -9 of a separate worker mid-job, PostgreSQL + Redis + ${setup.name}`,
    { skip: postgres.skip ?? redisSkip ?? setup.skip },
    () => {
      let db: TestDatabase
      let server: TestApp
      let api: Client
      let env: Record<string, string>
      const dirs: string[] = []
      const children: CliProcess[] = []
      before(async () => {
        db = await postgres.create()
        env = { PULSEBASE_DATABASE_URL: db.url, PULSEBASE_REDIS_URL: REDIS.url, ...setup.env() }
        server = await startTestApp(env) // the API process; it runs no jobs itself
        api = client(server.url)
      })
      after(async () => {
        for (const child of children) child.kill('SIGKILL')
        await server?.close()
        await db?.drop()
        for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
      })

      const worker = async () => {
        const dir = mkdtempSync(join(tmpdir(), 'pulsebase-worker-'))
        dirs.push(dir)
        const child = startWorker({ ...env, PULSEBASE_DATA_DIR: dir, PULSEBASE_LOG_LEVEL: 'info' })
        children.push(child)
        await waitUntil(() => {
          if (child.exitCode !== null) throw new Error(`worker exited: ${child.output()}`)
          return child.output().includes('worker started')
        }, 'the worker to start')
        return child
      }

      test('the event is processed after a restart, once, and the user is told once', async () => {
        const user = await signUp(api)
        const socket = await connect(server.url, user.accessToken)
        const seen: string[] = []
        socket.onAny((event: string) => seen.push(event))
        const posted = await api.post('/v1/game-sessions', gameSession(), user.accessToken)
        assert.equal(posted.status, 202)

        const database = new URL(db.url).pathname.slice(1)
        const locker = new pg.Client({ connectionString: db.url })
        const watcher = new pg.Client({ connectionString: db.url })
        await Promise.all([locker.connect(), watcher.connect()])
        try {
          await locker.query('begin')
          await locker.query('select 1 from game_sessions where id = $1 for update', [posted.body.id])
          const first = await worker()
          await waitForBlockedSettle(watcher, database)
          first.kill('SIGKILL')
          await once(first, 'exit')
          await locker.query('rollback')
          assert.equal(
            (await api.get(`/v1/game-sessions/${posted.body.id}`, user.accessToken)).body.state,
            'processing',
            'the kill came mid-job',
          )

          const processed = next(socket, 'session-processed')
          await worker()
          assert.equal((await processed).session.id, posted.body.id)
          const stored = await processedSession(api, user.accessToken, posted.body.id)
          assert.equal(stored.state, 'processed')
          const marker = next(socket, 'heart-rate')
          await api.post(
            '/v1/heart-rate/samples',
            { samples: [{ timestamp: Date.now() - 1000, bpm: 70 }] },
            user.accessToken,
          )
          await marker
          assert.deepEqual(seen, ['session-processed', 'heart-rate'])
          assert.deepEqual(
            (await api.get('/v1/sync', user.accessToken)).body.changes.map((c: { change: string }) => c.change),
            ['created', 'processed'],
          )
        } finally {
          socket.close()
          await Promise.allSettled([locker.end(), watcher.end()])
        }
      })
    },
  )
}

describe('the RabbitMQ connection cut and restored while sessions flow (SQLite)', { skip: rabbitSkip }, () => {
  let db: TestDatabase
  let proxy: TcpProxy
  let server: TestApp
  let api: Client
  before(async () => {
    db = await sqlite.create()
    const broker = new URL(RABBITMQ_URL)
    proxy = await startTcpProxy(broker.hostname, Number(broker.port))
    broker.port = String(proxy.port)
    server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url, ...rabbitEnv(broker.toString()) })
    await server.app.startWorker()
    api = client(server.url)
  })
  after(async () => {
    await server?.close()
    await proxy?.cut()
    await db?.drop()
  })

  test('every accepted session is processed and announced once', async () => {
    const user = await signUp(api)
    const socket = await connect(server.url, user.accessToken)
    const announced: string[] = []
    socket.on('session-processed', (data: { session: { id: string } }) => announced.push(data.session.id))
    try {
      const ids: string[] = []
      const upload = async () => {
        const reply = await api.post('/v1/game-sessions', gameSession(), user.accessToken)
        assert.equal(reply.status, 202, 'an upload is accepted while the broker is away: it waits in the outbox')
        ids.push(reply.body.id)
      }
      for (let i = 0; i < 10; i++) await upload()
      await proxy.cut()
      // The process has noticed: its readiness check reports the broker gone.
      await waitUntil(async () => (await api.get('/readyz')).status === 503, 'readyz to answer 503')
      for (let i = 0; i < 10; i++) await upload()
      await proxy.resume()
      for (let i = 0; i < 10; i++) await upload()

      for (const id of ids) assert.equal((await processedSession(api, user.accessToken, id)).state, 'processed')
      await waitUntil(() => announced.length >= ids.length, 'every session to be announced')
      const marker = next(socket, 'heart-rate')
      await api.post(
        '/v1/heart-rate/samples',
        { samples: [{ timestamp: Date.now() - 1000, bpm: 70 }] },
        user.accessToken,
      )
      await marker
      assert.deepEqual([...announced].sort(), [...ids].sort(), 'each session announced exactly once')
    } finally {
      socket.close()
    }
  })
})
