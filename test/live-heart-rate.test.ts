import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { io } from 'socket.io-client'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { connect, next } from './helpers/sockets.js'

const BASE = Date.now() - 600_000
const sample = (offsetSeconds: number, bpm: number) => ({ timestamp: BASE + offsetSeconds * 1000, bpm })

describe('live heart rate over Socket.IO', () => {
  let server: TestApp
  let api: Client
  before(async () => {
    server = await startTestApp()
    api = client(server.url)
  })
  after(async () => server?.close())

  test('a handshake without a valid token is refused with a message', async () => {
    const socket = io(`${server.url}/v1`, {
      auth: { token: 'nope' },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    })
    const error = await new Promise<Error & { data?: { code: string } }>((resolve) =>
      socket.once('connect_error', resolve),
    )
    socket.close()
    assert.equal(error.data?.code, 'unauthenticated')
    assert.match(error.message, /token/i)
  })

  test("a device's samples and the alert they open reach the owner's sockets, and nobody else's", async () => {
    const owner = await signUp(api)
    const stranger = await signUp(api)
    const { apiKey, device } = (await api.post('/v1/devices', { name: 'strap', kind: 'watch' }, owner.accessToken)).body
    const mine = await connect(server.url, owner.accessToken)
    const theirs = await connect(server.url, stranger.accessToken)
    try {
      const strangerSaw: string[] = []
      theirs.onAny((event: string) => strangerSaw.push(event))
      const samplesEvent = next(mine, 'heart-rate')
      const alertEvent = next(mine, 'alert')
      const posted = await api.post('/v1/heart-rate/samples', { samples: [sample(0, 80), sample(1, 165)] }, apiKey)
      assert.equal(posted.status, 200)
      const live = await samplesEvent
      assert.equal(live.deviceId, device.id)
      assert.deepEqual(
        live.samples.map((s: { bpm: number }) => s.bpm),
        [80, 165],
      )
      const alert = await alertEvent
      assert.equal(alert.change, 'opened')
      assert.equal(alert.alert.kind, 'HIGH')

      // The stranger's own event arrives; nothing of the owner's came before it.
      const own = next(theirs, 'heart-rate')
      await api.post('/v1/heart-rate/samples', { samples: [sample(2, 70)] }, stranger.accessToken)
      assert.deepEqual(
        (await own).samples.map((s: { bpm: number }) => s.bpm),
        [70],
      )
      assert.deepEqual(strangerSaw, ['heart-rate'])

      const retried = next(mine, 'heart-rate')
      await api.post('/v1/heart-rate/samples', { samples: [sample(0, 80), sample(1, 165), sample(3, 90)] }, apiKey)
      assert.deepEqual(
        (await retried).samples.map((s: { bpm: number }) => s.bpm),
        [90],
        'a retried sample is not announced twice',
      )
    } finally {
      mine.close()
      theirs.close()
    }
  })
})
