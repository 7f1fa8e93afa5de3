// Device presence: online from stored contact times, `device-presence` once per transition, on one
// process and on two API processes sharing the database and Redis.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Socket } from 'socket.io-client'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { REDIS, skipUnless } from './helpers/services.js'
import { connect, next } from './helpers/sockets.js'

const redisSkip = await skipUnless(REDIS)

interface PresenceEvent {
  deviceId: string
  online: boolean
  lastSeenAt: string | null
  remoteAddress: string | null
}

function recordPresence(socket: Socket): PresenceEvent[] {
  const events: PresenceEvent[] = []
  socket.on('device-presence', (event: PresenceEvent) => events.push(event))
  return events
}

/** Resolves once `events` holds `count` entries (each socket receives them through its own listener). */
async function untilCount(events: readonly PresenceEvent[], count: number, socket: Socket): Promise<void> {
  while (events.length < count) await next(socket, 'device-presence')
}

async function newDevice(api: Client, token: string, name = 'hall pi') {
  const created = await api.post('/v1/devices', { name, kind: 'raspberry-pi' }, token)
  assert.equal(created.status, 201)
  return created.body as { device: { id: string }; apiKey: string }
}

for (const target of await databaseTargets()) {
  describe(`device presence on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client

    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url })
      api = client(server.url)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('a heartbeat makes a device online with its address; ?online filters; the list says who was never seen', async () => {
      const user = await signUp(api)
      const pi = await newDevice(api, user.accessToken)
      const quiet = await newDevice(api, user.accessToken, 'quiet pi')
      const socket = await connect(server.url, user.accessToken)
      try {
        const events = recordPresence(socket)
        const beat = await api.post('/v1/devices/heartbeat', undefined, pi.apiKey)
        assert.equal(beat.status, 200)
        assert.deepEqual(beat.body, { deviceId: pi.device.id, online: true, presenceTimeoutSeconds: 30 })
        await untilCount(events, 1, socket)
        assert.deepEqual(
          [events[0]!.deviceId, events[0]!.online, events[0]!.remoteAddress],
          [pi.device.id, true, '127.0.0.1'],
        )

        const listed = (await api.get('/v1/devices', user.accessToken)).body.devices
        const byId = new Map(listed.map((d: { id: string }) => [d.id, d]))
        const seen = byId.get(pi.device.id) as Record<string, unknown>
        assert.deepEqual([seen.online, seen.remoteAddress, seen.presenceTimeoutSeconds], [true, '127.0.0.1', 30])
        assert.ok(Date.parse(seen.lastSeenAt as string) > Date.now() - 60_000)
        const never = byId.get(quiet.device.id) as Record<string, unknown>
        assert.deepEqual([never.online, never.lastSeenAt, never.remoteAddress], [false, null, null])

        assert.deepEqual(
          (await api.get('/v1/devices?online=true', user.accessToken)).body.devices.map((d: { id: string }) => d.id),
          [pi.device.id],
        )
        assert.deepEqual(
          (await api.get('/v1/devices?online=false', user.accessToken)).body.devices.map((d: { id: string }) => d.id),
          [quiet.device.id],
        )
        assert.equal((await api.get('/v1/devices?online=yes', user.accessToken)).status, 400)

        // More contacts while online announce nothing new.
        await api.get('/v1/me', pi.apiKey)
        await api.post('/v1/devices/heartbeat', undefined, pi.apiKey)
        assert.equal(
          (await api.post('/v1/devices/heartbeat', undefined, user.accessToken)).status,
          403,
          'a person has no heartbeat',
        )
        const other = await signUp(api)
        assert.deepEqual(
          (await api.get('/v1/devices?online=true', other.accessToken)).body.devices,
          [],
          'presence is per owner',
        )
        assert.equal(events.length, 1)
      } finally {
        socket.close()
      }
    })

    test('past its own timeout a device goes offline once, and its next contact brings it back', async () => {
      const user = await signUp(api)
      const pi = await newDevice(api, user.accessToken)
      const patched = await api.patch(`/v1/devices/${pi.device.id}`, { presenceTimeoutSeconds: 2 }, user.accessToken)
      assert.equal(patched.status, 200)
      assert.equal(patched.body.presenceTimeoutSeconds, 2)
      assert.equal(
        (await api.patch(`/v1/devices/${pi.device.id}`, { presenceTimeoutSeconds: 1 }, user.accessToken)).status,
        400,
      )
      const socket = await connect(server.url, user.accessToken)
      try {
        const events = recordPresence(socket)
        await api.post('/v1/devices/heartbeat', undefined, pi.apiKey)
        await untilCount(events, 2, socket) // online, then offline once the 2 s have passed unseen
        assert.deepEqual(
          events.map((e) => e.online),
          [true, false],
        )
        assert.equal((await api.get(`/v1/devices/${pi.device.id}`, user.accessToken)).body.online, false)
        assert.deepEqual((await api.get('/v1/devices?online=true', user.accessToken)).body.devices, [])

        await api.get('/v1/me', pi.apiKey) // any call with the key is a contact
        await untilCount(events, 3, socket)
        assert.deepEqual(
          events.map((e) => e.online),
          [true, false, true],
        )
        assert.equal((await api.get(`/v1/devices/${pi.device.id}`, user.accessToken)).body.online, true)
        assert.equal(
          (await api.patch(`/v1/devices/${pi.device.id}`, { presenceTimeoutSeconds: null }, user.accessToken)).body
            .presenceTimeoutSeconds,
          30,
        )
      } finally {
        socket.close()
      }
    })
  })

  describe(
    `device presence across two API processes on ${target.kind} + Redis`,
    { skip: target.skip ?? redisSkip },
    () => {
      let db: TestDatabase
      let a: TestApp
      let b: TestApp

      before(async () => {
        db = await target.create()
        const env = { PULSEBASE_DATABASE_URL: db.url, PULSEBASE_REDIS_URL: REDIS.url }
        a = await startTestApp(env)
        b = await startTestApp(env)
      })
      after(async () => {
        await Promise.allSettled([a?.close(), b?.close()])
        await db?.drop()
      })

      test('contacts through both processes announce each transition once, on sockets held by either', async () => {
        const apiA = client(a.url)
        const apiB = client(b.url)
        const user = await signUp(apiA)
        const pi = await newDevice(apiA, user.accessToken)
        await apiA.patch(`/v1/devices/${pi.device.id}`, { presenceTimeoutSeconds: 2 }, user.accessToken)
        const [onA, onB] = [await connect(a.url, user.accessToken), await connect(b.url, user.accessToken)]
        try {
          const [eventsA, eventsB] = [recordPresence(onA), recordPresence(onB)]
          await apiA.post('/v1/devices/heartbeat', undefined, pi.apiKey)
          await Promise.all([untilCount(eventsA, 1, onA), untilCount(eventsB, 1, onB)])
          // Both processes store contacts and both sweep; neither announces what the other did.
          for (const api of [apiB, apiA, apiB, apiB])
            assert.equal((await api.post('/v1/devices/heartbeat', undefined, pi.apiKey)).status, 200)
          assert.equal((await apiA.get('/v1/devices?online=true', user.accessToken)).body.devices.length, 1)
          await Promise.all([untilCount(eventsA, 2, onA), untilCount(eventsB, 2, onB)])
          assert.equal((await apiB.get('/v1/devices?online=true', user.accessToken)).body.devices.length, 0)
          await apiB.post('/v1/devices/heartbeat', undefined, pi.apiKey)
          await Promise.all([untilCount(eventsA, 3, onA), untilCount(eventsB, 3, onB)])
          for (const events of [eventsA, eventsB])
            assert.deepEqual(
              events.map((e) => e.online),
              [true, false, true],
            )
        } finally {
          onA.close()
          onB.close()
        }
      })
    },
  )
}
