// Frames over pulsebase's own MQTT listener with mqtt.js: the device key as password, QoS 1 acked after commit.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { connectAsync, type MqttClient } from 'mqtt'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { csiFrames, newDevice } from './helpers/sensors.js'

for (const target of await databaseTargets()) {
  describe(`sensor frames over MQTT on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client
    const clients: MqttClient[] = []

    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url, PULSEBASE_MQTT_PORT: '0' })
      api = client(server.url)
    })
    after(async () => {
      await Promise.allSettled(clients.map((c) => c.endAsync(true)))
      await server?.close()
      await db?.drop()
    })

    async function connect(username: string, password: string): Promise<MqttClient> {
      const mqtt = await connectAsync(server.mqttUrl!, { username, password, reconnectPeriod: 0, connectTimeout: 5000 })
      clients.push(mqtt)
      return mqtt
    }

    test('a frame and a batch published with QoS 1 are stored when the PUBACK arrives; the connection makes the device online', async () => {
      const user = await signUp(api)
      const pi = await newDevice(api, user.accessToken)
      const mqtt = await connect(pi.id, pi.apiKey)
      const [one, ...rest] = csiFrames(2)
      await mqtt.publishAsync(
        `devices/${pi.id}/frames/csi`,
        JSON.stringify({ timestamp: one!.timestamp, channels: one!.channels }),
        { qos: 1 },
      )
      await mqtt.publishAsync(
        `devices/${pi.id}/frames/csi`,
        JSON.stringify({ frames: rest.map((f) => ({ timestamp: f.timestamp, channels: f.channels })) }),
        { qos: 1 },
      )
      // No waiting: the acknowledgements came after the commits.
      const read = await api.get(
        `/v1/sensor-frames?deviceId=${pi.id}&kind=csi&from=${one!.timestamp}`,
        user.accessToken,
      )
      assert.equal(read.body.frames.length, 14)
      assert.deepEqual(read.body.frames[0].channels, one!.channels)
      const device = (await api.get(`/v1/devices/${pi.id}`, user.accessToken)).body
      assert.deepEqual([device.online, device.remoteAddress], [true, '127.0.0.1'])
    })

    test('rejected frames are acknowledged and answered on the verdicts topic; nothing invalid is stored', async () => {
      const user = await signUp(api)
      const pi = await newDevice(api, user.accessToken)
      const mqtt = await connect(pi.id, pi.apiKey)
      await mqtt.subscribeAsync(`devices/${pi.id}/frames/+/verdicts`, { qos: 0 })
      const verdicts = new Promise<any>((resolve) =>
        mqtt.once('message', (_topic, payload) => resolve(JSON.parse(payload.toString()))),
      )
      const frame = csiFrames(1)[0]!
      await mqtt.publishAsync(
        `devices/${pi.id}/frames/csi`,
        JSON.stringify({
          frames: [
            { timestamp: frame.timestamp, channels: frame.channels },
            { timestamp: 'yesterday', channels: frame.channels },
          ],
        }),
        { qos: 1 },
      )
      const answer = await verdicts
      assert.deepEqual([answer.stored, answer.rejected, answer.verdicts[1].reason], [1, 1, 'timestamp_invalid'])
      const garbage = new Promise<any>((resolve) =>
        mqtt.once('message', (_topic, payload) => resolve(JSON.parse(payload.toString()))),
      )
      await mqtt.publishAsync(`devices/${pi.id}/frames/csi`, 'not json', { qos: 1 })
      assert.equal((await garbage).verdicts[0].reason, 'frame_invalid')
      const read = await api.get(
        `/v1/sensor-frames?deviceId=${pi.id}&kind=csi&from=${frame.timestamp - 1000}`,
        user.accessToken,
      )
      assert.equal(read.body.frames.length, 1)
    })

    test("a device cannot publish to another device's topic, and only a device key opens a session", async () => {
      const user = await signUp(api)
      const [pi, other] = [await newDevice(api, user.accessToken), await newDevice(api, user.accessToken, 'other pi')]
      const mqtt = await connect(pi.id, pi.apiKey)
      const closed = new Promise<void>((resolve) => mqtt.once('close', () => resolve()))
      const frame = csiFrames(1)[0]!
      mqtt.publish(
        `devices/${other.id}/frames/csi`,
        JSON.stringify({ timestamp: frame.timestamp, channels: frame.channels }),
        { qos: 1 },
      )
      await closed
      assert.equal(
        (await api.get(`/v1/sensor-frames?deviceId=${other.id}&kind=csi`, user.accessToken)).status,
        404,
        'nothing stored for the other device',
      )
      await assert.rejects(connect(pi.id, user.accessToken), /Not authorized/)
      await assert.rejects(connect(pi.id, 'pbd_wrong'), /Bad username or password/)
    })
  })
}
