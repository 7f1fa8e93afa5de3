import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { client, signUp, startTestApp } from './helpers/app.js'

describe('system routes', () => {
  test('healthz, readyz, docs and the OpenAPI document', async () => {
    const server = await startTestApp()
    try {
      const api = client(server.url)
      assert.deepEqual((await api.get('/healthz')).body, { status: 'ok' })
      assert.deepEqual((await api.get('/readyz')).body, { status: 'ready', checks: { database: 'ok', queue: 'ok' } })
      const doc = (await api.get('/openapi.json')).body
      assert.equal(doc.openapi.startsWith('3.'), true)
      assert.ok(doc.paths['/v1/auth/login'].post.requestBody, 'request schemas are in the document')
      const docs = await fetch(`${server.url}/docs/`)
      assert.equal(docs.status, 200)
      assert.match(await docs.text(), /swagger/i)
    } finally {
      await server.close()
    }
  })

  test('metrics cover HTTP, gRPC, database, queue and the process', async () => {
    const server = await startTestApp()
    try {
      const api = client(server.url)
      await signUp(api)
      await server.app.queue.publish('metrics-test', { n: 1 })
      const { createClient } = await import('./helpers/grpc.js')
      const grpc = createClient(server.grpcAddress)
      await grpc.check()
      grpc.close()
      const text = (await api.get('/metrics')).body as string
      for (const line of [
        /pulsebase_http_request_duration_seconds_count\{method="POST",route="\/v1\/auth\/register",status_code="201"\} 1/,
        /pulsebase_db_query_duration_seconds_count\{outcome="ok"\} [1-9]/,
        /pulsebase_queue_published_total\{queue="metrics-test"\} 1/,
        /pulsebase_grpc_server_handled_total\{[^}]*grpc_method="grpc.health.v1.Health\/Check"[^}]*\} 1/,
        /pulsebase_process_resident_memory_bytes \d+/,
      ]) {
        assert.match(text, line)
      }
    } finally {
      await server.close()
    }
  })

  test('readyz answers 503 naming the part that fails', async () => {
    const server = await startTestApp()
    try {
      await server.app.database.close()
      const reply = await client(server.url).get('/readyz')
      assert.equal(reply.status, 503)
      assert.equal(reply.body.checks.database, 'unavailable')
      assert.equal(reply.body.status, 'unavailable')
    } finally {
      await server.close().catch(() => undefined)
    }
  })

  test('/metrics behind PULSEBASE_METRICS_TOKEN: 401 without the token or with another, 200 with it', async () => {
    const server = await startTestApp({ PULSEBASE_METRICS_TOKEN: 'metrics-token-0123456789' })
    try {
      const api = client(server.url)
      const missing = await api.get('/metrics')
      assert.equal(missing.status, 401)
      assert.equal(missing.body.error.code, 'unauthenticated')
      assert.equal((await api.get('/metrics', 'metrics-token-0123456788')).status, 401)
      const allowed = await api.get('/metrics', 'metrics-token-0123456789')
      assert.equal(allowed.status, 200)
      assert.match(allowed.body, /pulsebase_http_request_duration_seconds/)
    } finally {
      await server.close()
    }
  })

  test('CORS: no browser origin is allowed by default; PULSEBASE_CORS_ORIGINS allows the listed ones and answers their preflight', async () => {
    const preflight = (url: string, origin: string) =>
      fetch(`${url}/v1/heart-rate/samples`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      })
    const closed = await startTestApp()
    try {
      const answer = await fetch(`${closed.url}/healthz`, { headers: { origin: 'https://app.example.com' } })
      assert.equal(answer.headers.get('access-control-allow-origin'), null)
      assert.equal(
        (await preflight(closed.url, 'https://app.example.com')).headers.get('access-control-allow-origin'),
        null,
      )
    } finally {
      await closed.close()
    }
    const open = await startTestApp({ PULSEBASE_CORS_ORIGINS: 'https://app.example.com,http://localhost:5173' })
    try {
      const allowed = await preflight(open.url, 'https://app.example.com')
      assert.equal(allowed.status, 204)
      assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example.com')
      assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /authorization/)
      assert.equal(
        (await preflight(open.url, 'https://evil.example.net')).headers.get('access-control-allow-origin'),
        null,
      )
      const get = await fetch(`${open.url}/healthz`, { headers: { origin: 'http://localhost:5173' } })
      assert.equal(get.headers.get('access-control-allow-origin'), 'http://localhost:5173')
    } finally {
      await open.close()
    }
  })

  test('a bad PULSEBASE_CORS_ORIGINS is refused at start', async () => {
    const { loadConfig, ConfigError } = await import('../src/config.js')
    assert.throws(
      () => loadConfig({ PULSEBASE_CORS_ORIGINS: 'app.example.com' }),
      (e: unknown) => e instanceof ConfigError && /PULSEBASE_CORS_ORIGINS/.test(e.message),
    )
  })
})
