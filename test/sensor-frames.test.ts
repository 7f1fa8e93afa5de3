// Sensor frames over REST: per-frame verdicts after commit, idempotence, float32 storage, reads, CSV, retention.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { publishJob } from '../src/jobs.js'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { csiFrames, newDevice, toWire } from './helpers/sensors.js'
import { pollUntil } from './helpers/poll.js'
import { connect } from './helpers/sockets.js'

const DAY = 86_400_000

for (const target of await databaseTargets()) {
  describe(`sensor frames over REST on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client

    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url, PULSEBASE_SENSOR_RETENTION_DAYS: '2' })
      api = client(server.url)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('a batch is stored with a verdict per frame; bad frames are rejected with a reason and the rest stored', async () => {
      const user = await signUp(api)
      const pi = await newDevice(api, user.accessToken)
      const good = csiFrames(3).map((f) => toWire(f))
      const first = good[0]!
      const bad = [
        { ...first, timestamp: Date.now() + 3_600_000 },
        { ...first, timestamp: first.timestamp + 1, channels: { magnitude: [1, null, 3], phase: [1, 2, 3] } },
        { ...first, timestamp: first.timestamp + 2, channels: { magnitude: [1, 2], phase: [1, 2, 3] } },
        { ...first, timestamp: first.timestamp + 3, channels: { magnitude: first.channels.magnitude } },
        { ...first, timestamp: first.timestamp + 4, extra: true },
        { ...first, kind: 'CSI!' },
        { ...first, timestamp: 1_000_000 },
        first,
        'not a frame',
      ]
      const reply = await api.post('/v1/sensor-frames', { frames: [...good, ...bad] }, pi.apiKey)
      assert.equal(reply.status, 200, JSON.stringify(reply.body))
      assert.equal(reply.body.stored, good.length)
      assert.equal(reply.body.rejected, bad.length)
      assert.deepEqual(
        reply.body.verdicts.slice(0, good.length),
        good.map(() => ({ status: 'stored' })),
      )
      assert.deepEqual(
        reply.body.verdicts.slice(good.length).map((v: { reason: string }) => v.reason),
        [
          'timestamp_in_future',
          'value_not_a_number',
          'channels_invalid',
          'channels_invalid',
          'frame_invalid',
          'kind_invalid',
          'timestamp_before_2000',
          'duplicate_in_batch',
          'frame_invalid',
        ],
      )
      assert.match(reply.body.verdicts[good.length + 1].message, /magnitude\[1\] is not a finite number/)

      const again = await api.post('/v1/sensor-frames', { frames: good.slice(0, 2) }, pi.apiKey)
      assert.deepEqual(again.body.verdicts, [
        { status: 'stored', alreadyStored: true },
        { status: 'stored', alreadyStored: true },
      ])

      const otherLength = {
        kind: 'csi',
        timestamp: Date.now() - 1000,
        channels: { magnitude: [1, 2, 3], phase: [4, 5, 6] },
      }
      const mismatch = await api.post('/v1/sensor-frames', { frames: [otherLength] }, pi.apiKey)
      assert.equal(mismatch.body.verdicts[0].reason, 'layout_mismatch')
      assert.match(
        mismatch.body.verdicts[0].message,
        /magnitude\[53\], phase\[53\]; the frame has magnitude\[3\], phase\[3\]/,
      )

      const rows = await server.app.database.db.selectFrom('sensor_frames').selectAll().execute()
      assert.equal(rows.length, good.length, 'nothing invalid was stored, nothing twice')
      assert.ok(
        rows.every((row) => row.data.length === 106 * 4),
        'each frame is 106 float32 values',
      )
    })

    test('frames read back by range (paged) and as CSV, with the values sent (float32)', async () => {
      const user = await signUp(api)
      const pi = await newDevice(api, user.accessToken)
      const sent = csiFrames(2).map((f) => toWire(f))
      await api.post('/v1/sensor-frames', { frames: sent }, pi.apiKey)
      const range = `deviceId=${pi.id}&kind=csi&from=${sent[0]!.timestamp}&to=${sent.at(-1)!.timestamp + 1}`
      const page1 = await api.get(`/v1/sensor-frames?${range}&limit=10`, user.accessToken)
      assert.equal(page1.status, 200, JSON.stringify(page1.body))
      assert.deepEqual(page1.body.layout, [
        { name: 'magnitude', length: 53 },
        { name: 'phase', length: 53 },
      ])
      assert.equal(page1.body.frames.length, 10)
      const page2 = await api.get(`/v1/sensor-frames?${range}&limit=10&after=${page1.body.nextAfter}`, user.accessToken)
      assert.equal(page2.body.frames.length, 4)
      assert.equal(page2.body.nextAfter, null)
      const read = [...page1.body.frames, ...page2.body.frames]
      assert.deepEqual(
        read.map((f) => Date.parse(f.timestamp)),
        sent.map((f) => f.timestamp),
      )
      assert.deepEqual(read[5].channels, sent[5]!.channels, 'the 3-decimal values read back exactly')

      const csv = await api.get(`/v1/sensor-frames/export.csv?${range}`, user.accessToken)
      assert.equal(csv.status, 200)
      const lines = (csv.body as string).trim().split('\n')
      assert.equal(
        lines[0],
        [
          'timestamp',
          ...Array.from({ length: 53 }, (_, i) => `magnitude_${i}`),
          ...Array.from({ length: 53 }, (_, i) => `phase_${i}`),
        ].join(','),
      )
      assert.equal(lines.length, 15)
      assert.equal(
        lines[3],
        [new Date(sent[2]!.timestamp).toISOString(), ...sent[2]!.channels.magnitude, ...sent[2]!.channels.phase].join(
          ',',
        ),
      )

      assert.equal(
        (await api.get(`/v1/sensor-frames?${range}`, pi.apiKey)).status,
        200,
        'a device reads its own frames',
      )
      const other = await signUp(api)
      assert.equal((await api.get(`/v1/sensor-frames?${range}`, other.accessToken)).status, 404)
      assert.equal((await api.get(`/v1/sensor-frames/export.csv?${range}`, other.accessToken)).status, 404)
      assert.deepEqual(
        (await api.get('/v1/sensor-streams', user.accessToken)).body.streams.map((s: { kind: string }) => s.kind),
        ['csi'],
      )
    })

    test("the owner's sockets get a stream's newest frame live (sensor-frames), once per second with the count since the last", async () => {
      const user = await signUp(api)
      const pi = await newDevice(api, user.accessToken)
      const socket = await connect(server.url, user.accessToken)
      try {
        const t = Date.now() - 10_000
        const frames = [0, 1, 2, 3, 4].map((i) => ({
          kind: 'imu',
          timestamp: t + i * 10,
          channels: { accel: [i, i + 0.5, -i], gyro: [i * 2] },
        }))
        const events: { timestamp: string; frames: number }[] = []
        socket.on('sensor-frames', (event) => events.push(event))
        assert.equal(
          (await api.post('/v1/sensor-frames', { frames: [frames[3], frames[4], frames[0]] }, pi.apiKey)).body.stored,
          3,
        )
        // A retried frame (frames[0]) is not new, so it is not counted again.
        assert.equal(
          (await api.post('/v1/sensor-frames', { frames: [frames[1], frames[2], frames[0]] }, pi.apiKey)).body.stored,
          3,
        )
        await pollUntil(
          async () => events.reduce((sum, e) => sum + e.frames, 0),
          (total) => total >= 5,
          'five frames announced',
        )
        assert.equal(
          events.reduce((sum, e) => sum + e.frames, 0),
          5,
        )
        // Coalesced per second: the first event already carries the newest frame of the first request.
        assert.deepEqual(events[0], {
          deviceId: pi.id,
          kind: 'imu',
          layout: [
            { name: 'accel', length: 3 },
            { name: 'gyro', length: 1 },
          ],
          timestamp: new Date(t + 40).toISOString(),
          channels: { accel: [4, 4.5, -4], gyro: [8] },
          frames: events.length === 1 ? 5 : 3,
        })
      } finally {
        socket.close()
      }
    })

    test('frames come from a device key; people and strangers are refused', async () => {
      const user = await signUp(api)
      const frame = toWire(csiFrames(1)[0]!)
      assert.equal((await api.post('/v1/sensor-frames', { frames: [frame] }, user.accessToken)).status, 403)
      assert.equal((await api.post('/v1/sensor-frames', { frames: [frame] })).status, 401)
      const pi = await newDevice(api, user.accessToken)
      assert.equal((await api.post('/v1/sensor-frames', { frames: [] }, pi.apiKey)).status, 400)
      assert.equal((await api.post('/v1/sensor-frames', { frames: [frame], more: 1 }, pi.apiKey)).status, 400)
    })

    test('the hourly cleanup job deletes frames past the retention setting', async () => {
      const user = await signUp(api)
      const pi = await newDevice(api, user.accessToken)
      const [a, b] = csiFrames(1).map((f) => toWire(f))
      const old = { ...a!, timestamp: Date.now() - 3 * DAY }
      await api.post('/v1/sensor-frames', { frames: [old, b] }, pi.apiKey)
      await server.app.startWorker()
      await publishJob(server.app.queue, 'maintenance.cleanup', {})
      const range = `deviceId=${pi.id}&kind=csi&from=${Date.now() - 5 * DAY}`
      const left = await pollUntil(
        () => api.get(`/v1/sensor-frames?${range}`, user.accessToken),
        (r) => r.body.frames.length === 1,
        'retention',
      )
      assert.equal(Date.parse(left.body.frames[0].timestamp), b!.timestamp)
    })
  })
}
