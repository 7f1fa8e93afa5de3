// Sensor classifiers end to end: train on a dataset with live progress, held-out metrics, predict, live predictions on a socket.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { seedLayoutCsv, syntheticCsi } from '../src/domains/sensors/synthetic-csi.js'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { csiFrames, newDevice } from './helpers/sensors.js'
import { pollUntil } from './helpers/poll.js'
import { connect, next } from './helpers/sockets.js'

const ANGLES = ['0', '15', '30', '45', '60', '75', '90']

async function importCsv(server: TestApp, token: string, name: string, csv: string): Promise<string> {
  const api = client(server.url)
  const dataset = (await api.post('/v1/sensor-datasets', { name }, token)).body
  const response = await fetch(`${server.url}/v1/sensor-datasets/${dataset.id}/import`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
    body: csv,
  })
  assert.equal(response.status, 201)
  return dataset.id as string
}

for (const target of await databaseTargets()) {
  describe(`sensor classifiers on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client
    let user: Awaited<ReturnType<typeof signUp>>
    let modelId: string

    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url, PULSEBASE_ML_TRAINING_THREADS: '1' })
      await server.app.startWorker()
      api = client(server.url)
      user = await signUp(api)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('a dataset trains a classifier through a queued job with live epochs; the model has honest held-out metrics', async () => {
      const datasetId = await importCsv(server, user.accessToken, 'door', seedLayoutCsv(csiFrames(30, 'separable', 8)))
      const socket = await connect(server.url, user.accessToken)
      try {
        const events: any[] = []
        socket.on('training', (event) => events.push(event))
        const queued = await api.post(`/v1/sensor-datasets/${datasetId}/train`, { maxEpochs: 60 }, user.accessToken)
        assert.equal(queued.status, 202, JSON.stringify(queued.body))
        assert.deepEqual([queued.body.kind, queued.body.state], ['sensor-classifier', 'queued'])
        assert.equal(
          (await api.post(`/v1/sensor-datasets/${datasetId}/train`, {}, user.accessToken)).status,
          409,
          'one sensor classifier training at a time',
        )
        while (!events.some((e) => e.jobId === queued.body.id && ['succeeded', 'failed'].includes(e.state)))
          await next(socket, 'training')
        const mine = events.filter((e) => e.jobId === queued.body.id)
        assert.equal(mine.at(-1).state, 'succeeded', JSON.stringify(mine.at(-1)))
        const epochs = mine.filter((e) => e.epoch !== undefined).map((e) => e.epoch.epoch)
        assert.ok(epochs.length >= 5 && epochs[0] === 1, `epochs pushed live: ${epochs.length}`)
        modelId = mine.at(-1).modelId
      } finally {
        socket.close()
      }
      const job = (
        await api.get(
          `/v1/training-jobs/${(await api.get('/v1/training-jobs', user.accessToken)).body.trainingJobs[0].id}`,
          user.accessToken,
        )
      ).body
      assert.ok(job.durationMs > 0, 'time to train recorded')
      const model = (await api.get(`/v1/sensor-models/${modelId}`, user.accessToken)).body
      assert.equal(model.kind, 'sensor-classifier')
      assert.deepEqual(model.params.heads, ['magnitude', 'phase', 'combined'])
      assert.deepEqual(model.params.labels, ANGLES)
      const m = model.metrics
      assert.ok(m.accuracy >= 0.9, `held-out accuracy ${m.accuracy}`)
      assert.equal(m.heldOutExamples, 42, 'a fifth of each label held out')
      assert.equal(m.trainingExamples, 168)
      assert.ok(Math.abs(m.majorityBaseline - 6 / 42) < 1e-9)
      assert.equal(m.confusionMatrix.length, 7)
      assert.equal(
        m.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0),
        42,
      )
      assert.deepEqual(
        m.perLabel.map((p: { label: string; support: number }) => [p.label, p.support]),
        ANGLES.map((a) => [a, 6]),
      )
      assert.deepEqual(Object.keys(m.heads), ['magnitude', 'phase', 'combined'])
      assert.deepEqual(
        (await api.get('/v1/sensor-models', user.accessToken)).body.models.map((x: { id: string }) => x.id),
        [modelId],
      )
      const stranger = await signUp(api)
      assert.equal((await api.get(`/v1/sensor-models/${modelId}`, stranger.accessToken)).status, 404)
    })

    test('predict classifies frames on the inference thread; a frame of another shape is a 400', async () => {
      const csi = syntheticCsi({ mode: 'separable', seed: 8 })
      const frames = [0, 45, 90, 15].map((angle) => ({ channels: csi.frame(angle, Date.now()) }))
      const reply = await api.post(`/v1/sensor-models/${modelId}/predict`, { frames }, user.accessToken)
      assert.equal(reply.status, 200, JSON.stringify(reply.body))
      assert.deepEqual(reply.body.labels, ANGLES)
      assert.equal(reply.body.predictions.length, 4)
      const right = reply.body.predictions.filter(
        (p: { label: string }, i: number) => p.label === ['0', '45', '90', '15'][i],
      ).length
      assert.ok(right >= 3, `right on ${right} of 4`)
      const first = reply.body.predictions[0]
      assert.ok(
        Math.abs(Object.values(first.probabilities as Record<string, number>).reduce((a, b) => a + b, 0) - 1) < 1e-4,
      )
      assert.deepEqual(Object.keys(first.heads), ['magnitude', 'phase', 'combined'])
      const wrong = await api.post(
        `/v1/sensor-models/${modelId}/predict`,
        { frames: [{ channels: { magnitude: [1, 2], phase: [3, 4] } }] },
        user.accessToken,
      )
      assert.equal(wrong.status, 400)
      assert.match(wrong.body.error.message, /the model takes magnitude\[53\], phase\[53\]/)
    })

    test("a device's frames are classified as they arrive: sensor-prediction on the socket, the latest kept", async () => {
      const pi = await newDevice(api, user.accessToken)
      const set = await api.call('PUT', `/v1/live-classifiers/${pi.id}/csi`, { modelId }, user.accessToken)
      assert.equal(set.status, 200, JSON.stringify(set.body))
      assert.equal(set.body.latest, null)
      const socket = await connect(server.url, user.accessToken)
      try {
        const csi = syntheticCsi({ mode: 'separable', seed: 8 })
        const t = Date.now() - 5000
        const predicted = next(socket, 'sensor-prediction')
        const sent = await api.post(
          '/v1/sensor-frames',
          {
            frames: [30, 30, 30].map((angle, i) => ({
              kind: 'csi',
              timestamp: t + i,
              channels: csi.frame(angle, t + i),
            })),
          },
          pi.apiKey,
        )
        assert.equal(sent.body.stored, 3)
        const event = await predicted
        assert.deepEqual([event.deviceId, event.kind, event.modelId, event.skipped], [pi.id, 'csi', modelId, 0])
        assert.deepEqual(
          event.predictions.map((p: { timestamp: string }) => Date.parse(p.timestamp)),
          [t, t + 1, t + 2],
        )
        assert.ok(
          event.predictions.filter((p: { label: string }) => p.label === '30').length >= 2,
          JSON.stringify(event.predictions.map((p: { label: string }) => p.label)),
        )
      } finally {
        socket.close()
      }
      const kept = await pollUntil(
        () => api.get(`/v1/live-classifiers/${pi.id}/csi`, user.accessToken),
        (r) => r.body.latest !== null,
        'the latest prediction',
      )
      assert.equal(
        Date.parse(kept.body.latest.timestamp),
        Date.parse(new Date(kept.body.latest.timestamp).toISOString()),
      )
      assert.equal(kept.body.latest.skipped, 0)
      assert.equal((await api.get('/v1/live-classifiers', user.accessToken)).body.liveClassifiers.length, 1)
      assert.equal((await api.delete(`/v1/live-classifiers/${pi.id}/csi`, user.accessToken)).status, 204)
      assert.equal((await api.get(`/v1/live-classifiers/${pi.id}/csi`, user.accessToken)).status, 404)
    })

    test('training refuses a dataset that cannot be trained on, and the generic route needs a dataset', async () => {
      const small = await importCsv(server, user.accessToken, 'tiny', 'label,a,b\nopen,1,2\nopen,1,3\nclosed,5,6\n')
      const refused = await api.post(`/v1/sensor-datasets/${small}/train`, {}, user.accessToken)
      assert.equal(refused.status, 400)
      assert.match(refused.body.error.message, /at least 2 labels with 2 frames each/)
      assert.equal((await api.post('/v1/training-jobs', { kind: 'sensor-classifier' }, user.accessToken)).status, 400)
      assert.equal(
        (await api.post(`/v1/sensor-datasets/${small}/train`, { hiddenUnits: 0 }, user.accessToken)).status,
        400,
      )
    })
  })
}
