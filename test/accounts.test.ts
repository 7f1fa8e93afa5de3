import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { SignJWT } from 'jose'
import { startTestApp, client, signUp, TEST_JWT_SECRET, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'

for (const target of await databaseTargets()) {
  describe(`accounts on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client

    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url, PULSEBASE_LOGIN_ATTEMPTS_PER_ACCOUNT: '3' })
      api = client(server.url)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('register, log in, read and update the profile', async () => {
      const reg = await api.post('/v1/auth/register', {
        email: 'Ada@Example.com',
        password: 'correct horse',
        displayName: 'Ada',
      })
      assert.equal(reg.status, 201)
      assert.equal(reg.body.user.email, 'ada@example.com')
      assert.equal(reg.body.user.role, 'user')
      assert.equal(reg.body.tokenType, 'Bearer')
      assert.equal(reg.body.user.password_hash, undefined)

      const login = await api.post('/v1/auth/login', { email: 'ada@example.com', password: 'correct horse' })
      assert.equal(login.status, 200)
      const me = await api.get('/v1/me', login.body.accessToken)
      assert.equal(me.status, 200)
      assert.deepEqual(
        { email: me.body.user.email, device: me.body.device },
        { email: 'ada@example.com', device: null },
      )

      const patched = await api.patch(
        '/v1/me',
        {
          displayName: 'Ada L.',
          settings: { birthYear: 1990, restingHeartRate: 58, heartRate: { lowAlert: 45, highAlert: 160 } },
        },
        login.body.accessToken,
      )
      assert.equal(patched.status, 200, JSON.stringify(patched.body))
      assert.equal(patched.body.displayName, 'Ada L.')
      assert.deepEqual(patched.body.settings, {
        birthYear: 1990,
        restingHeartRate: 58,
        heartRate: { lowAlert: 45, highAlert: 160 },
      })

      const again = await api.patch('/v1/me', { settings: { heartRate: { highAlert: 170 } } }, login.body.accessToken)
      assert.deepEqual(again.body.settings.heartRate, { lowAlert: 45, highAlert: 170 }, 'settings patches merge')
    })

    test('a duplicate email is a conflict and a wrong password is 401 with the same message as an unknown email', async () => {
      const { email } = await signUp(api)
      const dup = await api.post('/v1/auth/register', { email: email.toUpperCase(), password: 'another password' })
      assert.equal(dup.status, 409)
      assert.equal(dup.body.error.code, 'conflict')
      const wrong = await api.post('/v1/auth/login', { email, password: 'not the password' })
      const unknown = await api.post('/v1/auth/login', { email: 'nobody@example.com', password: 'not the password' })
      assert.equal(wrong.status, 401)
      assert.equal(unknown.status, 401)
      assert.equal(wrong.body.error.message, unknown.body.error.message)
    })

    test('validation lists every field at fault', async () => {
      const reply = await api.post('/v1/auth/register', { email: 'not-an-email', password: 'short', extra: 1 })
      assert.equal(reply.status, 400)
      assert.equal(reply.body.error.code, 'invalid_argument')
      const paths = reply.body.error.details.map((d: { path: string }) => d.path).sort()
      assert.deepEqual(paths, ['body', 'body.email', 'body.password'])
      const bad = await api.patch(
        '/v1/me',
        { settings: { heartRate: { lowAlert: 170, highAlert: 160 } } },
        (await signUp(api)).accessToken,
      )
      assert.equal(bad.status, 400)
      assert.match(bad.body.error.message, /lowAlert must be below highAlert/)
    })

    test('refresh tokens rotate, and reusing one revokes the whole login session', async () => {
      const user = await signUp(api)
      const first = await api.post('/v1/auth/refresh', { refreshToken: user.refreshToken })
      assert.equal(first.status, 200)
      assert.notEqual(first.body.refreshToken, user.refreshToken)
      assert.equal((await api.get('/v1/me', first.body.accessToken)).status, 200)

      const reuse = await api.post('/v1/auth/refresh', { refreshToken: user.refreshToken })
      assert.equal(reuse.status, 401)
      assert.match(reuse.body.error.message, /already used/)
      assert.equal(
        (await api.post('/v1/auth/refresh', { refreshToken: first.body.refreshToken })).status,
        401,
        'the family is revoked',
      )
      assert.equal((await api.get('/v1/me', first.body.accessToken)).status, 401, 'its access tokens too')
      assert.equal((await api.get('/v1/me', user.accessToken)).status, 401)
    })

    test('logout revokes the access and refresh tokens of that session only', async () => {
      const user = await signUp(api)
      const other = await api.post('/v1/auth/login', { email: user.email, password: user.password })
      assert.equal((await api.post('/v1/auth/logout', undefined, user.accessToken)).status, 204)
      assert.equal((await api.get('/v1/me', user.accessToken)).status, 401)
      assert.equal((await api.post('/v1/auth/refresh', { refreshToken: user.refreshToken })).status, 401)
      assert.equal((await api.get('/v1/me', other.body.accessToken)).status, 200)
    })

    test('tampered, expired, foreign-signed and malformed tokens get 401', async () => {
      const user = await signUp(api)
      const [header, payload, signature] = user.accessToken.split('.')
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString())
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')
      const key = new TextEncoder().encode(TEST_JWT_SECRET)
      const expired = await new SignJWT({ sid: claims.sid, typ: 'access' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.userId)
        .setIssuer('pulsebase')
        .setAudience('pulsebase')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(key)
      const foreign = await new SignJWT({ sid: claims.sid, typ: 'access' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.userId)
        .setIssuer('pulsebase')
        .setAudience('pulsebase')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'))
      for (const token of [`${header}.${forged}.${signature}`, expired, foreign, 'garbage', `${header}.${payload}.`]) {
        const reply = await api.get('/v1/me', token)
        assert.equal(reply.status, 401, token)
        assert.equal(reply.body.error.code, 'unauthenticated')
      }
      assert.match((await api.get('/v1/me', expired)).body.error.message, /expired/)
      assert.equal((await api.get('/v1/me', undefined, { authorization: 'Basic abc' })).status, 401)
      assert.equal((await api.get('/v1/me')).status, 401)
    })

    test('login is rate-limited per account, with Retry-After', async () => {
      const user = await signUp(api)
      for (let i = 0; i < 3; i += 1) {
        assert.equal((await api.post('/v1/auth/login', { email: user.email, password: 'wrong password' })).status, 401)
      }
      const limited = await api.post('/v1/auth/login', { email: user.email, password: user.password })
      assert.equal(limited.status, 429)
      assert.equal(limited.body.error.code, 'rate_limited')
      assert.ok(Number(limited.headers.get('retry-after')) > 0)
      const otherUser = await signUp(api)
      assert.equal(
        (await api.post('/v1/auth/login', { email: otherUser.email, password: otherUser.password })).status,
        200,
      )
    })
  })
}

describe('registration and login policies', () => {
  test('closed registration refuses sign-ups; the bootstrap admin can still create accounts', async () => {
    const server = await startTestApp({
      PULSEBASE_REGISTRATION: 'closed',
      PULSEBASE_ADMIN_EMAIL: 'root@example.com',
      PULSEBASE_ADMIN_PASSWORD: 'admin password',
    })
    try {
      const api = client(server.url)
      const refused = await api.post('/v1/auth/register', { email: 'x@example.com', password: 'password123' })
      assert.equal(refused.status, 403)
      assert.match(refused.body.error.message, /Registration is closed/)
      const admin = await api.post('/v1/auth/login', { email: 'root@example.com', password: 'admin password' })
      assert.equal(admin.body.user.role, 'admin')
      const created = await api.post(
        '/v1/admin/users',
        { email: 'x@example.com', password: 'password123' },
        admin.body.accessToken,
      )
      assert.equal(created.status, 201)
      assert.equal((await api.post('/v1/auth/login', { email: 'x@example.com', password: 'password123' })).status, 200)
    } finally {
      await server.close()
    }
  })

  test('an admin lists users and changes a role; the bootstrap admin variables promote an existing account', async () => {
    const server = await startTestApp({
      PULSEBASE_ADMIN_EMAIL: 'root@example.com',
      PULSEBASE_ADMIN_PASSWORD: 'admin password',
    })
    try {
      const api = client(server.url)
      const admin = (await api.post('/v1/auth/login', { email: 'root@example.com', password: 'admin password' })).body
        .accessToken as string
      const user = await signUp(api)
      const listed = await api.get('/v1/admin/users?limit=500', admin)
      assert.ok(listed.body.users.some((u: { id: string }) => u.id === user.userId))
      const promoted = await api.patch(`/v1/admin/users/${user.userId}`, { role: 'admin' }, admin)
      assert.equal(promoted.status, 200)
      assert.equal(promoted.body.role, 'admin')
      assert.equal(
        (await api.get('/v1/admin/users', user.accessToken)).status,
        200,
        'the new role applies to the live token',
      )
      assert.equal((await api.patch(`/v1/admin/users/${user.userId}`, { role: 'owner' }, admin)).status, 400)
      assert.equal((await api.patch('/v1/admin/users/no-such-user', { role: 'user' }, admin)).status, 404)
    } finally {
      await server.close()
    }

    // ensureAdmin, which start-up runs for PULSEBASE_ADMIN_*, promotes an account that already exists.
    const again = await startTestApp()
    try {
      const api = client(again.url)
      const before = await signUp(api, { email: 'existing@example.com' })
      assert.equal((await api.get('/v1/admin/users', before.accessToken)).status, 403)
      const { ensureAdmin } = await import('../src/domains/auth/auth.service.js')
      await ensureAdmin(
        { db: again.app.database.db, now: again.app.now },
        { email: 'existing@example.com', password: 'ignored password' },
      )
      assert.equal((await api.get('/v1/admin/users', before.accessToken)).status, 200)
      const login = await api.post('/v1/auth/login', { email: 'existing@example.com', password: before.password })
      assert.equal(login.body.user.role, 'admin', 'the password is kept; only the role changes')
    } finally {
      await again.close()
    }
  })

  test('login is rate-limited per address across accounts', async () => {
    const server = await startTestApp({ PULSEBASE_LOGIN_ATTEMPTS_PER_ADDRESS: '4' })
    try {
      const api = client(server.url)
      const statuses = []
      for (let i = 0; i < 5; i += 1) {
        statuses.push(
          (await api.post('/v1/auth/login', { email: `nobody${i}@example.com`, password: 'whatever1' })).status,
        )
      }
      assert.deepEqual(statuses, [401, 401, 401, 401, 429])
    } finally {
      await server.close()
    }
  })
})
