import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'

/** Routes anyone may call; every other route in the OpenAPI document must demand credentials. */
const PUBLIC = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'POST /v1/auth/register',
  'POST /v1/auth/login',
  'POST /v1/auth/refresh',
  'POST /v1/auth/password-reset',
  'POST /v1/auth/password-reset/confirm',
  'POST /v1/auth/verify-email',
  'POST /v1/auth/verify-email/resend',
])

interface Route {
  method: string
  path: string
}

async function documentedRoutes(api: Client): Promise<Route[]> {
  const doc = (await api.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> }
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
  )
}

const fill = (path: string, id: string) => path.replace(/\{[^}]+\}/g, id)
const bodyFor = (method: string) => (method === 'POST' || method === 'PATCH' || method === 'PUT' ? {} : undefined)

describe('security', () => {
  let server: TestApp
  let api: Client
  let routes: Route[]

  before(async () => {
    server = await startTestApp()
    api = client(server.url)
    routes = await documentedRoutes(api)
  })
  after(() => server?.close())

  test('the OpenAPI document lists the account, device and admin routes', () => {
    const names = routes.map((r) => `${r.method} ${r.path}`)
    for (const expected of ['POST /v1/devices', 'DELETE /v1/devices/{id}', 'PATCH /v1/me', 'GET /v1/admin/users']) {
      assert.ok(names.includes(expected), `${expected} in ${names.join(', ')}`)
    }
  })

  test('every non-public route answers 401 without credentials', async () => {
    for (const route of routes.filter((r) => !PUBLIC.has(`${r.method} ${r.path}`))) {
      const reply = await api.call(route.method, fill(route.path, 'x'), bodyFor(route.method))
      assert.equal(reply.status, 401, `${route.method} ${route.path}`)
      assert.equal(reply.body.error.code, 'unauthenticated')
    }
  })

  test('every admin route refuses a user and a device key with 403', async () => {
    const user = await signUp(api)
    const { apiKey } = (await api.post('/v1/devices', { name: 'p', kind: 'phone' }, user.accessToken)).body
    const adminRoutes = routes.filter((r) => r.path.startsWith('/v1/admin/'))
    assert.ok(adminRoutes.length >= 3)
    for (const route of adminRoutes) {
      for (const token of [user.accessToken, apiKey]) {
        const reply = await api.call(route.method, fill(route.path, 'x'), bodyFor(route.method), token)
        assert.equal(reply.status, 403, `${route.method} ${route.path}`)
      }
    }
  })

  test("user B can neither read nor change A's devices, on every device route", async () => {
    const a = await signUp(api)
    const b = await signUp(api)
    const created = (await api.post('/v1/devices', { name: 'A watch', kind: 'watch' }, a.accessToken)).body
    const before = (await api.get(`/v1/devices/${created.device.id}`, a.accessToken)).body
    const bodies: Record<string, unknown> = { PATCH: { name: 'stolen' }, POST: {} }
    const byId = routes.filter((r) => r.path.startsWith('/v1/devices/{id}'))
    assert.ok(byId.length >= 4)
    for (const route of byId) {
      const reply = await api.call(
        route.method,
        fill(route.path, created.device.id),
        bodies[route.method],
        b.accessToken,
      )
      assert.equal(reply.status, 404, `${route.method} ${route.path}`)
    }
    assert.deepEqual((await api.get('/v1/devices', b.accessToken)).body.devices, [])
    assert.deepEqual(
      (await api.get(`/v1/devices/${created.device.id}`, a.accessToken)).body,
      before,
      'A device unchanged',
    )
    assert.equal((await api.get('/v1/me', created.apiKey)).body.user.id, a.userId, "A's key still acts for A")
  })

  test("B's token and key only ever reach B's profile", async () => {
    const a = await signUp(api)
    const b = await signUp(api)
    const { apiKey } = (await api.post('/v1/devices', { name: 'B phone', kind: 'phone' }, b.accessToken)).body
    await api.patch('/v1/me', { displayName: 'B' }, b.accessToken)
    assert.equal((await api.get('/v1/me', b.accessToken)).body.user.id, b.userId)
    assert.equal((await api.get('/v1/me', apiKey)).body.user.id, b.userId)
    assert.equal((await api.get('/v1/me', a.accessToken)).body.user.displayName, null)
  })

  test('no secret reaches the logs', async () => {
    const lines: string[] = []
    const { createLogger } = await import('../src/platform/logging/logger.js')
    const logger = createLogger('trace', {
      write: (line: string) => lines.push(line),
    } as unknown as NodeJS.WritableStream)
    logger.info({ password: 'hunter2-secret', body: { refreshToken: 'pbr_secret', apiKey: 'pbd_secret' } }, 'x')
    logger.info({ req: { headers: { authorization: 'Bearer tok_secret', 'x-device-key': 'pbd_other' } } }, 'y')
    const text = lines.join('\n')
    for (const secret of ['hunter2-secret', 'pbr_secret', 'pbd_secret', 'tok_secret', 'pbd_other'])
      assert.equal(text.includes(secret), false, secret)
  })
})
