// The model playground end to end: built-in datasets, a person's own network and classical models
// trained as queued jobs with live progress, results, model download and predictions, the
// per-user limit and cancel, learning progress and client logs; on every database and both queues.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import * as tf from '@tensorflow/tfjs'
import { zipSync } from 'fflate'
import { PNG } from 'pngjs'
import { SMTPServer } from 'smtp-server'
import { client, type Client, signUp, type TestApp } from './helpers/app.js'
import { connect, next } from './helpers/sockets.js'
import { listQueueSetups, startTrainingApp, type TrainingApp } from './helpers/training.js'
import { readLimited } from '../src/domains/playground/uploads.js'

describe('reading an upload under its limit', () => {
  test('refuses with 413 as soon as the stream passes the limit', async () => {
    async function* chunks() {
      yield Buffer.alloc(600)
      yield Buffer.alloc(600)
      throw new Error('read past the limit')
    }
    await assert.rejects(readLimited(chunks(), 1000), (error: any) => error.code === 'payload_too_large')
    async function* small() {
      yield Buffer.from('a,b\n')
      yield Buffer.from('1,2\n')
    }
    assert.equal((await readLimited(small(), 1000)).toString(), 'a,b\n1,2\n')
  })
})

const IRIS_MLP = {
  kind: 'network',
  layers: [
    { type: 'dense', units: 10 },
    { type: 'activation', activation: 'relu' },
    { type: 'dense', units: 3 },
  ],
  loss: 'crossEntropy',
  optimizer: 'adam',
  learningRate: 0.05,
  epochs: 15,
}

const setups = await listQueueSetups()

/** A real SMTP server on a free loopback port that keeps what it receives. */
async function startSmtpServer() {
  const received: { to: string[]; raw: string }[] = []
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData: (stream, session, callback) => {
      const parts: Buffer[] = []
      stream.on('data', (part: Buffer) => parts.push(part))
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(parts).toString('utf8') })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as { port: number }).port
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** Waits for the run's terminal `training` event, collecting every event of it. */
async function finished(socket: Awaited<ReturnType<typeof connect>>, events: any[], jobId: string) {
  while (!events.some((e) => e.jobId === jobId && ['succeeded', 'failed', 'cancelled'].includes(e.state)))
    await next(socket, 'training')
  return events.filter((e) => e.jobId === jobId)
}

async function train(server: TestApp, token: string, body: unknown) {
  const api = client(server.url)
  const socket = await connect(server.url, token)
  try {
    const events: any[] = []
    socket.on('training', (event) => events.push(event))
    const queued = await api.post('/v1/playground/runs', body, token)
    assert.equal(queued.status, 202, JSON.stringify(queued.body))
    const mine = await finished(socket, events, queued.body.id)
    assert.equal(mine.at(-1).state, 'succeeded', JSON.stringify(mine.at(-1)))
    const run = await api.get(`/v1/playground/runs/${queued.body.id}`, token)
    assert.equal(run.status, 200)
    return { run: run.body, events: mine }
  } finally {
    socket.close()
  }
}

for (const setup of setups) {
  describe(`the playground on ${setup.name}`, { skip: setup.skip }, () => {
    let started: TrainingApp | undefined
    let server: TestApp
    let api: Client
    let user: TrainingApp['user']
    let smtp: Awaited<ReturnType<typeof startSmtpServer>>

    before(async () => {
      smtp = await startSmtpServer()
      started = await startTrainingApp(setup, {
        PULSEBASE_PLAYGROUND_MAX_ACTIVE_RUNS: '2',
        PULSEBASE_SMTP_URL: smtp.url,
        PULSEBASE_PLAYGROUND_MAIL_ALLOWLIST: 'Teacher@Example.com',
      })
      ;({ server, api, user } = started)
    })
    after(async () => {
      await started?.close()
      await smtp?.close()
    })

    test('an MLP on IRIS trains with live per-epoch progress; its results, CSV, TF.js download and predictions', async () => {
      const { run, events } = await train(server, user.accessToken, {
        name: 'iris mlp',
        dataset: { builtin: 'IRIS' },
        problemType: 'classification',
        model: IRIS_MLP,
        split: { seed: 3 },
      })
      const epochs = events.filter((e) => e.epoch !== undefined)
      assert.deepEqual(
        epochs.map((e) => e.epoch.epoch),
        Array.from({ length: 15 }, (_, i) => i + 1),
        'one live event per epoch',
      )
      assert.deepEqual(
        epochs.map((e) => Math.round(e.percent)),
        Array.from({ length: 15 }, (_, i) => Math.round(((i + 1) / 15) * 100)),
      )
      assert.ok(epochs.every((e) => e.epoch.accuracy >= 0 && e.epoch.accuracy <= 1 && Number.isFinite(e.epoch.valLoss)))
      assert.equal(run.name, 'iris mlp')
      assert.equal(run.job.kind, 'playground')
      assert.equal(run.job.epochs.length, 15)
      const r = run.results
      assert.ok(r.accuracy >= 0.9, `held-out accuracy ${r.accuracy}`)
      assert.equal(r.testExamples, 30, 'ceil(150 x 0.2) held out')
      assert.equal(r.trainingExamples, 120)
      assert.deepEqual(r.labels, ['0', '1', '2'])
      assert.deepEqual(
        r.confusionMatrix.map((row: number[]) => row.reduce((a, b) => a + b, 0)),
        [10, 10, 10],
        'stratified: ten of each species held out',
      )
      assert.equal(r.roc.length, 3)
      assert.ok(r.roc.every((c: any) => c.auc > 0.9 && c.fpr[0] === 0 && c.tpr.at(-1) === 1))
      assert.equal(r.epochs.length, 15)
      assert.ok(r.trainSeconds > 0)

      const csv = await fetch(`${server.url}/v1/playground/runs/${run.id}/results.csv`, {
        headers: { authorization: `Bearer ${user.accessToken}` },
      })
      assert.equal(csv.status, 200)
      const lines = (await csv.text()).trim().split('\n')
      assert.equal(lines[0], 'epoch,train_time,train_loss,test_loss,train_acc,val/test acc')
      assert.equal(lines.length, 16)

      const modelJson = await api.get(`/v1/playground/models/${run.modelId}/model.json`, user.accessToken)
      assert.equal(modelJson.status, 200)
      assert.deepEqual(modelJson.body.weightsManifest[0].paths, ['weights.bin'])
      const weights = await fetch(`${server.url}/v1/playground/models/${run.modelId}/weights.bin`, {
        headers: { authorization: `Bearer ${user.accessToken}` },
      })
      const weightData = await weights.arrayBuffer()
      await tf.setBackend('cpu')
      const loaded = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: modelJson.body.modelTopology,
          weightSpecs: modelJson.body.weightsManifest[0].weights,
          weightData,
        }),
      )
      const { mean, std } = modelJson.body.userDefinedMetadata
      const setosa = [5.1, 3.5, 1.4, 0.2]
      const x = tf.tensor2d([setosa.map((v, j) => (v - mean[j]) / std[j])])
      const downloaded = Array.from((loaded.predict(x) as tf.Tensor).dataSync())

      const predicted = await api.post(
        `/v1/playground/models/${run.modelId}/predict`,
        { rows: [setosa, [6.7, 3.0, 5.2, 2.3]] },
        user.accessToken,
      )
      assert.equal(predicted.status, 200, JSON.stringify(predicted.body))
      assert.deepEqual(
        predicted.body.predictions.map((p: any) => p.label),
        ['0', '2'],
      )
      const served = predicted.body.predictions[0].probabilities
      const softmax = tf.softmax(tf.tensor1d(downloaded)).arraySync() as number[]
      softmax.forEach((p, i) =>
        assert.ok(Math.abs(p - served[i]) < 1e-4, 'the downloaded model predicts as the server does'),
      )
      assert.equal(
        (await api.post(`/v1/playground/models/${run.modelId}/predict`, { rows: [[1, 2]] }, user.accessToken)).status,
        400,
        'a row of the wrong width',
      )

      const stranger = await signUp(api)
      assert.equal((await api.get(`/v1/playground/runs/${run.id}`, stranger.accessToken)).status, 404)
      assert.equal((await api.get(`/v1/playground/models/${run.modelId}/model.json`, stranger.accessToken)).status, 404)
      assert.equal(
        (await api.post(`/v1/playground/models/${run.modelId}/predict`, { rows: [setosa] }, stranger.accessToken))
          .status,
        404,
      )
    })

    test('classical models: a decision tree classifies, linear regression reports R² and MAE', async () => {
      const tree = await train(server, user.accessToken, {
        dataset: { builtin: 'IRIS' },
        problemType: 'classification',
        model: { kind: 'classical', algorithm: 'decisionTree', options: { maxDepth: 3 } },
      })
      assert.ok(tree.run.results.accuracy >= 0.85, `tree accuracy ${tree.run.results.accuracy}`)
      assert.equal(tree.run.dataSource, 'CLASSICAL_ML')
      const predicted = await api.post(
        `/v1/playground/models/${tree.run.modelId}/predict`,
        { rows: [[5.1, 3.5, 1.4, 0.2]] },
        user.accessToken,
      )
      assert.equal(predicted.body.predictions[0].label, '0')
      const linear = await train(server, user.accessToken, {
        dataset: { builtin: 'DIABETES' },
        problemType: 'regression',
        model: { kind: 'classical', algorithm: 'linearRegression' },
      })
      const r = linear.run.results
      assert.ok(r.r2 > 0.3 && r.r2 < 0.8, `R² ${r.r2}`)
      assert.ok(r.mae > 0 && r.accuracy === null && r.confusionMatrix === null)
    })

    test('a model that does not fit its data is a 400 naming the problem, and nothing is queued', async () => {
      const cases: [unknown, RegExp][] = [
        [
          {
            dataset: { builtin: 'IRIS' },
            problemType: 'classification',
            model: { ...IRIS_MLP, layers: [{ type: 'dense', units: 4 }] },
          },
          /3 classes, so the last layer needs 3 outputs/,
        ],
        [
          { dataset: { builtin: 'IRIS' }, problemType: 'classification', model: { ...IRIS_MLP, batchSize: 64 } },
          /reduce batch size, not enough values in dataframe/,
        ],
        [
          {
            dataset: { builtin: 'IRIS' },
            problemType: 'classification',
            model: { ...IRIS_MLP, layers: [{ type: 'conv2d', filters: 2, kernelSize: 3 }] },
          },
          /image dataset/,
        ],
        [
          { dataset: { builtin: 'CALIFORNIAHOUSING' }, problemType: 'regression', model: IRIS_MLP },
          /not shipped with pulsebase/,
        ],
        [
          {
            dataset: { builtin: 'IRIS' },
            problemType: 'classification',
            model: { ...IRIS_MLP, layers: [{ type: '__import__("os").system("id")', units: 3 }] },
          },
          /Invalid request/,
        ],
        [
          {
            dataset: { builtin: 'IRIS' },
            problemType: 'classification',
            model: { kind: 'classical', algorithm: 'linearRegression' },
          },
          /for classification use logisticRegression/,
        ],
        [
          {
            dataset: { builtin: 'IRIS' },
            problemType: 'classification',
            target: 'petal length (cm)',
            features: ['petal length (cm)'],
            model: IRIS_MLP,
          },
          /cannot also be a feature/,
        ],
      ]
      for (const [body, message] of cases) {
        const reply = await api.post('/v1/playground/runs', body, user.accessToken)
        assert.equal(reply.status, 400, JSON.stringify(body))
        assert.match(reply.body.error.message, message)
      }
      const runs = (await api.get('/v1/playground/runs', user.accessToken)).body.runs
      assert.ok(
        runs.every((r: any) => r.job.state === 'succeeded'),
        'no run was stored for a refused request',
      )
    })

    test(
      'a user may have two runs in flight; a third is a 409; cancel stops a run',
      { skip: !setup.isFull },
      async () => {
        const someone = await signUp(api)
        const long = {
          dataset: { builtin: 'DIGITS' },
          problemType: 'classification',
          model: {
            kind: 'network',
            layers: [
              { type: 'dense', units: 64 },
              { type: 'activation', activation: 'relu' },
              { type: 'dense', units: 10 },
            ],
            loss: 'crossEntropy',
            epochs: 1000,
          },
        }
        const socket = await connect(server.url, someone.accessToken)
        try {
          const events: any[] = []
          socket.on('training', (event) => events.push(event))
          const first = await api.post('/v1/playground/runs', long, someone.accessToken)
          const second = await api.post('/v1/playground/runs', long, someone.accessToken)
          assert.deepEqual([first.status, second.status], [202, 202])
          const third = await api.post('/v1/playground/runs', long, someone.accessToken)
          assert.equal(third.status, 409)
          assert.match(third.body.error.message, /already have 2 playground jobs/)
          for (const run of [first, second])
            assert.equal(
              (await api.post(`/v1/training-jobs/${run.body.id}/cancel`, {}, someone.accessToken)).status,
              200,
            )
          for (const run of [first, second])
            assert.equal((await finished(socket, events, run.body.id)).at(-1).state, 'cancelled')
          assert.equal(
            (
              await api.post(
                '/v1/playground/runs',
                { ...long, model: { ...long.model, epochs: 1 } },
                someone.accessToken,
              )
            ).status,
            202,
            'room again once they ended',
          )
        } finally {
          socket.close()
        }
      },
    )

    test(
      'a run asked to notify mails its results CSV to the account when it ends; other mail only to the account or the allow-list',
      { skip: !setup.isFull },
      async () => {
        const mailer = await signUp(api)
        const { run } = await train(server, mailer.accessToken, {
          name: 'mailed tree',
          notifyByEmail: true,
          dataset: { builtin: 'IRIS' },
          problemType: 'classification',
          model: { kind: 'classical', algorithm: 'decisionTree' },
        })
        assert.equal(run.notifyEmail, mailer.email)
        const deadline = Date.now() + 10_000
        while (!smtp.received.some((m) => m.to.includes(mailer.email)) && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 50))
        const [message, ...more] = smtp.received.filter((m) => m.to.includes(mailer.email))
        assert.ok(message, 'the run-end mail arrived at the SMTP server')
        assert.equal(more.length, 0, 'one mail per run')
        assert.match(message.raw, /Subject: Playground: mailed tree succeeded/)
        assert.match(message.raw, /filename=dl_results\.csv/)
        assert.match(message.raw, /Held-out accuracy/)

        const own = await api.post(
          '/v1/playground/mail',
          { subject: 'my results', text: 'see attached', runId: run.id },
          mailer.accessToken,
        )
        assert.equal(own.status, 200, JSON.stringify(own.body))
        assert.equal(
          (
            await api.post(
              '/v1/playground/mail',
              { to: 'teacher@example.com', subject: 'hi', text: 'hello' },
              mailer.accessToken,
            )
          ).status,
          200,
          'allow-listed',
        )
        const stranger = await api.post(
          '/v1/playground/mail',
          { to: 'someone@elsewhere.example', subject: 'hi', text: 'hello' },
          mailer.accessToken,
        )
        assert.equal(stranger.status, 403)
        const other = await signUp(api)
        assert.equal(
          (await api.post('/v1/playground/mail', { subject: 'x', text: 'y', runId: run.id }, other.accessToken)).status,
          404,
          "another user's run cannot be attached",
        )
        assert.equal(smtp.received.filter((m) => m.to.includes('someone@elsewhere.example')).length, 0)
      },
    )

    test(
      'an uploaded CSV: types detected, a preview, private to its owner, and a model trains on it',
      { skip: !setup.isFull },
      async () => {
        const owner = await signUp(api)
        const rows = Array.from(
          { length: 60 },
          (_, i) =>
            `${i % 2 === 0 ? 1 + (i % 7) * 0.1 : 5 + (i % 5) * 0.1},${i % 3},${i % 2 === 0 ? '"small, round"' : 'large'}`,
        )
        const csv = ['width,count,kind', ...rows].join('\n')
        const upload = (text: string, token = owner.accessToken) =>
          fetch(`${server.url}/v1/playground/uploads?name=shapes`, {
            method: 'POST',
            headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
            body: text,
          })
        const created = await upload(csv)
        assert.equal(created.status, 201)
        const dataset = await created.json()
        assert.deepEqual(dataset.columns, [
          { name: 'width', type: 'number', distinct: 12 },
          { name: 'count', type: 'number', distinct: 3 },
          { name: 'kind', type: 'string', distinct: 2 },
        ])
        assert.equal(dataset.rows, 60)
        assert.deepEqual(dataset.preview[0], { width: 1, count: 0, kind: 'small, round' })
        const ragged = await upload('a,b\n1,2\n3\n')
        assert.equal(ragged.status, 400)
        assert.match((await ragged.json()).error.message, /Line 3 has 1 cells/)
        assert.equal(
          (await api.get('/v1/playground/uploads', owner.accessToken)).body.datasets.length,
          1,
          'the refused file stored nothing',
        )
        const stranger = await signUp(api)
        assert.equal((await api.get(`/v1/playground/uploads/${dataset.id}`, stranger.accessToken)).status, 404)
        assert.equal(
          (
            await api.post(
              '/v1/playground/runs',
              {
                dataset: { id: dataset.id },
                target: 'kind',
                problemType: 'classification',
                model: { kind: 'classical', algorithm: 'decisionTree' },
              },
              stranger.accessToken,
            )
          ).status,
          400,
          "no training on another user's upload",
        )
        const { run } = await train(server, owner.accessToken, {
          dataset: { id: dataset.id },
          target: 'kind',
          problemType: 'classification',
          model: { kind: 'classical', algorithm: 'decisionTree' },
        })
        assert.deepEqual(run.results.labels, ['large', 'small, round'])
        assert.equal(run.results.accuracy, 1)
        assert.equal((await api.delete(`/v1/playground/uploads/${dataset.id}`, owner.accessToken)).status, 204)
        assert.equal((await api.get(`/v1/playground/uploads/${dataset.id}`, owner.accessToken)).status, 404)
      },
    )

    test(
      'an image zip (a folder per class) becomes an image dataset a convolutional network trains on; unsafe zips are refused',
      { skip: !setup.isFull },
      async () => {
        const owner = await signUp(api)
        /** An 8x8 PNG: a bright vertical bar (class "bar") or horizontal bar ("stripe") at position k. */
        const png = (kind: 'bar' | 'stripe', k: number) => {
          const image = new PNG({ width: 8, height: 8 })
          for (let y = 0; y < 8; y += 1)
            for (let x = 0; x < 8; x += 1) {
              const on = kind === 'bar' ? x === k : y === k
              const at = (y * 8 + x) * 4
              image.data[at] = image.data[at + 1] = image.data[at + 2] = on ? 250 : 10
              image.data[at + 3] = 255
            }
          return new Uint8Array(PNG.sync.write(image))
        }
        const files: Record<string, Uint8Array> = {}
        for (let i = 0; i < 40; i += 1) {
          files[`shapes/bar/${i}.png`] = png('bar', i % 8)
          files[`shapes/stripe/${i}.png`] = png('stripe', i % 8)
        }
        const send = (zip: Uint8Array, query = 'name=bars&height=8&width=8') =>
          fetch(`${server.url}/v1/playground/uploads/images?${query}`, {
            method: 'POST',
            headers: { 'content-type': 'application/zip', authorization: `Bearer ${owner.accessToken}` },
            body: Buffer.from(zip),
          })
        const created = await send(zipSync(files))
        assert.equal(created.status, 201, await created.clone().text())
        const dataset = await created.json()
        assert.deepEqual(
          [dataset.rows, dataset.image, dataset.columns.length],
          [80, { height: 8, width: 8, channels: 1 }, 65],
        )
        const conv = {
          kind: 'network',
          layers: [
            { type: 'conv2d', filters: 4, kernelSize: 3 },
            { type: 'activation', activation: 'relu' },
            { type: 'maxPool2d', poolSize: 2 },
            { type: 'flatten' },
            { type: 'dense', units: 2 },
          ],
          loss: 'crossEntropy',
          optimizer: 'adam',
          learningRate: 0.05,
          epochs: 8,
          batchSize: 8,
        }
        const { run } = await train(server, owner.accessToken, {
          dataset: { id: dataset.id },
          target: 'label',
          problemType: 'classification',
          model: conv,
        })
        assert.deepEqual(run.results.labels, ['bar', 'stripe'])
        assert.ok(run.results.accuracy >= 0.8, `conv accuracy ${run.results.accuracy}`)
        for (const [zip, message] of [
          [
            zipSync({ '../escape/bar/1.png': png('bar', 1), 'x/stripe/1.png': png('stripe', 1) }),
            /leaves its folder|not a readable zip|could not be read/,
          ],
          [zipSync({ 'bar/1.png': new Uint8Array([1, 2, 3]), 'stripe/1.png': png('stripe', 1) }), /not a readable PNG/],
          [zipSync({ 'bar/1.png': png('bar', 1) }), /at least two class folders/],
          [new Uint8Array([1, 2, 3, 4]), /not a readable zip/],
        ] as const) {
          const refused = await send(zip)
          assert.equal(refused.status, 400)
          assert.match((await refused.json()).error.message, message)
        }
        assert.equal(
          (await api.get('/v1/playground/uploads', owner.accessToken)).body.datasets.length,
          1,
          'refused zips stored nothing',
        )
      },
    )

    test('built-in datasets list their columns and types, with a preview', { skip: !setup.isFull }, async () => {
      const list = await api.get('/v1/playground/datasets', user.accessToken)
      assert.deepEqual(
        list.body.datasets.map((d: any) => d.name),
        ['IRIS', 'WINE', 'BREAST CANCER', 'DIABETES', 'DIGITS'],
      )
      assert.deepEqual(
        list.body.datasets.map((d: any) => d.rows),
        [150, 178, 569, 442, 1797],
      )
      const iris = await api.get('/v1/playground/datasets/IRIS', user.accessToken)
      assert.deepEqual(iris.body.columns.at(-1), { name: 'target', type: 'number', distinct: 3 })
      assert.deepEqual(iris.body.preview[0], {
        'sepal length (cm)': 5.1,
        'sepal width (cm)': 3.5,
        'petal length (cm)': 1.4,
        'petal width (cm)': 0.2,
        target: 0,
      })
      assert.equal((await api.get('/v1/playground/datasets/NOPE', user.accessToken)).status, 404)
      assert.equal((await api.get('/v1/playground/datasets')).status, 401)
    })

    test(
      'learning progress: 10 points per newly answered question, repeats add nothing',
      { skip: !setup.isFull },
      async () => {
        const learner = await signUp(api)
        assert.deepEqual((await api.get('/v1/playground/progress', learner.accessToken)).body, {
          totalPoints: 0,
          modules: {},
        })
        const answer = (questionId: string, sectionId = 's1') =>
          api.post('/v1/playground/progress', { moduleId: 'm1', sectionId, questionId }, learner.accessToken)
        assert.equal((await answer('q1')).body.isNew, true)
        const repeat = await answer('q1')
        assert.equal(repeat.body.isNew, false)
        assert.equal(repeat.body.progress.totalPoints, 10)
        await answer('q2')
        const last = (await answer('q1', 's2')).body.progress
        assert.deepEqual(last, {
          totalPoints: 30,
          modules: {
            m1: {
              points: 30,
              sections: {
                s1: { points: 20, questions: { q1: 10, q2: 10 } },
                s2: { points: 10, questions: { q1: 10 } },
              },
            },
          },
        })
        assert.equal(
          (
            await api.post(
              '/v1/playground/progress',
              { moduleId: 'm 1', sectionId: 's', questionId: 'q' },
              learner.accessToken,
            )
          ).status,
          400,
        )
      },
    )

    test('client logs are accepted from signed-in users, size- and rate-limited', { skip: !setup.isFull }, async () => {
      const writer = await signUp(api)
      assert.equal((await api.post('/v1/playground/logs', { message: 'page opened' }, writer.accessToken)).status, 204)
      assert.equal(
        (await api.post('/v1/playground/logs', { message: 'x'.repeat(2001) }, writer.accessToken)).status,
        400,
      )
      assert.equal((await api.post('/v1/playground/logs', { message: 'anonymous' })).status, 401)
      const statuses: number[] = []
      for (let i = 0; i < 60; i += 1)
        statuses.push((await api.post('/v1/playground/logs', { message: `line ${i}` }, writer.accessToken)).status)
      assert.equal(statuses.filter((s) => s === 429).length, 1, 'the 61st line of the minute is refused')
    })
  })
}
