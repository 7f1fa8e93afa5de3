import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { client, type Client, startTestApp, type TestApp } from './helpers/app.js'

const COOKIE_MODE = { 'pulsebase-session': 'cookie' }

/** The `name=value` part of the pulsebase_refresh Set-Cookie header, and its attributes. */
function refreshCookie(headers: Headers): { pair: string; attributes: string[] } | undefined {
  const line = headers.getSetCookie().find((c) => c.startsWith('pulsebase_refresh='))
  if (line === undefined) return undefined
  const [pair, ...attributes] = line.split(';').map((part) => part.trim())
  return { pair: pair as string, attributes: attributes.map((a) => a.toLowerCase()) }
}

describe('browser session: the refresh token in an httpOnly cookie', () => {
  let server: TestApp
  let api: Client
  before(async () => {
    server = await startTestApp()
    api = client(server.url)
  })
  after(() => server?.close())

  test('register with the cookie header: no refresh token in the body, an httpOnly SameSite=Strict cookie scoped to the refresh route', async () => {
    const reply = await api.post(
      '/v1/auth/register',
      { email: 'cookie-a@example.com', password: 'correct horse' },
      undefined,
      COOKIE_MODE,
    )
    assert.equal(reply.status, 201)
    assert.equal(reply.body.refreshToken, undefined)
    assert.equal(typeof reply.body.accessToken, 'string')
    const cookie = refreshCookie(reply.headers)
    assert.ok(cookie, 'a refresh cookie is set')
    assert.match(cookie.pair, /^pulsebase_refresh=pbr_/)
    assert.ok(cookie.attributes.includes('httponly'))
    assert.ok(cookie.attributes.includes('samesite=strict'))
    assert.ok(cookie.attributes.includes('path=/v1/auth/refresh'))
    assert.ok(!cookie.attributes.includes('secure'), 'plain http (npm start on localhost) gets no Secure flag')
    assert.ok(cookie.attributes.some((a) => a === `max-age=${30 * 86_400}`))
  })

  test('refresh from the cookie rotates it; the old cookie is then refused and cleared', async () => {
    const login = await api.post(
      '/v1/auth/register',
      { email: 'cookie-b@example.com', password: 'correct horse' },
      undefined,
      COOKIE_MODE,
    )
    const first = refreshCookie(login.headers)!.pair
    const refreshed = await api.post('/v1/auth/refresh', {}, undefined, { ...COOKIE_MODE, cookie: first })
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body))
    assert.equal(refreshed.body.refreshToken, undefined)
    assert.equal((await api.get('/v1/me', refreshed.body.accessToken)).status, 200)
    const second = refreshCookie(refreshed.headers)!.pair
    assert.notEqual(second, first)

    const reused = await api.post('/v1/auth/refresh', {}, undefined, { ...COOKIE_MODE, cookie: first })
    assert.equal(reused.status, 401)
    assert.equal(reused.body.error.code, 'unauthenticated')
    assert.equal(refreshCookie(reused.headers)?.pair, 'pulsebase_refresh=', 'the refused cookie is cleared')
    const revoked = await api.post('/v1/auth/refresh', {}, undefined, { ...COOKIE_MODE, cookie: second })
    assert.equal(revoked.status, 401, 'reuse revoked the whole login session, as with body tokens')
  })

  test('cookie mode without a cookie is 401 with a message; body mode without a token is 400 naming the field', async () => {
    const noCookie = await api.post('/v1/auth/refresh', {}, undefined, COOKIE_MODE)
    assert.equal(noCookie.status, 401)
    assert.match(noCookie.body.error.message, /sign in again/)
    const noToken = await api.post('/v1/auth/refresh', {})
    assert.equal(noToken.status, 400)
    assert.deepEqual(noToken.body.error.details, [{ path: 'body.refreshToken', message: 'is required' }])
    const badHeader = await api.post('/v1/auth/refresh', {}, undefined, { 'pulsebase-session': 'localStorage' })
    assert.equal(badHeader.status, 400)
  })

  test('without the header the JSON token API is unchanged and sets no cookie; a cookie alone is ignored', async () => {
    const login = await api.post('/v1/auth/register', { email: 'cookie-c@example.com', password: 'correct horse' })
    assert.match(login.body.refreshToken, /^pbr_/)
    assert.equal(refreshCookie(login.headers), undefined)
    const viaCookieOnly = await api.post('/v1/auth/refresh', {}, undefined, {
      cookie: `pulsebase_refresh=${login.body.refreshToken}`,
    })
    assert.equal(viaCookieOnly.status, 400, 'the cookie is read only when the client says so (no ambient credential)')
    const viaBody = await api.post('/v1/auth/refresh', { refreshToken: login.body.refreshToken })
    assert.equal(viaBody.status, 200)
    assert.match(viaBody.body.refreshToken, /^pbr_/)
  })

  test('logout revokes the session and clears the cookie', async () => {
    const login = await api.post(
      '/v1/auth/register',
      { email: 'cookie-d@example.com', password: 'correct horse' },
      undefined,
      COOKIE_MODE,
    )
    const cookie = refreshCookie(login.headers)!.pair
    const out = await api.post('/v1/auth/logout', undefined, login.body.accessToken)
    assert.equal(out.status, 204)
    const cleared = refreshCookie(out.headers)
    assert.equal(cleared?.pair, 'pulsebase_refresh=')
    assert.ok(cleared?.attributes.includes('path=/v1/auth/refresh'))
    const after = await api.post('/v1/auth/refresh', {}, undefined, { ...COOKIE_MODE, cookie })
    assert.equal(after.status, 401)
  })

  test('behind a trusted TLS proxy the cookie is Secure', async () => {
    const proxied = await startTestApp({ PULSEBASE_TRUST_PROXY: 'true' })
    try {
      const reply = await client(proxied.url).post(
        '/v1/auth/register',
        { email: 'cookie-e@example.com', password: 'correct horse' },
        undefined,
        { ...COOKIE_MODE, 'x-forwarded-proto': 'https' },
      )
      assert.ok(refreshCookie(reply.headers)?.attributes.includes('secure'))
    } finally {
      await proxied.close()
    }
  })
})
