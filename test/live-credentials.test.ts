// Live connections end when their credentials do (issue 11, point 3): logout, access-token expiry,
// a password change (other sessions), device revoke and delete end Socket.IO sockets (with a reason) and gRPC streams (UNAUTHENTICATED),
// on the process that saw the change and on the others (through Redis); anonymous sockets are refused.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  credentials as grpcCredentials,
  loadPackageDefinition,
  Metadata,
  type ServiceError,
  status,
} from '@grpc/grpc-js'
import { SignJWT } from 'jose'
import { connectAsync } from 'mqtt'
import { io, type Socket } from 'socket.io-client'
import { CREDENTIALS_ENDED_CHANNEL } from '../src/platform/auth/credential-watch.js'
import { loadProto } from '../src/platform/grpc/grpc-server.js'
import { client, type Client, signUp, startTestApp, TEST_JWT_SECRET, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { REDIS, skipUnless } from './helpers/services.js'
import { connect } from './helpers/sockets.js'
import { waitUntil } from './helpers/poll.js'
import { publishLive } from '../src/platform/pubsub/live-events.js'

const REDIS_URL = process.env.PULSEBASE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const targets = (await databaseTargets()).filter((t) => t.kind !== 'mysql')
const redisSkip = await skipUnless(REDIS)

/** Resolves with the reason the server gave and the disconnect reason, once the socket is disconnected. */
function ended(socket: Socket): Promise<{ reason: string | undefined; disconnect: string }> {
  let reason: string | undefined
  socket.on('credentials-ended', (data: { reason: string }) => (reason = data.reason))
  return new Promise((resolve) => socket.once('disconnect', (disconnect) => resolve({ reason, disconnect })))
}

function heartRateClient(address: string): any {
  const pkg = loadPackageDefinition(loadProto('pulsebase/v1/heart_rate.proto')) as any
  return new pkg.pulsebase.v1.HeartRate(address, grpcCredentials.createInsecure())
}

const bearer = (credential: string) => {
  const metadata = new Metadata()
  metadata.set('authorization', `Bearer ${credential}`)
  return metadata
}

/**
 * Resolves once a Subscribe call is authenticated and subscribed: it has received an (empty)
 * heart-rate event published to the user, re-published until one arrives.
 */
async function subscribed(server: TestApp, call: any, userId: string): Promise<void> {
  let isLive = false
  call.once('data', () => (isLive = true))
  await waitUntil(
    async () => {
      if (!isLive) await publishLive(server.app.pubsub, userId, 'heart-rate', { deviceId: null, samples: [] })
      return isLive
    },
    'the Subscribe call to receive live events',
    { intervalMs: 100 },
  )
}

/** The status a gRPC stream ends with. */
const awaitCallError = (call: any): Promise<ServiceError> => new Promise((resolve) => call.on('error', resolve))

/** The sid of an access token (its login session), to sign a short-lived token for the same session. */
const readSessionId = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).sid

function shortToken(userId: string, sessionId: string, seconds: number): Promise<string> {
  return new SignJWT({ sid: sessionId, typ: 'access' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuer('pulsebase')
    .setAudience('pulsebase')
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + seconds)
    .sign(new TextEncoder().encode(TEST_JWT_SECRET))
}

for (const target of targets) {
  describe(`live connections end with their credentials on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client
    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url, PULSEBASE_MQTT_PORT: '0' })
      api = client(server.url)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('logout disconnects the Socket.IO sockets of that login (reason "logout") and ends its gRPC Subscribe', async () => {
      const user = await signUp(api)
      const other = await api.post('/v1/auth/login', { email: user.email, password: user.password })
      const socket = await connect(server.url, user.accessToken)
      const keeps = await connect(server.url, other.body.accessToken)
      const grpc = heartRateClient(server.grpcAddress)
      try {
        const subscription = grpc.Subscribe({}, bearer(user.accessToken))
        const subscriptionEnded = awaitCallError(subscription)
        await subscribed(server, subscription, user.userId)
        const socketEnded = ended(socket)
        assert.equal((await api.post('/v1/auth/logout', undefined, user.accessToken)).status, 204)
        assert.deepEqual(await socketEnded, { reason: 'logout', disconnect: 'io server disconnect' })
        const error = await subscriptionEnded
        assert.equal(error.code, status.UNAUTHENTICATED)
        assert.match(error.details, /logout/)
        assert.equal(keeps.connected, true, 'another login of the same user keeps its socket')
      } finally {
        socket.close()
        keeps.close()
        grpc.close()
      }
    })

    test('revoking or deleting a device ends its socket, MQTT session and gRPC stream; a sample after that is refused', async () => {
      const user = await signUp(api)
      const watch = (await api.post('/v1/devices', { name: 'watch', kind: 'watch' }, user.accessToken)).body
      const phone = (await api.post('/v1/devices', { name: 'phone', kind: 'phone' }, user.accessToken)).body
      const revokedSocket = await connect(server.url, watch.apiKey)
      const mqtt = await connectAsync(server.mqttUrl!, {
        username: watch.device.id,
        password: watch.apiKey,
        reconnectPeriod: 0,
        connectTimeout: 5000,
      })
      const mqttClosed = new Promise<void>((resolve) => mqtt.once('close', () => resolve()))
      const deletedSocket = await connect(server.url, phone.apiKey)
      const grpc = heartRateClient(server.grpcAddress)
      try {
        const stream = grpc.Stream(bearer(phone.apiKey))
        const verdicts: unknown[] = []
        stream.on('data', (v: unknown) => verdicts.push(v))
        const streamEnded = awaitCallError(stream)
        stream.write({ timestampMs: Date.now() - 10_000, bpm: 70 })
        for (let i = 0; i < 100 && verdicts.length === 0; i += 1)
          await new Promise((resolve) => setTimeout(resolve, 20))
        assert.equal(verdicts.length, 1, 'the stream stored a sample while the key was good')

        const revoked = ended(revokedSocket)
        assert.equal((await api.post(`/v1/devices/${watch.device.id}/revoke`, undefined, user.accessToken)).status, 200)
        assert.deepEqual(await revoked, { reason: 'revoked', disconnect: 'io server disconnect' })
        await mqttClosed // the device's MQTT session is closed by the server too

        const deleted = ended(deletedSocket)
        assert.equal((await api.delete(`/v1/devices/${phone.device.id}`, user.accessToken)).status, 204)
        assert.equal((await deleted).reason, 'revoked')
        assert.equal((await streamEnded).code, status.UNAUTHENTICATED)
        stream.write({ timestampMs: Date.now() - 5_000, bpm: 71 })
        const samples = await api.get(`/v1/heart-rate/samples?from=${Date.now() - 60_000}`, user.accessToken)
        assert.deepEqual(
          samples.body.samples.map((s: { bpm: number }) => s.bpm),
          [70],
          'nothing stored after the device was deleted',
        )
      } finally {
        revokedSocket.close()
        deletedSocket.close()
        mqtt.end(true)
        grpc.close()
      }
    })

    test("a password change ends the other login sessions' sockets and gRPC Subscribe; this session's and the devices' stay", async () => {
      const user = await signUp(api)
      const second = (await api.post('/v1/auth/login', { email: user.email, password: user.password })).body
      const { apiKey } = (await api.post('/v1/devices', { name: 'watch', kind: 'watch' }, user.accessToken)).body
      const otherSocket = await connect(server.url, second.accessToken)
      const ownSocket = await connect(server.url, user.accessToken)
      const deviceSocket = await connect(server.url, apiKey)
      const grpc = heartRateClient(server.grpcAddress)
      try {
        const otherSubscription = grpc.Subscribe({}, bearer(second.accessToken))
        const otherEnded = awaitCallError(otherSubscription)
        const ownSubscription = grpc.Subscribe({}, bearer(user.accessToken))
        let isOwnEnded = false
        ownSubscription.on('error', () => (isOwnEnded = true))
        await subscribed(server, otherSubscription, user.userId)
        await subscribed(server, ownSubscription, user.userId)
        const socketEnded = ended(otherSocket)
        const changed = await api.post(
          '/v1/me/password',
          { currentPassword: user.password, newPassword: 'a new long password' },
          user.accessToken,
        )
        assert.equal(changed.status, 204)
        assert.deepEqual(await socketEnded, { reason: 'revoked', disconnect: 'io server disconnect' })
        const error = await otherEnded
        assert.equal(error.code, status.UNAUTHENTICATED)
        assert.match(error.details, /revoked/)
        // Announcements are handled synchronously on this process: had they covered these, they would be gone by now.
        assert.equal(ownSocket.connected, true, 'the session that changed the password keeps its socket')
        assert.equal(deviceSocket.connected, true, 'device keys are not passwords')
        assert.equal(isOwnEnded, false, 'the session that changed the password keeps its gRPC stream')
        ownSubscription.cancel()
      } finally {
        otherSocket.close()
        ownSocket.close()
        deviceSocket.close()
        grpc.close()
      }
    })

    test("a deleted account's announcement drops its cached device keys (401, never 404) and ends its sockets", async () => {
      const user = await signUp(api)
      const watch = (await api.post('/v1/devices', { name: 'watch', kind: 'watch' }, user.accessToken)).body
      assert.equal((await api.get('/v1/me', watch.apiKey)).status, 200) // the key is now cached
      const socket = await connect(server.url, watch.apiKey)
      try {
        const socketEnded = ended(socket)
        // What an account deletion announces (from any process): every credential of the user ends.
        await server.app.pubsub.publish(CREDENTIALS_ENDED_CHANNEL, { userId: user.userId, reason: 'deleted' })
        assert.equal((await socketEnded).reason, 'deleted')
        await server.app.database.db
          .updateTable('devices')
          .set({ revoked_at: Date.now() })
          .where('user_id', '=', user.userId)
          .execute()
        const me = await api.get('/v1/me', watch.apiKey)
        assert.deepEqual([me.status, me.body.error.code], [401, 'unauthenticated'])
      } finally {
        socket.close()
      }
    })

    test('a socket ends when its access token expires (reason "expired")', async () => {
      const user = await signUp(api)
      const token = await shortToken(user.userId, readSessionId(user.accessToken), 2)
      const socket = await connect(server.url, token)
      try {
        assert.deepEqual(await ended(socket), { reason: 'expired', disconnect: 'io server disconnect' })
      } finally {
        socket.close()
      }
    })

    test('a token without exp is refused everywhere', async () => {
      const user = await signUp(api)
      const noExpiry = await new SignJWT({ sid: readSessionId(user.accessToken), typ: 'access' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.userId)
        .setIssuer('pulsebase')
        .setAudience('pulsebase')
        .setIssuedAt()
        .sign(new TextEncoder().encode(TEST_JWT_SECRET))
      assert.equal((await api.get('/v1/me', noExpiry)).status, 401)
      await assert.rejects(connect(server.url, noExpiry), /unauthenticated|Invalid access token/i)
    })

    test('anonymous sockets are refused on the default namespace as on /v1, not held open', async () => {
      for (const namespace of ['/', '/v1']) {
        const socket = io(`${server.url}${namespace}`, {
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
        })
        const error = await new Promise<Error & { data?: { code: string } }>((resolve) =>
          socket.once('connect_error', resolve),
        )
        socket.close()
        assert.equal(error.data?.code, 'unauthenticated', namespace)
      }
      assert.equal(server.app.sockets.io.of('/').sockets.size, 0)
    })
  })
}

describe(
  'a logout on one API process ends the sockets held by another (SQLite file + Redis)',
  { skip: redisSkip },
  () => {
    let a: TestApp
    let b: TestApp
    before(async () => {
      a = await startTestApp({ PULSEBASE_REDIS_URL: REDIS_URL })
      b = await startTestApp({
        PULSEBASE_REDIS_URL: REDIS_URL,
        PULSEBASE_DATABASE_URL: `sqlite://${a.dataDir}/pulsebase.sqlite`,
      })
    })
    after(async () => {
      await Promise.allSettled([b?.close(), a?.close()])
    })

    test('the socket on B disconnects with reason "logout" after a logout through A', async () => {
      const apiA = client(a.url)
      const user = await signUp(apiA)
      const socket = await connect(b.url, user.accessToken)
      try {
        const socketEnded = ended(socket)
        assert.equal((await apiA.post('/v1/auth/logout', undefined, user.accessToken)).status, 204)
        assert.equal((await socketEnded).reason, 'logout')
      } finally {
        socket.close()
      }
    })
  },
)
