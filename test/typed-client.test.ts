import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ApiError, createPulsebaseClient, unwrap } from '../src/client/pulsebase-client.js'
import { startTestApp, type TestApp } from './helpers/app.js'

describe('the typed client generated from the OpenAPI document', () => {
  let server: TestApp
  before(async () => {
    server = await startTestApp()
  })
  after(() => server?.close())

  test('registers, sends the credential it is given, and reads typed answers', async () => {
    const held: { token?: string } = {}
    const api = createPulsebaseClient({ baseUrl: server.url, credential: () => held.token })
    const session = await unwrap(api.POST('/v1/auth/register', { body: { email: 'typed@example.com', password: 'correct horse' } }))
    assert.ok('accessToken' in session, 'a session (e-mail verification is off)')
    held.token = session.accessToken
    const me = await unwrap(api.GET('/v1/me'))
    assert.equal(me.user.email, 'typed@example.com')

    const created = await unwrap(api.POST('/v1/devices', { body: { name: 'strap', kind: 'watch' } }))
    const device = createPulsebaseClient({ baseUrl: server.url, credential: () => created.apiKey })
    const stored = await unwrap(device.POST('/v1/heart-rate/samples', { body: { samples: [{ timestamp: new Date().toISOString(), bpm: 71 }] } }))
    assert.ok('stored' in stored, 'a batch answers with counts')
    assert.equal(stored.stored, 1)
    const status = await unwrap(api.GET('/v1/heart-rate/status', { params: { query: { recent: 5 } } }))
    assert.deepEqual(status.recent.map((s) => [s.bpm, s.deviceId]), [[71, created.device.id]])
  })

  test('a 4xx becomes an ApiError with the server code, message and details', async () => {
    const api = createPulsebaseClient({ baseUrl: server.url })
    const failed = await unwrap(api.POST('/v1/auth/register', { body: { email: 'not an email', password: 'short' } })).then(
      () => undefined,
      (error: unknown) => error,
    )
    assert.ok(failed instanceof ApiError)
    assert.equal(failed.status, 400)
    assert.equal(failed.code, 'invalid_argument')
    assert.match(failed.message, /body\.email/)
    assert.deepEqual(failed.details.map((d) => d.path).sort(), ['body.email', 'body.password'])

    const anonymous = await unwrap(api.GET('/v1/me')).catch((error: unknown) => error)
    assert.ok(anonymous instanceof ApiError)
    assert.equal(anonymous.status, 401)
    assert.match(anonymous.message, /Missing credentials/)
  })
})
