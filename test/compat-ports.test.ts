// PULSEBASE_COMPAT_PORTS: each listed seed adapter also listens on a port of its own with its own
// paths (as the seed's server had them), while the shared main port keeps its behaviour; a bad
// list stops the start with a clear message.
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { credentials, loadPackageDefinition, type ServiceError, status as grpcStatus } from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { ConfigError, loadConfig } from '../src/config.js'
import { client, startTestApp, type TestApp } from './helpers/app.js'

const PROTO_DIR = fileURLToPath(new URL('../proto/', import.meta.url))
const seedPackage = loadPackageDefinition(
  loadSync('heartrate/heartrate_service.proto', {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    includeDirs: [PROTO_DIR],
  }),
) as any

describe('PULSEBASE_COMPAT_PORTS in the configuration', () => {
  const listProblems = (ports: string, compat = 'dlp,m2m') => {
    try {
      loadConfig({ PULSEBASE_JWT_SECRET: 'x'.repeat(40), PULSEBASE_COMPAT: compat, PULSEBASE_COMPAT_PORTS: ports })
      return ''
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error))
      return error.message
    }
  }
  test('an unknown or disabled adapter, a bad port, a port taken twice: a clear start-up error', () => {
    assert.match(listProblems('nope=8000'), /PULSEBASE_COMPAT_PORTS: unknown adapter nope/)
    assert.match(listProblems('csi=8000'), /csi is not enabled in PULSEBASE_COMPAT/)
    assert.match(listProblems('dlp=70000'), /dlp=70000 is not a port/)
    assert.match(listProblems('dlp:8000'), /"dlp:8000" is not adapter=port/)
    assert.match(listProblems('dlp=8000,m2m=8000'), /port 8000 of m2m is already taken/)
    assert.match(listProblems('dlp=8080'), /port 8080 of dlp is already taken/, 'the main HTTP port')
    assert.match(listProblems('dlp=8000,dlp=8001'), /dlp is listed twice/)
  })
  test('a valid list is parsed in order', () => {
    const config = loadConfig({
      PULSEBASE_JWT_SECRET: 'x'.repeat(40),
      PULSEBASE_COMPAT: 'm2m,dlp',
      PULSEBASE_COMPAT_PORTS: 'dlp=8000,m2m=3000',
    })
    assert.deepEqual(config.compatPorts, [
      { adapter: 'dlp', port: 8000 },
      { adapter: 'm2m', port: 3000 },
    ])
    assert.deepEqual(loadConfig({ PULSEBASE_JWT_SECRET: 'x'.repeat(40) }).compatPorts, [])
  })
})

describe('every adapter on a port of its own', () => {
  let server: TestApp
  before(async () => {
    server = await startTestApp({
      PULSEBASE_COMPAT: 'm2m,dlp,mindsync,csi,heartrate',
      PULSEBASE_COMPAT_PORTS: 'dlp=0,m2m=0,mindsync=0,csi=0,heartrate=0',
    })
  })
  after(async () => {
    await server?.close()
  })

  test('each port answers its seed’s paths, and only those', async () => {
    const ports = server.compatAddresses
    assert.deepEqual(Object.keys(ports).sort(), ['csi', 'dlp', 'heartrate', 'm2m', 'mindsync'])
    const dlp = client(ports.dlp as string)
    assert.deepEqual(
      (await dlp.get('/test')).body,
      { Status: 'Backend is alive' },
      'GET /test is the DLP’s on its own port',
    )
    assert.deepEqual((await dlp.post('/api/getExecutionsData', {})).body, {
      success: false,
      message: 'User is not authenticated',
    })
    assert.equal((await dlp.get('/ready')).status, 404, 'no other adapter’s path')
    assert.equal((await dlp.get('/v1/playground/datasets')).status, 404, 'no /v1 route')
    assert.ok(Array.isArray((await client(ports.m2m as string).get('/test')).body), 'm2m’s todo list on its port')
    assert.deepEqual((await client(ports.mindsync as string).get('/ready')).body, { message: 'server is ready' })
    const csi = await fetch(`${ports.csi}/debug/get/exists`)
    assert.deepEqual([csi.status, await csi.text()], [200, 'Success'])
    const seed = new seedPackage.heartrate.HeartRateMonitor(ports.heartrate, credentials.createInsecure())
    try {
      const refused = await new Promise<ServiceError | null>((resolve) =>
        seed.CalculateExerciseZones(
          { age: 0, measurements: [{ bpm: 100, timestamp: 0 }] },
          (error: ServiceError | null) => resolve(error),
        ),
      )
      assert.deepEqual(
        [refused?.code, refused?.details],
        [grpcStatus.INVALID_ARGUMENT, 'Age must be a positive integer'],
        'the seed service answers on its gRPC port',
      )
    } finally {
      seed.close()
    }
  })

  test('the shared main port keeps its behaviour: GET /test stays with m2m, listed first', async () => {
    const main = client(server.url)
    assert.ok(Array.isArray((await main.get('/test')).body))
    assert.deepEqual((await main.get('/api/test/')).body, { Status: 'Backend is alive' })
    assert.deepEqual((await main.get('/ready')).body, { message: 'server is ready' })
    assert.equal((await main.get('/v1/playground/datasets')).status, 401)
  })
})
