import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { decodeJwt, SignJWT } from 'jose'
import { client, signUp, startTestApp, TEST_JWT_SECRET, type Client, type Reply, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'

// What the seed's client does: the token is the whole Authorization header, no "Bearer ".
const TODOS = [{ todo: 'pet the cat' }, { todo: 'feed fish' }, { todo: 'walk dog' }, { todo: 'yeet dab' }]
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const profile = {
  name: 'Ada',
  msScore: 3.5,
  selfAssesmentScore: 7,
  miscInfo: { hand: 'left', notes: ['glove v2'] },
  goal: 'Open and close my hand ten times',
  games: [{ name: 'tap-speed', gameData: { level: 2, score: 1200 } }],
}

function seed(api: Client) {
  const raw = (token?: string): Record<string, string> => (token === undefined ? {} : { authorization: token })
  return {
    get: (path: string, token?: string) => api.get(path, undefined, raw(token)),
    post: (path: string, body: unknown, token?: string) => api.call('POST', path, body, undefined, raw(token)),
    put: (path: string, body: unknown, token?: string) => api.call('PUT', path, body, undefined, raw(token)),
    delete: (path: string, token?: string) => api.call('DELETE', path, undefined, undefined, raw(token)),
  }
}

/** A correctly signed access token for a live session, expired a minute ago. */
function expiredTwin(accessToken: string): Promise<string> {
  const claims = decodeJwt(accessToken)
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ sid: claims.sid, typ: 'access' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub!)
    .setIssuer('pulsebase')
    .setAudience('pulsebase')
    .setIssuedAt(now - 3600)
    .setExpirationTime(now - 60)
    .sign(new TextEncoder().encode(TEST_JWT_SECRET))
}

const status = (reply: Reply) => `${reply.status} ${JSON.stringify(reply.body)}`

for (const target of await databaseTargets()) {
  describe(`m2m seed gateway routes on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client
    let m2m: ReturnType<typeof seed>

    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url, PULSEBASE_COMPAT: 'm2m' })
      api = client(server.url)
      m2m = seed(api)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('GET /test and /test/ answer the seed list without credentials', async () => {
      for (const path of ['/test', '/test/']) {
        const reply = await m2m.get(path)
        assert.equal(reply.status, 200, path)
        assert.match(reply.headers.get('content-type') ?? '', /^application\/json/)
        assert.deepEqual(reply.body, TODOS)
      }
    })

    test('GET /test/private takes the raw token or Bearer, like the seed middleware', async () => {
      const { accessToken } = await signUp(api)
      for (const header of [accessToken, `Bearer ${accessToken}`]) {
        const reply = await m2m.get('/test/private', header)
        assert.equal(reply.status, 200, header)
        assert.equal(reply.body, 'Private!')
        assert.equal(reply.headers.get('content-type'), 'text/html; charset=utf-8')
      }
    })

    test('a missing header, or a garbage, tampered, expired, refresh or device credential, gets the seed 401 bodies', async () => {
      const missing = await m2m.get('/test/private')
      assert.equal(missing.status, 401)
      assert.deepEqual(missing.body, { error: 'Unauthorized!' })
      assert.deepEqual(
        (await m2m.get('/test/private', '')).body,
        { error: 'Unauthorized!' },
        'an empty header is a missing one',
      )

      const { accessToken, refreshToken } = await signUp(api)
      const device = await api.post('/v1/devices', { name: 'glove', kind: 'glove' }, accessToken)
      const tampered = `${accessToken.slice(0, -4)}AAAA`
      const refused = [
        'garbage',
        'Bearer garbage',
        'Token abc',
        tampered,
        await expiredTwin(accessToken),
        refreshToken,
        device.body.apiKey as string,
      ]
      for (const header of refused) {
        for (const reply of [
          await m2m.get('/test/private', header),
          await m2m.get('/user', header),
          await m2m.post('/user', profile, header),
        ]) {
          assert.equal(reply.status, 401, header)
          assert.deepEqual(reply.body, { error: 'Unable to authorize token;' })
        }
      }
      assert.deepEqual(await m2m.delete('/user').then((r) => [r.status, r.body]), [401, { error: 'Unauthorized!' }])
    })

    test('a logged-out token is refused', async () => {
      const user = await signUp(api)
      assert.equal((await api.post('/v1/auth/logout', undefined, user.accessToken)).status, 204)
      const reply = await m2m.get('/user', user.accessToken)
      assert.equal(reply.status, 401)
      assert.deepEqual(reply.body, { error: 'Unable to authorize token;' })
    })

    test('/user lifecycle: null before create, POST 201, GET, PUT, DELETE 204, null after; the account stays', async () => {
      const user = await signUp(api)
      const before = await m2m.get('/user', user.accessToken)
      assert.equal(before.status, 200)
      assert.match(before.headers.get('content-type') ?? '', /^application\/json/)
      assert.equal(before.body, null)

      const created = await m2m.post('/user', profile, user.accessToken)
      assert.equal(created.status, 201, status(created))
      assert.deepEqual(created.body, { id: user.userId, email: user.email.toLowerCase(), ...profile })
      assert.match(created.body.id, UUID)

      const read = await m2m.get('/user', user.accessToken)
      assert.equal(read.status, 200)
      assert.deepEqual(read.body, created.body)
      assert.deepEqual(
        (await m2m.get('/user/', `Bearer ${user.accessToken}`)).body,
        created.body,
        'trailing slash and Bearer',
      )

      const again = await m2m.post('/user', profile, user.accessToken)
      assert.equal(again.status, 409)
      assert.match(again.body.error, /already have a profile/)

      const replacement = { goal: 'Grip for 5 seconds', games: [{ name: 'grip', gameData: { level: 1, score: 10 } }] }
      const put = await m2m.put('/user', replacement, user.accessToken)
      assert.equal(put.status, 200, status(put))
      assert.deepEqual(put.body, {
        id: user.userId,
        email: user.email.toLowerCase(),
        name: null,
        miscInfo: {},
        ...replacement,
      })
      assert.deepEqual((await m2m.get('/user', user.accessToken)).body, put.body, 'PUT replaces, it does not merge')

      const deleted = await m2m.delete('/user', user.accessToken)
      assert.equal(deleted.status, 204)
      assert.equal(deleted.body, '')
      const after = await m2m.get('/user', user.accessToken)
      assert.equal(after.status, 200)
      assert.equal(after.body, null)
      assert.equal((await m2m.delete('/user', user.accessToken)).status, 204, 'deleting again is still 204')
      assert.equal((await api.get('/v1/me', user.accessToken)).status, 200, 'the account is not deleted')

      const putMissing = await m2m.put('/user', replacement, user.accessToken)
      assert.equal(putMissing.status, 404)
      assert.match(putMissing.body.error, /POST \/user/)
    })

    test('the name falls back to the account display name, and a sent email must be the account one', async () => {
      const reg = await api.post('/v1/auth/register', {
        email: `named-${Date.now()}@example.com`,
        password: 'correct horse',
        displayName: 'Grace',
      })
      const token = reg.body.accessToken as string
      const created = await m2m.post('/user', { email: reg.body.user.email.toUpperCase(), goal: 'g' }, token)
      assert.equal(created.status, 201, status(created))
      assert.equal(created.body.name, 'Grace')
      assert.equal(created.body.email, reg.body.user.email)
      const other = await m2m.put('/user', { email: 'someone-else@example.com', goal: 'g' }, token)
      assert.equal(other.status, 400)
      assert.match(other.body.error, /body\.email/)
    })

    test('bad bodies get 400 with a seed-style message naming every field at fault, and nothing is stored', async () => {
      const user = await signUp(api)
      const bad = await m2m.post(
        '/user',
        { msScore: 'high', games: [{ gameData: { level: 1 } }], _id: 'x' },
        user.accessToken,
      )
      assert.equal(bad.status, 400)
      assert.deepEqual(Object.keys(bad.body), ['error'])
      for (const field of ['body.goal', 'body.msScore', 'body.games.0.name', 'body.games.0.gameData.score', 'body']) {
        assert.ok(bad.body.error.includes(field), `${field} in ${bad.body.error}`)
      }
      const noBody = await m2m.post('/user', undefined, user.accessToken)
      assert.equal(noBody.status, 400)
      assert.equal(typeof noBody.body.error, 'string')
      const notJson = await api.call('POST', '/user', undefined, undefined, {
        authorization: user.accessToken,
        'content-type': 'application/json',
      })
      assert.equal(notJson.status, 400)
      const broken = await fetch(`${server.url}/user`, {
        method: 'POST',
        headers: { authorization: user.accessToken, 'content-type': 'application/json' },
        body: '{"goal":',
      })
      assert.equal(broken.status, 400)
      assert.deepEqual(await broken.json(), { error: 'Request body is not valid JSON' })
      const form = await api.call('POST', '/user', undefined, undefined, {
        authorization: user.accessToken,
        'content-type': 'application/x-www-form-urlencoded',
      })
      assert.equal(form.status, 415)
      assert.deepEqual(form.body, { error: 'Unsupported content type: send application/json' })
      assert.equal((await m2m.get('/user', user.accessToken)).body, null)
    })

    test("user B never sees, replaces or deletes A's profile", async () => {
      const a = await signUp(api)
      const b = await signUp(api)
      const created = await m2m.post('/user', profile, a.accessToken)
      assert.equal(created.status, 201)

      assert.equal((await m2m.get('/user', b.accessToken)).body, null)
      assert.equal((await m2m.put('/user', { goal: 'not yours' }, b.accessToken)).status, 404)
      assert.equal((await m2m.delete('/user', b.accessToken)).status, 204)
      assert.equal((await m2m.post('/user', { goal: 'mine' }, b.accessToken)).status, 201)

      const aNow = await m2m.get('/user', a.accessToken)
      assert.deepEqual(aNow.body, created.body, "A's profile is untouched")
      const bNow = await m2m.get('/user', b.accessToken)
      assert.equal(bNow.body.id, b.userId)
      assert.equal(bNow.body.goal, 'mine')
    })
  })
}

describe('m2m seed gateway routes when the database fails', () => {
  let server: TestApp
  before(async () => {
    server = await startTestApp({ PULSEBASE_COMPAT: 'm2m' })
  })
  after(async () => server?.close())

  test('a storage error is 500 with the seed-style body and no driver text (the seed answered 504)', async () => {
    const api = client(server.url)
    const { accessToken } = await signUp(api)
    await server.app.database.db.schema.dropTable('m2m_profiles').execute()
    for (const reply of [
      await seed(api).get('/user', accessToken),
      await seed(api).post('/user', profile, accessToken),
    ]) {
      assert.equal(reply.status, 500)
      assert.deepEqual(reply.body, { error: 'Internal server error' })
    }
  })
})

describe('m2m seed gateway routes with the adapter off', () => {
  let server: TestApp
  before(async () => {
    server = await startTestApp()
  })
  after(async () => server?.close())

  test('/test, /test/private and /user are 404 like any unknown route', async () => {
    const api = client(server.url)
    const { accessToken } = await signUp(api)
    for (const path of ['/test', '/test/', '/test/private', '/user']) {
      const reply = await api.get(path, accessToken)
      assert.equal(reply.status, 404, path)
      assert.equal(reply.body.error.code, 'not_found')
    }
  })
})
