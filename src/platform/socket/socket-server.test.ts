// Real node:http servers on free ports, real socket.io clients over WebSocket, real pub/sub adapters
// (memory, and Redis when it answers). Fake: only `authenticate` (the credential store has its own tests).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, type TestContext, test } from 'node:test'
import { io, type ManagerOptions, type Socket as ClientSocket, type SocketOptions } from 'socket.io-client'
import { REDIS, skipUnless } from '../../../test/helpers/services.js'
import type { Authenticate } from '../auth/principal.js'
import { AppError } from '../../errors.js'
import { createLogger } from '../logging/logger.js'
import { countingPubSub } from '../pubsub/counting-pubsub.fixture.js'
import { waitUntil } from '../../../test/helpers/poll.js'
import { publishLive, userChannel } from '../pubsub/live-events.js'
import { createMemoryPubSub } from '../pubsub/memory-pubsub.js'
import type { PubSubPort } from '../pubsub/pubsub.port.js'
import { createRedisPubSub } from '../pubsub/redis-pubsub.js'
import { createSocketServer, type SocketServer } from './socket-server.js'

const redisSkip = await skipUnless(REDIS)
const logger = createLogger('silent')

/** 'good-token' is u1; 'token-for:<id>' is that user (unique ids keep a shared Redis tidy). */
const authenticate: Authenticate = async (credential) => {
  if (credential === 'good-token') return { userId: 'u1', role: 'user', deviceId: null }
  const userId = /^token-for:(.+)$/.exec(credential)?.[1]
  if (userId) return { userId, role: 'user', deviceId: null }
  throw new AppError('unauthenticated', 'Invalid token')
}

interface Started {
  readonly url: string
  readonly http: HttpServer
  readonly sockets: SocketServer
}

async function start(t: TestContext, pubsub: PubSubPort): Promise<Started> {
  const http = createServer((_request, response) => response.writeHead(404).end())
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const sockets = createSocketServer({ server: http, authenticate, pubsub, logger })
  t.after(async () => {
    await sockets.close()
    await new Promise((resolve) => http.close(resolve))
  })
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, http, sockets }
}

function connect(t: TestContext, url: string, options: Partial<ManagerOptions & SocketOptions> = {}): ClientSocket {
  const socket = io(`${url}/v1`, { transports: ['websocket'], forceNew: true, reconnection: false, ...options })
  t.after(() => socket.disconnect())
  return socket
}

const connectAs = (t: TestContext, url: string, token: string) => connect(t, url, { auth: { token } })

/** The next `event` on the socket; fails on a refused connection or after the timeout. */
function next<T = unknown>(socket: ClientSocket, event: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" within ${timeoutMs} ms`)), timeoutMs)
    socket.once(event, (data: T) => (clearTimeout(timer), resolve(data)))
    if (event !== 'connect_error') socket.once('connect_error', (error) => (clearTimeout(timer), reject(error)))
  })
}

/** Everything the socket receives under `event`, in order. */
function collect(socket: ClientSocket, event: string): unknown[] {
  const received: unknown[] = []
  socket.on(event, (data: unknown) => received.push(data))
  return received
}

const uniqueUser = (label: string) => `${label}-${randomBytes(4).toString('hex')}`

describe('socket server: handshake', () => {
  test('a good token connects, and the socket hears `ready` once its user is subscribed', async (t) => {
    const { url, sockets } = await start(t, createMemoryPubSub({ logger }))
    const ready = await next(connectAs(t, url, 'good-token'), 'ready')
    assert.deepEqual(ready, { userId: 'u1', deviceId: null })
    assert.equal(sockets.connectedCount(), 1)
  })

  test('the credential may come as a Bearer header or an X-Device-Key header', async (t) => {
    const { url } = await start(t, createMemoryPubSub({ logger }))
    const bearer = connect(t, url, { extraHeaders: { authorization: 'Bearer good-token' } })
    const deviceKey = connect(t, url, { extraHeaders: { 'x-device-key': 'token-for:u9' } })
    assert.deepEqual(await next(bearer, 'ready'), { userId: 'u1', deviceId: null })
    assert.deepEqual(await next(deviceKey, 'ready'), { userId: 'u9', deviceId: null })
  })

  test('a bad or missing credential is refused with its message and code', async (t) => {
    const { url, sockets } = await start(t, createMemoryPubSub({ logger }))
    const bad = await next<Error & { data?: unknown }>(connectAs(t, url, 'stolen'), 'connect_error')
    assert.equal(bad.message, 'Invalid token')
    assert.deepEqual(bad.data, { code: 'unauthenticated' })
    const missing = await next<Error & { data?: unknown }>(connect(t, url), 'connect_error')
    assert.match(missing.message, /^Missing credentials/)
    assert.deepEqual(missing.data, { code: 'unauthenticated' })
    assert.equal(sockets.connectedCount(), 0)
  })
})

describe('socket server: live events on one process', () => {
  test("a user's event reaches that user's socket and no other user's", async (t) => {
    const pubsub = createMemoryPubSub({ logger })
    const { url } = await start(t, pubsub)
    const [u1, u2] = [connectAs(t, url, 'good-token'), connectAs(t, url, 'token-for:u2')]
    await Promise.all([next(u1, 'ready'), next(u2, 'ready')])
    const atU2 = collect(u2, 'heart-rate.recorded')

    const got = next(u1, 'heart-rate.recorded')
    const sentinel = next(u2, 'sentinel')
    await publishLive(pubsub, 'u1', 'heart-rate.recorded', { bpm: 72 })
    await publishLive(pubsub, 'u2', 'sentinel', null)
    assert.deepEqual(await got, { bpm: 72 })
    await sentinel // sent after u1's event on the same server, so u2 would have it by now
    assert.deepEqual(atU2, [])
  })

  test("a user's sockets share one subscription, freed when the last one leaves", async (t) => {
    const pubsub = countingPubSub(createMemoryPubSub({ logger }))
    const { url, sockets } = await start(t, pubsub.port)
    const channel = userChannel('u1')
    const [phone, watch] = [connectAs(t, url, 'good-token'), connectAs(t, url, 'good-token')]
    await Promise.all([next(phone, 'ready'), next(watch, 'ready')])
    assert.equal(pubsub.subscribeCalls(channel), 1)

    const both = Promise.all([next(phone, 'tick'), next(watch, 'tick')])
    await publishLive(pubsub.port, 'u1', 'tick', 1)
    assert.deepEqual(await both, [1, 1])

    phone.disconnect()
    await waitUntil(() => sockets.connectedCount() === 1, 'the server saw the phone leave')
    const stillHeard = next(watch, 'tick')
    await publishLive(pubsub.port, 'u1', 'tick', 2)
    assert.equal(await stillHeard, 2)
    assert.equal(pubsub.activeSubscriptions(channel), 1)

    watch.disconnect()
    await waitUntil(() => pubsub.activeSubscriptions(channel) === 0, 'the channel is unsubscribed')
    assert.equal(sockets.connectedCount(), 0)
    const errors: unknown[] = []
    await publishLive(pubsub.port, 'u1', 'tick', 3, (error) => errors.push(error))
    assert.deepEqual(errors, [])
  })

  test('sockets that connect while the subscribe is in flight share it; a quick leaver leaks nothing', async (t) => {
    const pubsub = countingPubSub(createMemoryPubSub({ logger }))
    const { url, sockets } = await start(t, pubsub.port)
    pubsub.hold()
    const [first, second] = [connectAs(t, url, 'good-token'), connectAs(t, url, 'good-token')]
    const readies = Promise.all([next(first, 'ready'), next(second, 'ready')])
    await waitUntil(() => sockets.connectedCount() === 2, 'both sockets are connected')
    const leaver = connectAs(t, url, 'token-for:leaver')
    await waitUntil(() => pubsub.subscribeCalls(userChannel('leaver')) === 1, "the leaver's subscribe started")
    leaver.disconnect()
    await waitUntil(() => sockets.connectedCount() === 2, 'the server saw the leaver go')

    pubsub.release()
    await readies
    assert.equal(pubsub.subscribeCalls(userChannel('u1')), 1)
    await waitUntil(
      () => pubsub.activeSubscriptions(userChannel('leaver')) === 0,
      "the leaver's late subscription is undone",
    )
  })

  test('messages that are not emittable live events are dropped, and delivery goes on', async (t) => {
    const pubsub = createMemoryPubSub({ logger })
    const { url } = await start(t, pubsub)
    const socket = connectAs(t, url, 'good-token')
    await next(socket, 'ready')
    const disconnects = collect(socket, 'disconnect')
    await pubsub.publish(userChannel('u1'), 'not an event')
    await publishLive(pubsub, 'u1', 'disconnect', 'reserved by socket.io')
    await publishLive(pubsub, 'u1', 'ready', 'reserved by us')
    const after = next(socket, 'after')
    await publishLive(pubsub, 'u1', 'after', 'ok')
    assert.equal(await after, 'ok')
    assert.deepEqual(disconnects, [])
  })

  test('close disconnects every socket and unsubscribes, but leaves the HTTP server running', async (t) => {
    const pubsub = countingPubSub(createMemoryPubSub({ logger }))
    const { url, http, sockets } = await start(t, pubsub.port)
    const socket = connectAs(t, url, 'good-token')
    await next(socket, 'ready')
    const disconnected = next(socket, 'disconnect')

    await sockets.close()
    assert.equal(await disconnected, 'io server disconnect')
    assert.equal(sockets.connectedCount(), 0)
    assert.equal(pubsub.activeSubscriptions(userChannel('u1')), 0)
    assert.equal(http.listening, true)
    assert.equal((await fetch(`${url}/anything`)).status, 404, 'other routes are still served')
    await assert.rejects(next(connectAs(t, url, 'good-token'), 'ready'), 'a closed server takes no new sockets')
  })
})

describe('socket server: fan-out across processes', () => {
  test('two memory adapters share nothing: an event published on one process never reaches the other', async (t) => {
    const [pubsubA, pubsubB] = [createMemoryPubSub({ logger }), createMemoryPubSub({ logger })]
    const [a, b] = [await start(t, pubsubA), await start(t, pubsubB)]
    const [atA, atB] = [connectAs(t, a.url, 'good-token'), connectAs(t, b.url, 'good-token')]
    await Promise.all([next(atA, 'ready'), next(atB, 'ready')])
    const missedAtB = collect(atB, 'tick')

    const heardAtA = next(atA, 'tick')
    await publishLive(pubsubA, 'u1', 'tick', 1)
    await heardAtA
    const sentinel = next(atB, 'sentinel')
    await publishLive(pubsubB, 'u1', 'sentinel', null)
    await sentinel
    assert.deepEqual(missedAtB, [], 'without Redis there is no fan-out between processes')
  })

  test(
    'with Redis, an event published on process A reaches the socket held by process B',
    { skip: redisSkip },
    async (t) => {
      const open = async (name: string) => {
        const pubsub = await createRedisPubSub({ url: REDIS.url, logger, connectionName: `pb-test-socket-${name}` })
        t.after(() => pubsub.close())
        return pubsub
      }
      const [pubsubA, pubsubB] = [await open('a'), await open('b')]
      await start(t, pubsubA)
      const b = await start(t, pubsubB)
      const userId = uniqueUser('cross')
      const socket = connectAs(t, b.url, `token-for:${userId}`)
      await next(socket, 'ready')

      const got = next(socket, 'heart-rate.recorded')
      await publishLive(pubsubA, userId, 'heart-rate.recorded', { bpm: 64 })
      assert.deepEqual(await got, { bpm: 64 })
    },
  )
})
