// The MQTT listener with a real client (mqtt.js): credentials, topic ownership, ack after the route.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { connectAsync, type MqttClient } from 'mqtt'
import { pino } from 'pino'
import { AppError } from '../../errors.js'
import type { Principal } from '../auth/principal.js'
import { createMetrics } from '../metrics/metrics.js'
import { createMqttServer, type MqttMessage, type MqttServer } from './mqtt-server.js'

const KEYS: Record<string, Principal> = {
  pbd_pi: { userId: 'u1', role: 'user', deviceId: 'pi-1' },
  pbd_other: { userId: 'u2', role: 'user', deviceId: 'pi-2' },
  'person-token': { userId: 'u1', role: 'user', deviceId: null },
}

function deferred() {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

describe('MQTT server (aedes) with mqtt.js', () => {
  const revoked = new Set<string>()
  const contacts: (string | undefined)[] = []
  let server: MqttServer
  let url: string
  const handled: MqttMessage[] = []
  let gate: ReturnType<typeof deferred> | undefined
  let started: (() => void) | undefined
  const clients: MqttClient[] = []

  before(async () => {
    server = await createMqttServer({
      logger: pino({ level: 'silent' }),
      metrics: createMetrics(),
      authenticate: async (credential, origin) => {
        const principal = KEYS[credential]
        if (principal === undefined || revoked.has(credential))
          throw new AppError('unauthenticated', 'Unknown device key')
        contacts.push(origin?.address)
        return principal
      },
    })
    server.addRoute({
      topic: 'frames/+',
      async handle(message) {
        started?.()
        await gate?.promise
        handled.push(message)
        return {
          topic: `devices/${message.publisher.principal.deviceId}/verdicts`,
          payload: JSON.stringify({ stored: 1, kind: message.levels[1] }),
        }
      },
    })
    url = `mqtt://127.0.0.1:${await server.listen('127.0.0.1', 0)}`
  })
  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)))
    await server.close()
  })

  async function connect(password: string, username = ''): Promise<MqttClient> {
    const client = await connectAsync(url, { username, password, reconnectPeriod: 0, connectTimeout: 5000 })
    clients.push(client)
    return client
  }

  test('a device publishes QoS 1 to its own topic; the PUBACK waits for the route to finish', async () => {
    const client = await connect('pbd_pi', 'pi-1')
    assert.equal(contacts.at(-1), '127.0.0.1', 'the connection is a contact, with the peer address')
    gate = deferred()
    const running = new Promise<void>((resolve) => (started = resolve))
    let isAcked = false
    const publishing = client
      .publishAsync('devices/pi-1/frames/csi', '{"x":1}', { qos: 1 })
      .then(() => (isAcked = true))
    await running
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(isAcked, false, 'no PUBACK while the route has not committed')
    gate.resolve()
    await publishing
    assert.equal(isAcked, true)
    const last = handled.at(-1)!
    assert.deepEqual(
      [last.topic, last.levels, last.payload.toString(), last.qos, last.publisher.principal.deviceId],
      ['devices/pi-1/frames/csi', ['frames', 'csi'], '{"x":1}', 1, 'pi-1'],
    )
    gate = undefined
  })

  test("the route's reply reaches the device's subscription on its own topics; other devices' topics are refused", async () => {
    const client = await connect('pbd_pi')
    assert.deepEqual(
      (await client.subscribeAsync('devices/pi-1/verdicts', { qos: 0 })).map((g) => g.qos),
      [0],
    )
    await assert.rejects(
      client.subscribeAsync('devices/pi-2/verdicts', { qos: 0 }),
      (error: { packet?: { granted?: number[] } }) => error.packet?.granted?.[0] === 128,
    )
    const reply = new Promise<string>((resolve) =>
      client.once('message', (_topic, payload) => resolve(payload.toString())),
    )
    await client.publishAsync('devices/pi-1/frames/rssi', '{}', { qos: 1 })
    assert.deepEqual(JSON.parse(await reply), { stored: 1, kind: 'rssi' })
  })

  test("publishing to another device's topic closes the connection unacknowledged", async () => {
    const client = await connect('pbd_pi')
    const count = handled.length
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()))
    client.publish('devices/pi-2/frames/csi', '{}', { qos: 1 })
    await closed
    assert.equal(handled.length, count)
  })

  test('a wrong key, a person token or a username that is not the device id is refused at CONNECT', async () => {
    await assert.rejects(connect('pbd_nope'), /Bad username or password/)
    await assert.rejects(connect('person-token'), /Not authorized/)
    await assert.rejects(connect('pbd_pi', 'pi-2'), /Bad username or password/)
  })

  test('a key revoked while connected ends the session at its next publish', async () => {
    KEYS.pbd_late = { userId: 'u3', role: 'user', deviceId: 'pi-3' }
    const client = await connect('pbd_late')
    await client.publishAsync('devices/pi-3/frames/csi', '{}', { qos: 1 })
    revoked.add('pbd_late')
    const count = handled.length
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()))
    client.publish('devices/pi-3/frames/csi', '{}', { qos: 1 })
    await closed
    assert.equal(handled.length, count)
  })
})
