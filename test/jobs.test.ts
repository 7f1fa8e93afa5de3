import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { type JobHandlers, publishJob, startWorker } from '../src/jobs.js'
import { client, startTestApp, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { waitUntil } from './helpers/poll.js'

for (const target of await databaseTargets()) {
  describe(`queued jobs on the database queue on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    before(async () => {
      db = await target.create()
      server = await startTestApp({
        PULSEBASE_DATABASE_URL: db.url,
        PULSEBASE_QUEUE_MAX_ATTEMPTS: '1',
        PULSEBASE_ADMIN_EMAIL: 'ops@example.com',
        PULSEBASE_ADMIN_PASSWORD: 'correct horse battery',
      })
      await server.app.startWorker()
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('the worker refuses to start when a declared job has no handler', async () => {
      await assert.rejects(
        startWorker(server.app.queue, {} as JobHandlers, server.app.logger),
        /no handler for job\(s\): maintenance.cleanup/,
      )
    })

    test('maintenance.cleanup deletes login sessions that expired over a day ago, and keeps live ones', async () => {
      const db = server.app.database.db
      const user = await db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'ops@example.com')
        .executeTakeFirstOrThrow()
      const now = Date.now()
      const [old, live] = [randomUUID(), randomUUID()]
      await db
        .insertInto('auth_sessions')
        .values([
          {
            id: old,
            user_id: user.id,
            created_at: now - 40 * 86_400_000,
            expires_at: now - 2 * 86_400_000,
            revoked_at: null,
          },
          { id: live, user_id: user.id, created_at: now, expires_at: now + 86_400_000, revoked_at: null },
        ])
        .execute()
      await publishJob(server.app.queue, 'maintenance.cleanup', {})
      const ids = async () =>
        (await db.selectFrom('auth_sessions').select('id').where('id', 'in', [old, live]).execute()).map((r) => r.id)
      await waitUntil(async () => !(await ids()).includes(old), 'the expired session to be deleted')
      assert.deepEqual(await ids(), [live])
    })

    test('a job whose payload breaks its schema is dead-lettered, and admins can see it', async () => {
      await server.app.queue.publish('maintenance.cleanup', { unexpected: true })
      const api = client(server.url)
      const admin = (await api.post('/v1/auth/login', { email: 'ops@example.com', password: 'correct horse battery' }))
        .body.accessToken as string
      let jobs: Array<{ payload: unknown; lastError: string }> = []
      await waitUntil(async () => {
        jobs = (await api.get('/v1/admin/queues/maintenance.cleanup/dead', admin)).body.jobs
        return jobs.length > 0
      }, 'the bad job to be dead-lettered')
      assert.deepEqual(jobs[0]?.payload, { unexpected: true })
      assert.match(jobs[0]?.lastError ?? '', /payload/)

      const depths = await api.get('/v1/admin/queues', admin)
      assert.equal(depths.status, 200)
      assert.deepEqual(
        depths.body.queues.map((q: { queue: string }) => q.queue),
        ['maintenance.cleanup', 'game-sessions.process', 'game-sessions.reconcile', 'ml.train'],
        'one entry per declared job',
      )
      assert.deepEqual(depths.body.queues[0], { queue: 'maintenance.cleanup', ready: 0, dead: 1 })
      const user = await api.post('/v1/auth/register', {
        email: 'not-ops@example.com',
        password: 'correct horse battery',
      })
      assert.equal((await api.get('/v1/admin/queues', user.body.accessToken)).status, 403)
    })
  })
}
