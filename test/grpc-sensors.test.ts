// pulsebase.v1.Sensors with a real grpc-js client: a batch with verdicts, and a client stream answered after every commit.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { credentials, loadPackageDefinition, Metadata, type ServiceError } from '@grpc/grpc-js'
import { loadProto } from '../src/platform/grpc/grpc-server.js'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { csiFrames, newDevice } from './helpers/sensors.js'

function sensorsClient(address: string): any {
  const pkg = loadPackageDefinition(loadProto('pulsebase/v1/sensors.proto')) as any
  return new pkg.pulsebase.v1.Sensors(address, credentials.createInsecure())
}

const withKey = (key: string) => {
  const metadata = new Metadata()
  metadata.set('authorization', `Bearer ${key}`)
  return metadata
}

const toMessage = (frame: ReturnType<typeof csiFrames>[number]) => ({
  kind: 'csi',
  timestampMs: frame.timestamp,
  channels: [
    { name: 'magnitude', values: frame.channels.magnitude },
    { name: 'phase', values: frame.channels.phase },
  ],
})

for (const target of await databaseTargets()) {
  describe(`gRPC pulsebase.v1.Sensors on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client
    let grpc: any

    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url })
      api = client(server.url)
      grpc = sensorsClient(server.grpcAddress)
    })
    after(async () => {
      grpc?.close()
      await server?.close()
      await db?.drop()
    })

    test('SubmitFrames answers a verdict per frame after the commit', async () => {
      const user = await signUp(api)
      const pi = await newDevice(api, user.accessToken)
      const frames = csiFrames(1).map(toMessage)
      const bad = { ...frames[0], timestampMs: Date.now() + 3_600_000 }
      const result = await new Promise<any>((resolve, reject) =>
        grpc.SubmitFrames(
          { frames: [...frames, bad] },
          withKey(pi.apiKey),
          (error: ServiceError | null, response: any) => (error ? reject(error) : resolve(response)),
        ),
      )
      assert.equal(result.stored, 7)
      assert.equal(result.rejected, 1)
      assert.deepEqual(
        [result.verdicts[7].stored, result.verdicts[7].reason, result.verdicts[7].timestampMs],
        [false, 'timestamp_in_future', bad.timestampMs],
      )
      const read = await api.get(
        `/v1/sensor-frames?deviceId=${pi.id}&kind=csi&from=${frames[0]!.timestampMs}`,
        user.accessToken,
      )
      assert.equal(read.body.frames.length, 7)
      assert.deepEqual(
        read.body.frames[3].channels.phase,
        frames[3]!.channels[1]!.values,
        'float32 on the wire, the same values back',
      )

      const refused = await new Promise<ServiceError>((resolve) =>
        grpc.SubmitFrames({ frames }, withKey(user.accessToken), (error: ServiceError) => resolve(error)),
      )
      assert.equal(refused.code, 7, 'PERMISSION_DENIED: frames come from a device')
    })

    test('StreamFrames commits every batch and answers once with the totals and the rejections', async () => {
      const user = await signUp(api)
      const pi = await newDevice(api, user.accessToken)
      const frames = csiFrames(30).map(toMessage)
      const summary = await new Promise<any>((resolve, reject) => {
        const call = grpc.StreamFrames(withKey(pi.apiKey), (error: ServiceError | null, response: any) =>
          error ? reject(error) : resolve(response),
        )
        for (let i = 0; i < frames.length; i += 20) call.write({ frames: frames.slice(i, i + 20) })
        call.write({ frames: frames.slice(0, 5) }) // a retry of the first five
        call.write({
          frames: [
            {
              ...frames[0],
              kind: 'csi',
              timestampMs: frames[0]!.timestampMs + 1,
              channels: [
                { name: 'magnitude', values: [1] },
                { name: 'magnitude', values: [2] },
              ],
            },
          ],
        })
        call.end()
      })
      assert.deepEqual([Number(summary.stored), Number(summary.alreadyStored), Number(summary.rejected)], [215, 5, 1])
      assert.equal(summary.rejections[0].reason, 'channels_invalid')
      const count = await server.app.database.db
        .selectFrom('sensor_frames')
        .innerJoin('sensor_streams', 'sensor_streams.id', 'sensor_frames.stream_id')
        .where('sensor_streams.device_id', '=', pi.id)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      assert.equal(Number(count.n), 210, 'stored once each, all committed before the answer')
    })
  })
}
