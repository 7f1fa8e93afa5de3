import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'

describe('HTTP error handling', () => {
  let server: TestApp
  let api: Client

  before(async () => {
    server = await startTestApp({ PULSEBASE_BODY_LIMIT_BYTES: '2048' })
    api = client(server.url)
  })
  after(() => server?.close())

  const raw = (path: string, body: string, contentType: string) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body }).then(
      async (r) => ({
        status: r.status,
        body: JSON.parse(await r.text()),
      }),
    )

  test('malformed JSON is 400 with one error body and no parser internals', async () => {
    const reply = await raw('/v1/auth/login', '{"email": "a@b.c", ', 'application/json')
    assert.equal(reply.status, 400)
    assert.deepEqual(reply.body, {
      error: { code: 'invalid_argument', message: 'Request body is not valid JSON', details: [] },
    })
  })

  test('a wrong content type is 415', async () => {
    const reply = await raw('/v1/auth/login', 'email=a', 'application/x-www-form-urlencoded')
    assert.equal(reply.status, 415)
    assert.equal(reply.body.error.code, 'unsupported_media_type')
  })

  test('an oversized body is 413', async () => {
    const reply = await raw(
      '/v1/auth/register',
      JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(5000) }),
      'application/json',
    )
    assert.equal(reply.status, 413)
    assert.equal(reply.body.error.code, 'payload_too_large')
  })

  test('validation says one thing per field at fault, names the allowed values, and lists every field (dates too) in the first answer', async () => {
    const user = await signUp(api)
    const nullable = await api.call('PATCH', '/v1/me', { displayName: 5 }, user.accessToken)
    assert.deepEqual(nullable.body.error.details, [{ path: 'body.displayName', message: 'must be string or null' }])
    const tooShort = await api.call('PATCH', '/v1/me', { displayName: '' }, user.accessToken)
    assert.deepEqual(tooShort.body.error.details, [
      { path: 'body.displayName', message: 'must NOT have fewer than 1 characters, or be null' },
    ])
    const constant = await api.post('/v1/training-jobs', { kind: 'forecast' }, user.accessToken)
    assert.deepEqual(constant.body.error.details, [
      { path: 'body.kind', message: 'must be one of: meditation, sensor-classifier, playground' },
    ])
    const both = await api.call('POST', '/v1/devices', { name: 5, kind: 'toaster' }, user.accessToken)
    assert.deepEqual(both.body.error.details, [
      { path: 'body.name', message: 'must be string' },
      { path: 'body.kind', message: 'must be one of: phone, watch, raspberry-pi, esp32, glove, other' },
    ])
    const query = await api.get(
      '/v1/heart-rate/series?bucket=2m&from=2026-02-29T10:00:00Z&to=yesterday',
      user.accessToken,
    )
    assert.equal(query.status, 400)
    assert.deepEqual(
      [...query.body.error.details].sort((a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path)),
      [
        { path: 'querystring.bucket', message: 'must be one of: 1s, 1m, 1h, 1d' },
        {
          path: 'querystring.from',
          message: '"2026-02-29T10:00:00Z" names 2026-02-29, a day that does not exist',
          reason: 'timestamp_invalid',
        },
        {
          path: 'querystring.to',
          message: '"yesterday" is not an RFC 3339 date-time like 2026-11-23T10:00:00Z',
          reason: 'timestamp_invalid',
        },
      ],
    )
  })

  test('an unknown route is 404 in the same shape', async () => {
    const reply = await api.get('/v1/nothing-here?x=1')
    assert.equal(reply.status, 404)
    assert.deepEqual(reply.body, {
      error: { code: 'not_found', message: 'No route GET /v1/nothing-here', details: [] },
    })
  })

  test('an internal failure answers 500 without stack or SQL text, and the server keeps serving', async () => {
    const user = await signUp(api)
    await server.app.database.db.schema.dropTable('devices').execute()
    const reply = await api.post('/v1/devices', { name: 'x', kind: 'phone' }, user.accessToken)
    assert.equal(reply.status, 500)
    assert.deepEqual(reply.body, { error: { code: 'internal', message: 'Internal server error', details: [] } })
    assert.equal((await api.get('/healthz')).status, 200)
  })

  test('every response carries a request id, and a sane one from the client is kept', async () => {
    const reply = await api.get('/healthz', undefined, { 'x-request-id': 'abc-123' })
    assert.equal(reply.headers.get('x-request-id'), 'abc-123')
    const generated = await api.get('/healthz', undefined, { 'x-request-id': 'bad id with spaces' })
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/)
  })
})
