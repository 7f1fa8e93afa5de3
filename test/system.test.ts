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
})
