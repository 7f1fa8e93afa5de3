// Scale-out without a shared disk: a worker process on another "machine" (its own data dir) trains
// a model on PostgreSQL with PULSEBASE_BLOB_STORE=database, and the API process (another data dir)
// loads it to predict.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { seedLayoutCsv } from '../src/domains/sensors/synthetic-csi.js'
import { client, signUp, startTestApp, TEST_JWT_SECRET, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { csiFrames } from './helpers/sensors.js'

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, tries = 600): Promise<T> {
  for (let i = 0; i < tries; i += 1) {
    const value = await read()
    if (done(value)) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const BIN = join(import.meta.dirname, '..', 'bin', 'pulsebase.js')
const postgres = (await databaseTargets()).find((t) => t.kind === 'postgres') as NonNullable<
  Awaited<ReturnType<typeof databaseTargets>>[number]
>

/** Every file below `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
}

describe(
  'a model trained by a worker process with its own data dir is loaded by the API process (PostgreSQL, blobs in the database)',
  { skip: postgres.skip },
  () => {
    let db: TestDatabase
    let server: TestApp
    let worker: ChildProcess
    let workerOutput = ''
    const workerDir = mkdtempSync(join(tmpdir(), 'pulsebase-worker-'))
    before(async () => {
      db = await postgres.create()
      const env = {
        PULSEBASE_DATABASE_URL: db.url,
        PULSEBASE_BLOB_STORE: 'database',
        PULSEBASE_JWT_SECRET: TEST_JWT_SECRET,
        PULSEBASE_ML_TRAINING_THREADS: '1',
      }
      server = await startTestApp(env) // the API process: it runs no jobs itself
      worker = spawn(process.execPath, [BIN, 'worker'], {
        env: { PATH: process.env.PATH, ...env, PULSEBASE_DATA_DIR: workerDir, PULSEBASE_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      worker.stdout?.on('data', (d) => (workerOutput += d))
      worker.stderr?.on('data', (d) => (workerOutput += d))
    })
    after(async () => {
      worker?.kill('SIGKILL')
      await server?.close()
      await db?.drop()
      rmSync(workerDir, { recursive: true, force: true })
    })

    test('train on the worker, predict on the API; neither data dir holds the model', async () => {
      const api = client(server.url)
      const user = await signUp(api)
      const dataset = (await api.post('/v1/sensor-datasets', { name: 'door' }, user.accessToken)).body
      const frames = csiFrames(20, 'separable', 3)
      const imported = await fetch(`${server.url}/v1/sensor-datasets/${dataset.id}/import`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', authorization: `Bearer ${user.accessToken}` },
        body: seedLayoutCsv(frames),
      })
      assert.equal(imported.status, 201)
      const queued = await api.post(`/v1/sensor-datasets/${dataset.id}/train`, { maxEpochs: 15 }, user.accessToken)
      assert.equal(queued.status, 202, JSON.stringify(queued.body))
      const job = await until(
        () => api.get(`/v1/training-jobs/${queued.body.id}`, user.accessToken),
        (r) => ['succeeded', 'failed'].includes(r.body.state),
        `the worker to train (worker output: ${workerOutput})`,
        2400,
      )
      assert.equal(job.body.state, 'succeeded', JSON.stringify(job.body))

      const probe = frames.filter((_, i) => i % 20 === 0).map((f) => ({ channels: f.channels }))
      const predicted = await api.post(
        `/v1/sensor-models/${job.body.modelId}/predict`,
        { frames: probe },
        user.accessToken,
      )
      assert.equal(predicted.status, 200, JSON.stringify(predicted.body))
      assert.equal(predicted.body.predictions.length, probe.length)

      assert.deepEqual(
        filesUnder(server.dataDir).filter((f) => f.includes(job.body.modelId)),
        [],
        'nothing of the model in the API data dir',
      )
      assert.deepEqual(
        filesUnder(workerDir).filter((f) => f.includes(job.body.modelId) || f.startsWith('blobs')),
        [],
        'nothing of the model in the worker data dir',
      )
      const stored = await server.app.blobs.list(`models/${job.body.modelId}/`)
      assert.deepEqual(
        stored.map((b) => b.key.split('/').at(-1)),
        ['classifier.json', 'weights.bin'],
      )
    })
    test('playground models (a network and a classical model) trained on the worker are predicted with and downloaded from the API', async () => {
      const api = client(server.url)
      const user = await signUp(api)
      const network = {
        kind: 'network',
        layers: [
          { type: 'dense', units: 8 },
          { type: 'activation', activation: 'relu' },
          { type: 'dense', units: 3 },
        ],
        loss: 'crossEntropy',
        optimizer: 'adam',
        learningRate: 0.05,
        epochs: 5,
      }
      const models: Record<string, string> = {}
      for (const [name, model] of [
        ['network', network],
        ['classical', { kind: 'classical', algorithm: 'decisionTree', options: { maxDepth: 3 } }],
      ] as const) {
        const queued = await api.post(
          '/v1/playground/runs',
          { dataset: { builtin: 'IRIS' }, problemType: 'classification', model },
          user.accessToken,
        )
        assert.equal(queued.status, 202, JSON.stringify(queued.body))
        const run = await until(
          () => api.get(`/v1/playground/runs/${queued.body.id}`, user.accessToken),
          (r) => ['succeeded', 'failed'].includes(r.body.job?.state),
          `the worker to train the ${name} model (worker output: ${workerOutput})`,
          2400,
        )
        assert.equal(run.body.job.state, 'succeeded', JSON.stringify(run.body))
        models[name] = run.body.modelId as string
        const predicted = await api.post(
          `/v1/playground/models/${run.body.modelId}/predict`,
          { rows: [[5.1, 3.5, 1.4, 0.2]] },
          user.accessToken,
        )
        assert.equal(predicted.status, 200, JSON.stringify(predicted.body))
        assert.equal(predicted.body.predictions.length, 1)
      }
      const modelJson = await api.get(`/v1/playground/models/${models.network}/model.json`, user.accessToken)
      assert.equal(modelJson.status, 200, JSON.stringify(modelJson.body))
      assert.deepEqual(modelJson.body.weightsManifest[0].paths, ['weights.bin'])
      const weights = await fetch(`${server.url}/v1/playground/models/${models.network}/weights.bin`, {
        headers: { authorization: `Bearer ${user.accessToken}` },
      })
      assert.equal(weights.status, 200)
      assert.equal(
        (await weights.arrayBuffer()).byteLength,
        (await server.app.blobs.list(`models/${models.network}/weights.bin`))[0]?.size,
      )
      const tree = await api.get(`/v1/playground/models/${models.classical}/classical.json`, user.accessToken)
      assert.equal(tree.status, 200, JSON.stringify(tree.body))
      assert.equal(tree.body.algorithm, 'decisionTree')

      assert.deepEqual(
        (await server.app.blobs.list(`models/${models.network}/`)).map((b) => b.key.split('/').at(-1)),
        ['model.json', 'weights.bin'],
      )
      assert.deepEqual(
        (await server.app.blobs.list(`models/${models.classical}/`)).map((b) => b.key.split('/').at(-1)),
        ['classical.json'],
      )
      for (const id of Object.values(models)) {
        assert.deepEqual(
          filesUnder(server.dataDir).filter((f) => f.includes(id)),
          [],
          'nothing of the model in the API data dir',
        )
        assert.deepEqual(
          filesUnder(workerDir).filter((f) => f.includes(id) || f.startsWith('blobs')),
          [],
          'nothing of the model in the worker data dir',
        )
      }
    })
  },
)
