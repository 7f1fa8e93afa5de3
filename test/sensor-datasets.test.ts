// Labelled datasets: live recordings, CSV imports (the seed's layout and a generic one), quality reports.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { seedLayoutCsv, syntheticCsi } from '../src/domains/sensors/synthetic-csi.js'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { csiFrames, newDevice } from './helpers/sensors.js'

async function postCsv(server: TestApp, path: string, csv: string, token: string) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
    body: csv,
  })
  return { status: response.status, body: await response.json() }
}

for (const target of await databaseTargets()) {
  describe(`sensor datasets on ${target.kind}`, { skip: target.skip }, () => {
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

    test('a live recording labels the frames that arrive while it runs, and only those', async () => {
      const user = await signUp(api)
      const pi = await newDevice(api, user.accessToken)
      const dataset = (await api.post('/v1/sensor-datasets', { name: 'hall door' }, user.accessToken)).body
      assert.deepEqual([dataset.layout, dataset.frameCount, dataset.labels], [null, 0, []])
      const csi = syntheticCsi({ mode: 'separable', seed: 5 })
      let t = Date.now() - 30_000
      const send = (angle: number, count: number) =>
        api.post(
          '/v1/sensor-frames',
          {
            frames: Array.from({ length: count }, () => ({
              kind: 'csi',
              timestamp: (t += 5),
              channels: csi.frame(angle, t),
            })),
          },
          pi.apiKey,
        )

      await send(0, 4) // before any recording: not in the dataset
      for (const [angle, count] of [
        [0, 12],
        [90, 9],
      ] as const) {
        const started = await api.post(
          `/v1/sensor-datasets/${dataset.id}/recordings`,
          { deviceId: pi.id, kind: 'csi', label: String(angle) },
          user.accessToken,
        )
        assert.equal(started.status, 201, JSON.stringify(started.body))
        const twice = await api.post(
          `/v1/sensor-datasets/${dataset.id}/recordings`,
          { deviceId: pi.id, kind: 'csi', label: 'x' },
          user.accessToken,
        )
        assert.equal(twice.status, 409)
        await send(angle, count)
        const retry = await api.post(
          '/v1/sensor-frames',
          { frames: [{ kind: 'csi', timestamp: t, channels: csi.frame(angle, t) }] },
          pi.apiKey,
        )
        assert.equal(retry.body.verdicts[0].alreadyStored, true, 'a retried frame is not added twice')
        const stopped = await api.post(
          `/v1/sensor-datasets/${dataset.id}/recordings/${started.body.id}/stop`,
          undefined,
          user.accessToken,
        )
        assert.deepEqual(
          [stopped.status, stopped.body.frameCount, stopped.body.stoppedAt === null],
          [200, count, false],
        )
        assert.equal(
          (
            await api.post(
              `/v1/sensor-datasets/${dataset.id}/recordings/${started.body.id}/stop`,
              undefined,
              user.accessToken,
            )
          ).status,
          409,
        )
      }
      await send(90, 3) // after the stop: not in the dataset
      const read = (await api.get(`/v1/sensor-datasets/${dataset.id}`, user.accessToken)).body
      assert.deepEqual(read.labels, [
        { label: '0', count: 12 },
        { label: '90', count: 9 },
      ])
      assert.deepEqual(read.layout, [
        { name: 'magnitude', length: 53 },
        { name: 'phase', length: 53 },
      ])
      assert.deepEqual(
        read.recordings.map((r: { label: string; frameCount: number }) => [r.label, r.frameCount]),
        [
          ['0', 12],
          ['90', 9],
        ],
      )

      const stranger = await signUp(api)
      assert.equal((await api.get(`/v1/sensor-datasets/${dataset.id}`, stranger.accessToken)).status, 404)
      assert.equal(
        (
          await api.post(
            `/v1/sensor-datasets/${dataset.id}/recordings`,
            { deviceId: pi.id, kind: 'csi', label: '0' },
            stranger.accessToken,
          )
        ).status,
        404,
      )
      const strangerSet = (await api.post('/v1/sensor-datasets', { name: 'mine' }, stranger.accessToken)).body
      assert.equal(
        (
          await api.post(
            `/v1/sensor-datasets/${strangerSet.id}/recordings`,
            { deviceId: pi.id, kind: 'csi', label: '0' },
            stranger.accessToken,
          )
        ).status,
        404,
        "another user's device",
      )
    })

    test("the seed's CSV imports whole; the quality report says the labels are separable", async () => {
      const user = await signUp(api)
      const dataset = (await api.post('/v1/sensor-datasets', { name: 'seed file' }, user.accessToken)).body
      const csv = seedLayoutCsv(csiFrames(30, 'separable', 2))
      assert.match(csv, /^Label,CH6_mag,CH7_mag,.*,CH58_mag,CH6_phase,.*,CH58_phase\n/)
      const imported = await postCsv(server, `/v1/sensor-datasets/${dataset.id}/import`, csv, user.accessToken)
      assert.equal(imported.status, 201, JSON.stringify(imported.body))
      assert.equal(imported.body.imported, 210)
      assert.deepEqual(imported.body.layout, [
        { name: 'magnitude', length: 53 },
        { name: 'phase', length: 53 },
      ])
      const report = await api.get(`/v1/sensor-datasets/${dataset.id}/quality`, user.accessToken)
      assert.equal(report.status, 200, JSON.stringify(report.body).slice(0, 300))
      assert.equal(report.body.verdict, 'separable')
      assert.match(report.body.summary, /^Labels are separable/)
      assert.equal(report.body.frames, 210)
      assert.deepEqual(
        report.body.labels.map((l: { label: string }) => l.label),
        ['0', '15', '30', '45', '60', '75', '90'],
      )
      assert.ok(report.body.baseline.accuracy > 0.9)
      assert.equal(report.body.channels[0].name, 'magnitude_0')
      assert.equal(report.body.channels[53].name, 'phase_0')

      const generic = await postCsv(
        server,
        `/v1/sensor-datasets/${dataset.id}/import?format=generic`,
        'label,a,b\nopen,1,2\n',
        user.accessToken,
      )
      assert.equal(generic.status, 409, 'a different layout than the dataset holds')
    })

    test('an inseparable recording is flagged; a generic CSV imports; a bad CSV is refused whole', async () => {
      const user = await signUp(api)
      const flat = (await api.post('/v1/sensor-datasets', { name: 'noise' }, user.accessToken)).body
      await postCsv(
        server,
        `/v1/sensor-datasets/${flat.id}/import`,
        seedLayoutCsv(csiFrames(30, 'inseparable', 4)),
        user.accessToken,
      )
      const report = (await api.get(`/v1/sensor-datasets/${flat.id}/quality`, user.accessToken)).body
      assert.equal(report.verdict, 'indistinguishable from chance', `accuracy ${report.baseline.accuracy}`)
      assert.match(report.summary, /^Labels are indistinguishable from chance/)

      const generic = (await api.post('/v1/sensor-datasets', { name: 'imu' }, user.accessToken)).body
      const rows = ['label,ax,ay,az', 'still,0.1,0.0,9.8', 'still,0.0,0.1,9.7', 'moving,2.5,1.0,8.0']
      const ok = await postCsv(
        server,
        `/v1/sensor-datasets/${generic.id}/import`,
        `${rows.join('\r\n')}\r\n`,
        user.accessToken,
      )
      assert.equal(ok.status, 201, JSON.stringify(ok.body))
      assert.deepEqual(ok.body.layout, [{ name: 'values', length: 3 }])
      assert.deepEqual(ok.body.labels, [
        { label: 'moving', count: 1 },
        { label: 'still', count: 2 },
      ])

      const bad = await postCsv(
        server,
        `/v1/sensor-datasets/${generic.id}/import`,
        'label,ax,ay,az\nstill,1,2,3\nstill,1,x,3\nstill,1,2\n',
        user.accessToken,
      )
      assert.equal(bad.status, 400)
      assert.deepEqual(
        bad.body.error.details.map((d: { path: string }) => d.path),
        ['line 3', 'line 4'],
      )
      assert.match(bad.body.error.details[0].message, /ay is not a number/)
      assert.equal(
        (await api.get(`/v1/sensor-datasets/${generic.id}`, user.accessToken)).body.frameCount,
        3,
        'nothing of the bad file was imported',
      )
      const headerless = await postCsv(
        server,
        `/v1/sensor-datasets/${generic.id}/import`,
        'a,b\n1,2\n',
        user.accessToken,
      )
      assert.equal(headerless.status, 400)
      assert.equal((await api.delete(`/v1/sensor-datasets/${generic.id}`, user.accessToken)).status, 204)
      assert.equal((await api.get(`/v1/sensor-datasets/${generic.id}`, user.accessToken)).status, 404)
    })
  })
}
