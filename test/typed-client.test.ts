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
    const session = await unwrap(
      api.POST('/v1/auth/register', { body: { email: 'typed@example.com', password: 'correct horse' } }),
    )
    assert.ok('accessToken' in session, 'a session (e-mail verification is off)')
    held.token = session.accessToken
    const me = await unwrap(api.GET('/v1/me'))
    assert.equal(me.user.email, 'typed@example.com')

    const created = await unwrap(api.POST('/v1/devices', { body: { name: 'strap', kind: 'watch' } }))
    const device = createPulsebaseClient({ baseUrl: server.url, credential: () => created.apiKey })
    const stored = await unwrap(
      device.POST('/v1/heart-rate/samples', { body: { samples: [{ timestamp: new Date().toISOString(), bpm: 71 }] } }),
    )
    assert.ok('stored' in stored, 'a batch answers with counts')
    assert.equal(stored.stored, 1)
    const status = await unwrap(api.GET('/v1/heart-rate/status', { params: { query: { recent: 5 } } }))
    assert.deepEqual(
      status.recent.map((s) => [s.bpm, s.deviceId]),
      [[71, created.device.id]],
    )
  })

  test('a 4xx becomes an ApiError with the server code, message and details', async () => {
    const api = createPulsebaseClient({ baseUrl: server.url })
    const failed = await unwrap(
      api.POST('/v1/auth/register', { body: { email: 'not an email', password: 'short' } }),
    ).then(
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
  test('the document names the shared schemas as components and the routes reference them, with examples', async () => {
    const response = await fetch(`${server.url}/openapi.json`)
    assert.equal(response.status, 200)
    type Media = { schema?: { $ref?: string; anyOf?: { $ref?: string }[] }; example?: unknown }
    type Operation = {
      requestBody?: { content: Record<string, Media> }
      responses: Record<string, { content?: Record<string, Media> }>
    }
    const document = (await response.json()) as {
      components: { schemas: Record<string, { title?: string }> }
      paths: Record<string, Record<string, Operation>>
    }
    const named = [
      'Error',
      'HeartRateSample',
      'HeartRateSamplePage',
      'NextCursor',
      'Device',
      'User',
      'Session',
      'TrainingJob',
      'TrainingJobPage',
      'Model',
      'ModelPage',
    ]
    for (const name of named) assert.equal(document.components.schemas[name]?.title, name, `component ${name}`)

    const operation = (path: string, method: string): Operation => {
      const found = document.paths[path]?.[method]
      assert.ok(found, `${method} ${path} is documented`)
      return found
    }
    const json = (media: Record<string, Media> | undefined): Media => media?.['application/json'] ?? {}
    const ref = (name: string) => `#/components/schemas/${name}`
    const responseRef = (path: string, method: string, status: string) =>
      json(operation(path, method).responses[status]?.content).schema?.$ref
    assert.equal(responseRef('/v1/heart-rate/samples', 'get', '200'), ref('HeartRateSamplePage'))
    assert.equal(responseRef('/v1/devices/{id}', 'get', '200'), ref('Device'))
    assert.equal(responseRef('/v1/auth/login', 'post', '200'), ref('Session'))
    assert.equal(responseRef('/v1/training-jobs', 'post', '202'), ref('TrainingJob'))
    assert.equal(responseRef('/v1/training-jobs', 'get', '200'), ref('TrainingJobPage'))
    assert.equal(responseRef('/v1/models', 'get', '200'), ref('ModelPage'))
    assert.equal(responseRef('/v1/devices', 'post', '400'), ref('Error'))
    assert.equal(responseRef('/v1/me', 'get', '401'), ref('Error'))
    // Inside the components, the shared parts are references too, not copies.
    const page = JSON.stringify(document.components.schemas.HeartRateSamplePage)
    assert.ok(page.includes(ref('HeartRateSample')) && page.includes(ref('NextCursor')), page)
    assert.ok(JSON.stringify(document.components.schemas.Session).includes(ref('User')))

    const body = (path: string, method: string) => json(operation(path, method).requestBody?.content)
    assert.equal(body('/v1/auth/login', 'post').schema?.$ref, ref('LoginRequest'))
    assert.equal(body('/v1/devices', 'post').schema?.$ref, ref('CreateDeviceRequest'))
    assert.equal(body('/v1/training-jobs', 'post').schema?.$ref, ref('CreateTrainingJobRequest'))
    assert.deepEqual(
      body('/v1/heart-rate/samples', 'post').schema?.anyOf?.map((s) => s.$ref),
      [ref('HeartRateBatch'), ref('HeartRateSampleInput')],
    )
    for (const [path, method] of [
      ['/v1/auth/login', 'post'],
      ['/v1/devices', 'post'],
      ['/v1/training-jobs', 'post'],
      ['/v1/heart-rate/samples', 'post'],
    ] as const) {
      assert.ok(body(path, method).example !== undefined, `${method} ${path} has an example body`)
    }
    assert.equal(
      (json(operation('/v1/training-jobs', 'post').responses['202']?.content).example as { kind?: string } | undefined)
        ?.kind,
      'meditation',
    )
  })
})
