// The operator routes that replace the CSI seed's debug routes: log level on every process, version.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { client, signUp, startTestApp, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { waitUntil } from './helpers/poll.js'
import { REDIS, skipUnless } from './helpers/services.js'

const ADMIN = { email: 'ops@example.com', password: 'operator password' }
const sqlite = (await databaseTargets()).find((t) => t.kind === 'sqlite')!
const redisSkip = await skipUnless(REDIS)

describe('admin operations on two API processes sharing SQLite and Redis', { skip: redisSkip }, () => {
  let db: TestDatabase
  let a: TestApp
  let b: TestApp

  before(async () => {
    db = await sqlite.create()
    const env = {
      PULSEBASE_DATABASE_URL: db.url,
      PULSEBASE_REDIS_URL: REDIS.url,
      PULSEBASE_ADMIN_EMAIL: ADMIN.email,
      PULSEBASE_ADMIN_PASSWORD: ADMIN.password,
    }
    a = await startTestApp(env)
    b = await startTestApp(env)
  })
  after(async () => {
    await Promise.allSettled([a?.close(), b?.close()])
    await db?.drop()
  })

  test('PUT /v1/admin/log-level changes the level of every process, module loggers included', async () => {
    const api = client(a.url)
    const admin = (await api.post('/v1/auth/login', ADMIN)).body.accessToken as string
    const moduleLoggerOnB = b.app.logger.child({ module: 'made-before-the-change' })
    assert.equal(moduleLoggerOnB.isLevelEnabled('fatal'), false, 'tests run silent')

    const changed = await api.call('PUT', '/v1/admin/log-level', { level: 'fatal' }, admin)
    assert.equal(changed.status, 200)
    assert.deepEqual(changed.body, { level: 'fatal' })
    assert.equal(a.app.logger.level, 'fatal')
    await waitUntil(() => b.app.logger.level === 'fatal', 'the other process follows through pub/sub')
    assert.equal(moduleLoggerOnB.isLevelEnabled('fatal'), true)
    assert.equal(moduleLoggerOnB.isLevelEnabled('error'), false)

    assert.equal((await api.call('PUT', '/v1/admin/log-level', { level: 'loud' }, admin)).status, 400)
    const user = await signUp(api)
    assert.equal((await api.call('PUT', '/v1/admin/log-level', { level: 'silent' }, user.accessToken)).status, 403)
    assert.equal((await api.call('PUT', '/v1/admin/log-level', { level: 'silent' })).status, 401)
    assert.equal((await api.call('PUT', '/v1/admin/log-level', { level: 'silent' }, admin)).status, 200)
    await waitUntil(() => b.app.logger.level === 'silent', 'back to silent everywhere')
  })

  test('GET /v1/version answers admins only', async () => {
    const api = client(b.url)
    const admin = (await api.post('/v1/auth/login', ADMIN)).body.accessToken as string
    const version = await api.get('/v1/version', admin)
    assert.equal(version.status, 200)
    assert.match(version.body.version, /^\d+\.\d+\.\d+/)
    assert.equal(version.body.node, process.version)
    assert.equal((await api.get('/v1/version', (await signUp(api)).accessToken)).status, 403)
    assert.equal((await api.get('/v1/version')).status, 401)
  })

  test('no route redeploys, pulls code or runs commands', async () => {
    const api = client(a.url)
    const admin = (await api.post('/v1/auth/login', ADMIN)).body.accessToken as string
    const paths = Object.keys((await api.get('/openapi.json')).body.paths as Record<string, unknown>)
    assert.deepEqual(
      paths.filter((path) => /redeploy|deploy|exec|shell|restart|pull/i.test(path)),
      [],
    )
    assert.equal((await api.post('/v1/admin/redeploy', {}, admin)).status, 404)
  })
})
