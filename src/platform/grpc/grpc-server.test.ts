// Real server on a free port, real grpc-js clients built from the protos. Fake: only `authenticate`
// (the credential store has its own tests) and a test-only service, kept out of proto/.
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { Writable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { waitUntil } from '../../../test/helpers/poll.js'
import {
  type Client,
  credentials,
  makeClientConstructor,
  Metadata,
  type ServiceDefinition,
  type ServiceError,
  status,
} from '@grpc/grpc-js'
import { fromJSON } from '@grpc/proto-loader'
import { service as healthService } from 'grpc-health-check'
import { registerAccountGrpc } from '../../domains/auth/auth.grpc.js'
import type { Authenticate } from '../auth/principal.js'
import { AppError } from '../../errors.js'
import { createLogger } from '../logging/logger.js'
import { createMetrics, type Metrics } from '../metrics/metrics.js'
import { ERROR_CODE_KEY, ERROR_DETAILS_KEY } from './grpc-errors.js'
import {
  bidiStream,
  clientStream,
  createGrpcServer,
  type GrpcServer,
  loadProto,
  PROTO_LOADER_OPTIONS,
  serverStream,
  serviceFrom,
  unary,
} from './grpc-server.js'

const authenticate: Authenticate = async (credential) => {
  if (credential === 'good-token') return { userId: 'user-1', role: 'user', deviceId: null }
  if (credential === 'device-key-1') return { userId: 'user-1', role: 'user', deviceId: 'device-1' }
  throw new AppError('unauthenticated', 'Invalid or expired credential')
}

const rpc = (requestStream: boolean, responseStream: boolean) => ({
  requestType: 'Note',
  responseType: 'Note',
  requestStream,
  responseStream,
  comment: '',
})
const note = { fields: { text: { type: 'string', id: 1 }, count: { type: 'int64', id: 2 } } }
const PROBE = serviceFrom(
  fromJSON(
    {
      nested: {
        pulsebase: {
          nested: {
            test: {
              nested: {
                Note: note,
                Probe: {
                  methods: {
                    Fail: rpc(false, false),
                    Reject: rpc(false, false),
                    Count: rpc(false, true),
                    Forever: rpc(false, true),
                    Join: rpc(true, false),
                    Echo: rpc(true, true),
                  },
                },
              },
            },
          },
        },
      },
    },
    PROTO_LOADER_OPTIONS,
  ),
  'pulsebase.test.Probe',
)

interface Note {
  text: string
  count: number
}

const probeState = { foreverStopped: false }

const probeImplementation = {
  Fail: unary<Note, Note>(() => {
    throw new Error('secret database detail')
  }),
  Reject: unary<Note, Note>(async () => {
    throw new AppError('invalid_argument', 'Invalid note', [{ path: 'text', message: 'is required' }])
  }),
  Count: serverStream<Note, Note>(async function* (request) {
    for (let i = 1; i <= request.count; i++) yield { text: request.text, count: i }
  }),
  Forever: serverStream<Note, Note>(async function* (_request, ctx) {
    try {
      for (let i = 0; !ctx.signal.aborted; i++) {
        yield { text: 'tick', count: i }
        await sleep(5)
      }
    } finally {
      probeState.foreverStopped = true
    }
  }),
  Join: clientStream<Note, Note>(async (requests) => {
    const texts: string[] = []
    for await (const request of requests) texts.push(request.text)
    return { text: texts.join(','), count: texts.length }
  }),
  echo: bidiStream<Note, Note>(async function* (requests) {
    for await (const request of requests) {
      if (request.text === 'boom') throw new AppError('rate_limited', 'Slow down', [], 3)
      yield { text: request.text.toUpperCase(), count: request.count }
    }
  }),
}

type Callback = (error: ServiceError | null, response?: unknown) => void
type Dynamic = Record<string, (...args: unknown[]) => any>

function clientFor(definition: ServiceDefinition, address: string): Client & Dynamic {
  const Constructor = makeClientConstructor(definition, 'Test')
  return new Constructor(address, credentials.createInsecure()) as unknown as Client & Dynamic
}

function callUnary(client: Dynamic, method: string, request: object, metadata = new Metadata()): Promise<any> {
  return new Promise((resolve, reject) => {
    const callback: Callback = (error, response) => (error ? reject(error) : resolve(response))
    client[method]?.(request, metadata, callback)
  })
}

function withAuth(value: string): Metadata {
  const metadata = new Metadata()
  metadata.set('authorization', value)
  return metadata
}

function collect(stream: NodeJS.ReadableStream): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const items: unknown[] = []
    stream.on('data', (item) => items.push(item))
    stream.on('error', reject)
    stream.on('end', () => resolve(items))
  })
}

async function handled(metrics: Metrics, grpcMethod: string, code: string): Promise<number> {
  const { values } = await metrics.grpcHandled.get()
  return values.find((v) => v.labels.grpc_method === grpcMethod && v.labels.grpc_code === code)?.value ?? 0
}

describe('gRPC server', () => {
  const logLines: string[] = []
  const logger = createLogger(
    'warn',
    new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) }),
  )
  const metrics = createMetrics()
  let server: GrpcServer
  let address: string
  let account: Client & Dynamic
  let health: Client & Dynamic
  let probe: Client & Dynamic

  before(async () => {
    server = createGrpcServer({ metrics, logger })
    registerAccountGrpc(server, authenticate)
    server.addService(PROBE, probeImplementation)
    address = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`
    account = clientFor(serviceFrom(loadProto('pulsebase/v1/account.proto'), 'pulsebase.v1.Account'), address)
    health = clientFor(healthService as unknown as ServiceDefinition, address)
    probe = clientFor(PROBE, address)
  })
  after(async () => {
    for (const client of [account, health, probe]) client.close()
    await server.shutdown(1000)
  })

  test('health answers SERVING for the server and each registered service', async () => {
    assert.deepEqual(await callUnary(health, 'Check', { service: '' }), { status: 'SERVING' })
    assert.deepEqual(await callUnary(health, 'Check', { service: 'pulsebase.v1.Account' }), { status: 'SERVING' })
    await assert.rejects(callUnary(health, 'Check', { service: 'nope.Service' }), { code: status.NOT_FOUND })
    assert.equal(await handled(metrics, 'grpc.health.v1.Health/Check', 'OK'), 2, 'health calls are measured too')
  })

  test('WhoAmI returns the principal for a token, a device key, with or without Bearer', async () => {
    const person = { userId: 'user-1', role: 'user', deviceId: '' }
    assert.deepEqual(await callUnary(account, 'WhoAmI', {}, withAuth('good-token')), person)
    assert.deepEqual(await callUnary(account, 'WhoAmI', {}, withAuth('Bearer good-token')), person)
    assert.deepEqual(await callUnary(account, 'WhoAmI', {}, withAuth('bearer device-key-1')), {
      ...person,
      deviceId: 'device-1',
    })
    assert.ok((await handled(metrics, 'pulsebase.v1.Account/WhoAmI', 'OK')) >= 3)
  })

  test('a missing or refused credential is UNAUTHENTICATED with a clear message', async () => {
    await assert.rejects(callUnary(account, 'WhoAmI', {}), (error: ServiceError) => {
      assert.equal(error.code, status.UNAUTHENTICATED)
      assert.equal(
        error.details,
        'Missing credentials: send an access token or device key in the authorization metadata',
      )
      assert.deepEqual(error.metadata.get(ERROR_CODE_KEY), ['unauthenticated'])
      return true
    })
    await assert.rejects(callUnary(account, 'WhoAmI', {}, withAuth('Bearer stolen')), {
      code: status.UNAUTHENTICATED,
      details: 'Invalid or expired credential',
    })
    await assert.rejects(callUnary(account, 'WhoAmI', {}, withAuth('Basic a b')), { code: status.UNAUTHENTICATED })
    assert.equal(await handled(metrics, 'pulsebase.v1.Account/WhoAmI', 'UNAUTHENTICATED'), 3)
  })

  test('an unknown error is INTERNAL with a fixed message; the real one is only logged', async () => {
    await assert.rejects(callUnary(probe, 'Fail', {}), (error: ServiceError) => {
      assert.equal(error.code, status.INTERNAL)
      assert.equal(error.details, 'Internal server error')
      assert.doesNotMatch(JSON.stringify(error.metadata.getMap()), /secret/)
      return true
    })
    assert.equal(await handled(metrics, 'pulsebase.test.Probe/Fail', 'INTERNAL'), 1)
    assert.ok(
      logLines.some((line) => line.includes('secret database detail')),
      'the cause is logged',
    )
  })

  test('an AppError keeps its code, message and details', async () => {
    await assert.rejects(callUnary(probe, 'Reject', {}), (error: ServiceError) => {
      assert.equal(error.code, status.INVALID_ARGUMENT)
      assert.equal(error.details, 'Invalid note')
      const [details] = error.metadata.get(ERROR_DETAILS_KEY)
      assert.deepEqual(JSON.parse(String(details)), [{ path: 'text', message: 'is required' }])
      return true
    })
  })

  test('server, client and bidi streams work, and errors in a stream map the same way', async () => {
    const counted = await collect(probe.Count?.({ text: 'n', count: 3 }))
    assert.deepEqual(
      counted,
      [1, 2, 3].map((count) => ({ text: 'n', count })),
      'int64 arrives as a number',
    )

    const joined = await new Promise((resolve, reject) => {
      const call = probe.Join?.((error: ServiceError | null, response: unknown) =>
        error ? reject(error) : resolve(response),
      )
      for (const text of ['a', 'b', 'c']) call.write({ text })
      call.end()
    })
    assert.deepEqual(joined, { text: 'a,b,c', count: 3 })

    const echo = probe.Echo?.()
    const echoed = collect(echo)
    echo.write({ text: 'hi', count: 1 })
    echo.end()
    assert.deepEqual(await echoed, [{ text: 'HI', count: 1 }])

    const failing = probe.Echo?.()
    const failed = collect(failing)
    failing.write({ text: 'boom' })
    await assert.rejects(failed, (error: ServiceError) => {
      assert.equal(error.code, status.RESOURCE_EXHAUSTED)
      assert.deepEqual(error.metadata.get('retry-after'), ['3'])
      return true
    })
    assert.equal(await handled(metrics, 'pulsebase.test.Probe/Echo', 'RESOURCE_EXHAUSTED'), 1)
  })

  test('a client that cancels a stream stops its handler and frees the stream gauge', async () => {
    const call = probe.Forever?.({})
    call.on('error', () => undefined)
    await new Promise((resolve) => call.once('data', resolve))
    call.cancel()
    await waitUntil(() => probeState.foreverStopped, 'the handler to stop')
    assert.equal(await handled(metrics, 'pulsebase.test.Probe/Forever', 'CANCELLED'), 1)
    assert.equal((await metrics.grpcActiveStreams.get()).values[0]?.value, 0)
  })

  test('a stream past its deadline is recorded as DEADLINE_EXCEEDED and stopped', async () => {
    probeState.foreverStopped = false
    const call = probe.Forever?.({}, new Metadata(), { deadline: Date.now() + 100 })
    call.on('data', () => undefined)
    const code = await new Promise<number>((resolve) => call.on('error', (error: ServiceError) => resolve(error.code)))
    assert.equal(code, status.DEADLINE_EXCEEDED)
    await waitUntil(() => probeState.foreverStopped, 'the handler to stop')
    assert.equal(await handled(metrics, 'pulsebase.test.Probe/Forever', 'DEADLINE_EXCEEDED'), 1)
    assert.equal((await metrics.grpcActiveStreams.get()).values[0]?.value, 0)
  })
})

describe('gRPC server lifecycle', () => {
  const logger = createLogger('silent')

  test('addService refuses a missing, unknown or mismatched handler at boot', () => {
    const server = createGrpcServer({ metrics: createMetrics(), logger })
    const { echo, ...withoutEcho } = probeImplementation
    assert.throws(() => server.addService(PROBE, withoutEcho), /Probe\/Echo: no handler/)
    assert.throws(() => server.addService(PROBE, { ...probeImplementation, Extra: echo }), /no method\(s\) Extra/)
    assert.throws(
      () => server.addService(PROBE, { ...withoutEcho, Echo: unary(() => ({})) }),
      /bidi_stream in the proto, but its handler is unary/,
    )
  })

  test('shutdown flips health to NOT_SERVING and cancels calls still open at the deadline', async () => {
    const metrics = createMetrics()
    const server = createGrpcServer({ metrics, logger })
    server.addService(PROBE, probeImplementation)
    const address = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`
    const health = clientFor(healthService as unknown as ServiceDefinition, address)
    const probe = clientFor(PROBE, address)
    server.setServing(false)
    assert.deepEqual(await callUnary(health, 'Check', { service: 'pulsebase.test.Probe' }), { status: 'NOT_SERVING' })
    server.setServing(true)

    const call = probe.Forever?.({})
    const ended = new Promise<number>((resolve) => call.on('error', (error: ServiceError) => resolve(error.code)))
    await new Promise((resolve) => call.once('data', resolve))
    let ticks = 0
    call.on('data', () => (ticks += 1))
    let isShutDown = false
    const shutdown = server.shutdown(1000).then(() => (isShutDown = true))
    const ticksAtShutdown = ticks
    await waitUntil(() => ticks > ticksAtShutdown + 2 || isShutDown, 'the stream to tick on during shutdown')
    assert.equal(isShutDown, false, 'shutdown waits while a stream is open')
    await shutdown
    assert.ok([status.CANCELLED, status.UNAVAILABLE].includes(await ended), 'the client sees its stream end')
    assert.equal(await handled(metrics, 'pulsebase.test.Probe/Forever', 'CANCELLED'), 1)
    assert.equal((await metrics.grpcActiveStreams.get()).values[0]?.value, 0)
    health.close()
    probe.close()
  })
})
