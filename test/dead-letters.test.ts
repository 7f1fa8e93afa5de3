// Dead-lettered jobs from the admin API, on both queue adapters: list, retry (a fresh set of
// attempts), discard; 404 for an unknown queue or job.
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { client, startTestApp, type TestApp } from './helpers/app.js'
import { databaseTargets } from './helpers/databases.js'
import { rabbitEnv } from './helpers/game-sessions.js'
import { RABBITMQ, skipUnless } from './helpers/services.js'

const ADMIN = { PULSEBASE_ADMIN_EMAIL: 'ops@example.com', PULSEBASE_ADMIN_PASSWORD: 'correct horse battery' }
const sqlite = (await databaseTargets()).find((t) => t.kind === 'sqlite') as NonNullable<
  Awaited<ReturnType<typeof databaseTargets>>[number]
>
const setups = [
  { name: 'the database queue', skip: undefined, env: (): Record<string, string> => ({}) },
  { name: 'RabbitMQ', skip: await skipUnless(RABBITMQ), env: () => rabbitEnv() },
]

async function eventually<T>(read: () => Promise<T>, isDone: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 400; i += 1) {
    const value = await read()
    if (isDone(value)) return value
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

for (const setup of setups) {
  describe(`dead-lettered jobs on ${setup.name}`, { skip: setup.skip }, () => {
    test('retry puts one back to run, discard removes one, unknown queues and jobs are 404', async () => {
      const db = await sqlite.create()
      const opened: TestApp[] = []
      after(async () => {
        for (const app of opened) await app.close()
        await db.drop()
      })
      const env = { PULSEBASE_DATABASE_URL: db.url, PULSEBASE_QUEUE_MAX_ATTEMPTS: '1', ...ADMIN, ...setup.env() }
      // A process with a worker makes two jobs dead (their payloads break the schema), then stops.
      const worker = await startTestApp(env)
      opened.push(worker)
      await worker.app.startWorker()
      const ids = [
        await worker.app.queue.publish('maintenance.cleanup', { bad: 1 }),
        await worker.app.queue.publish('maintenance.cleanup', { bad: 2 }),
      ]
      const api = client(worker.url)
      const admin = (
        await api.post('/v1/auth/login', {
          email: ADMIN.PULSEBASE_ADMIN_EMAIL,
          password: ADMIN.PULSEBASE_ADMIN_PASSWORD,
        })
      ).body.accessToken as string
      await eventually(
        () => api.get('/v1/admin/queues/maintenance.cleanup/dead', admin),
        (r) => r.body.jobs?.length === 2,
        'two dead jobs',
      )
      await worker.close()
      opened.pop()

      // An API process without a worker settles them, so the retried job stays visible as ready.
      const server = await startTestApp(env)
      opened.push(server)
      const ops = client(server.url)
      const token = (
        await ops.post('/v1/auth/login', {
          email: ADMIN.PULSEBASE_ADMIN_EMAIL,
          password: ADMIN.PULSEBASE_ADMIN_PASSWORD,
        })
      ).body.accessToken as string
      const listed = (await ops.get('/v1/admin/queues/maintenance.cleanup/dead', token)).body.jobs
        .map((j: { id: string }) => j.id)
        .sort()
      assert.deepEqual(listed, [...ids].sort())

      assert.equal(
        (await ops.post(`/v1/admin/queues/maintenance.cleanup/dead/${ids[0]}/retry`, undefined, token)).status,
        204,
      )
      assert.equal((await ops.delete(`/v1/admin/queues/maintenance.cleanup/dead/${ids[1]}`, token)).status, 204)
      const depth = await eventually(
        () => ops.get('/v1/admin/queues', token),
        (r) => r.body.queues?.[0]?.ready === 1,
        'the retried job to be ready',
      )
      assert.deepEqual(depth.body.queues[0], { queue: 'maintenance.cleanup', ready: 1, dead: 0 })
      assert.deepEqual((await ops.get('/v1/admin/queues/maintenance.cleanup/dead', token)).body.jobs, [])

      assert.equal(
        (await ops.delete(`/v1/admin/queues/maintenance.cleanup/dead/${ids[1]}`, token)).status,
        404,
        'already discarded',
      )
      assert.equal(
        (await ops.post(`/v1/admin/queues/maintenance.cleanup/dead/${ids[0]}/retry`, undefined, token)).status,
        404,
        'no longer dead',
      )
      for (const path of ['/v1/admin/queues/no.such.queue/dead', '/v1/admin/queues/no.such.queue/dead/x/retry']) {
        const reply = path.endsWith('retry') ? await ops.post(path, undefined, token) : await ops.get(path, token)
        assert.equal(reply.status, 404, path)
        assert.match(reply.body.error.message, /No queue no\.such\.queue/)
      }
    })
  })
}
