// The Deep Learning Playground's REST and 2022 Socket.IO clients against PULSEBASE_COMPAT=dlp, as a
// suite per queue setup (training envelopes, the strict user_arch parser, queued executions, default
// datasets, progress points and mail rules), run by test/compat-dlp.test.ts (SQLite) and
// test/compat-dlp-servers.test.ts (PostgreSQL, MariaDB, RabbitMQ), with the fixtures both use.
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { unzipSync, zipSync } from 'fflate'
import { pino } from 'pino'
import { PNG } from 'pngjs'
import { io, type Socket } from 'socket.io-client'
import { type Client, signUp, type TestApp } from './app.js'
import { next } from './sockets.js'
import { type QueueSetup, startTrainingApp, type TrainingApp } from './training.js'

export const IRIS_RUN = {
  user_arch: ['nn.Linear(4, 10)', 'nn.ReLU()', 'nn.Linear(10, 3)', 'nn.Softmax(-1)'],
  criterion: 'CELOSS',
  optimizer_name: 'Adam',
  problem_type: 'classification',
  using_default_dataset: 'IRIS',
  epochs: 10,
  batch_size: 20,
  test_size: 0.2,
  shuffle: true,
  custom_model_name: 'iris from the seed client',
  execution_id: 'ex123',
  user: { uid: 'someone-else', email: 'x@example.com' },
}

export const DIGITS_CONV = {
  user_arch: ['nn.Conv2d(1, 4, 3)', 'nn.ReLU()', 'nn.MaxPool2d(2)', 'nn.Flatten()', 'nn.Linear(36, 10)'],
  criterion: 'CELOSS',
  optimizer_name: 'Adam',
  using_default_dataset: 'DIGITS',
  epochs: 4,
  batch_size: 32,
  shuffle: true,
  train_transform: ['transforms.ToTensor()', 'transforms.Grayscale()'],
  test_transform: ['transforms.Resize((8, 8))'],
  custom_model_name: 'digits conv',
}

/** The May-2023 nextjs client's tabular-run body (CONTRACTS §5A), with the client's default IRIS layers. */
export const TRAINSPACE_FORM = {
  user: { uid: 'someone-else', email: 'x@example.com', displayName: 'X' },
  name: 'iris trainspace',
  dataset_data: { name: 'IRIS', is_default_dataset: true },
  parameters_data: {
    target_col: 'target',
    features: ['sepal length (cm)', 'petal width (cm)'],
    problem_type: 'CLASSIFICATION',
    criterion: 'CELOSS',
    optimizer_name: 'SGD',
    shuffle: true,
    epochs: 5,
    test_size: 0.2,
    batch_size: 20,
    layers: [
      { value: 'LINEAR', parameters: [4, 10] },
      { value: 'RELU', parameters: [] },
      { value: 'LINEAR', parameters: [10, 3] },
      { value: 'SOFTMAX', parameters: [-1] },
    ],
  },
  review_data: { notification_email: null, notification_phone_number: null },
}

/** A zip of two classes of 8x8 PNGs, one folder each: vertical bars and horizontal stripes. */
export function shapesZip(): Uint8Array {
  const png = (isBar: boolean, k: number) => {
    const image = new PNG({ width: 8, height: 8 })
    for (let y = 0; y < 8; y += 1)
      for (let x = 0; x < 8; x += 1) {
        const at = (y * 8 + x) * 4
        image.data[at] = image.data[at + 1] = image.data[at + 2] = (isBar ? x === k : y === k) ? 250 : 10
        image.data[at + 3] = 255
      }
    return new Uint8Array(PNG.sync.write(image))
  }
  const files: Record<string, Uint8Array> = {}
  for (let i = 0; i < 30; i += 1) {
    files[`bar/${i}.png`] = png(true, i % 8)
    files[`stripe/${i}.png`] = png(false, i % 8)
  }
  return zipSync(files)
}

/** A socket on the default namespace `/`, as the 2022 client opened it (`io()`), with a pulsebase token. */
export async function connectRoot(url: string, token?: string): Promise<Socket> {
  const socket = io(url, {
    ...(token !== undefined && { auth: { token } }),
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  return socket
}

/** Emits a training event the seed's way (payload, socket id) and collects its progress until the result. */
export async function trainOverSocket(socket: Socket, event: string, payload: unknown) {
  const progress: number[] = []
  const onProgress = (percent: number) => progress.push(percent)
  socket.on('trainingProgress', onProgress)
  const result = new Promise<any>((resolve) => socket.once('trainingResult', resolve))
  socket.emit(event, payload, socket.id)
  try {
    return { progress, result: await result }
  } finally {
    socket.off('trainingProgress', onProgress)
  }
}

/** Log lines the app writes, parsed, for the tests that look for one. */
export function capturedLogger() {
  const lines: any[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line))
      done()
    },
  })
  return { logger: pino({ level: 'info' }, stream), lines }
}

/**
 * The DLP adapter's REST and 2022 Socket.IO suite on one queue setup (a database with its queue):
 * every test on the database-queue setups, the queue-involving ones again on RabbitMQ (`isFull`).
 */
export function describeDlpAdapter(setup: QueueSetup): void {
  const full = { skip: !setup.isFull }
  describe(`the DLP adapter on ${setup.name}`, { skip: setup.skip }, () => {
    let started: TrainingApp | undefined
    let server: TestApp
    let api: Client
    let user: TrainingApp['user']
    const logs = capturedLogger()
    const post = (path: string, body: unknown, token = user.accessToken) => api.post(path, body, token)

    before(async () => {
      started = await startTrainingApp(setup, { PULSEBASE_COMPAT: 'dlp' }, { logger: logs.logger })
      ;({ server, api, user } = started)
    })
    after(async () => {
      await started?.close()
    })

    test('the test routes answer without credentials; every other route needs a pulsebase token', full, async () => {
      for (const path of ['/test', '/api/test/'])
        assert.deepEqual((await api.get(path)).body, { Status: 'Backend is alive' })
      const refused = await api.post('/api/getExecutionsData', {})
      assert.equal(refused.status, 401)
      assert.deepEqual(refused.body, { success: false, message: 'User is not authenticated' })
      assert.match(refused.headers.get('content-type') ?? '', /application\/json/)
    })

    test('tabular-run trains the seed’s layer strings and answers the training envelope; the user is the token’s', async () => {
      const reply = await post('/api/train/tabular-run', IRIS_RUN)
      assert.equal(reply.status, 200, JSON.stringify(reply.body))
      assert.equal(reply.body.success, true)
      assert.equal(reply.body.message, 'Dataset trained and results outputted successfully')
      assert.equal(reply.body.dl_results.length, 10)
      assert.deepEqual(Object.keys(reply.body.dl_results[0]), [
        'epoch',
        'train_time',
        'train_loss',
        'test_loss',
        'train_acc',
        'val/test acc',
      ])
      assert.ok(
        reply.body.dl_results.every((row: Record<string, unknown>) =>
          Object.values(row).every((v) => typeof v === 'string'),
        ),
        'values are strings, as the seed’s CSV reader gave them',
      )
      const aux = reply.body.auxiliary_outputs
      assert.equal(
        aux.confusion_matrix.flat().reduce((a: number, b: number) => a + b, 0),
        30,
      )
      assert.equal(aux.AUC_ROC_curve_data.length, 3)
      assert.deepEqual(aux.user_arch, IRIS_RUN.user_arch)
      const runs = (await api.get('/v1/playground/runs', user.accessToken)).body.runs
      assert.equal(runs[0].name, 'iris from the seed client')
    })

    test(
      'layer strings are parsed, never run: anything off the closed list is a 400 naming the layer',
      full,
      async () => {
        const cases: [string[], RegExp][] = [
          [['__import__("os").system("id")'], /Layer 1 .* is not a constructor with literal arguments/],
          [['nn.Linear(4, 10)', 'nn.Module()'], /Layer 2 .* is not a layer the playground knows/],
          [['nn.Linear(4, x)'], /Layer 1 .* not a constructor with literal arguments/],
          [['nn.Linear(4, -3)'], /whole numbers/],
          [[], /At least one layer must be added/],
        ]
        for (const [userArch, message] of cases) {
          const reply = await post('/api/tabular-run', { ...IRIS_RUN, user_arch: userArch })
          assert.equal(reply.status, 400, JSON.stringify(userArch))
          assert.equal(reply.body.success, false)
          assert.match(reply.body.message, message)
        }
        assert.match(
          (await post('/api/tabular-run', { ...IRIS_RUN, batch_size: 64 })).body.message,
          /reduce batch size, not enough values in dataframe/,
        )
        assert.match(
          (
            await post('/api/tabular-run', {
              ...IRIS_RUN,
              using_default_dataset: null,
              file_URL: 'http://169.254.169.254/latest',
            })
          ).body.message,
          /does not fetch files from a URL/,
        )
        assert.match(
          (await post('/api/ml-run', { ...IRIS_RUN, user_arch: 'os.system("id")' })).body.message,
          /not a constructor with literal arguments/,
        )
      },
    )

    test('ml-run trains a scikit-learn constructor; csv_data rows train too', full, async () => {
      const tree = await post('/api/ml-run', {
        user_arch: 'DecisionTreeClassifier(max_depth=3)',
        problem_type: 'classification',
        using_default_dataset: 'IRIS',
        shuffle: true,
      })
      assert.equal(tree.status, 200, JSON.stringify(tree.body))
      assert.equal(tree.body.auxiliary_outputs.confusion_matrix.length, 3)
      const rows = Array.from({ length: 50 }, (_, i) => ({
        size: i % 2 === 0 ? i : 100 + i,
        label: i % 2 === 0 ? 'small' : 'big',
      }))
      const fromRows = await post('/api/ml-run', {
        user_arch: 'GaussianNB()',
        problem_type: 'classification',
        csv_data: JSON.stringify(rows),
        target: 'label',
        features: ['size'],
      })
      assert.equal(fromRows.status, 200, JSON.stringify(fromRows.body))
      assert.deepEqual(fromRows.body.auxiliary_outputs.category_list, ['big', 'small'])
    })

    test(
      'writeToQueue answers at once; getExecutionsData lists the user’s executions as a JSON string',
      full,
      async () => {
        const queued = await post('/api/writeToQueue', {
          ...IRIS_RUN,
          execution_id: 'ex-queued',
          custom_model_name: 'queued one',
        })
        assert.deepEqual(queued.body, {
          success: true,
          message: 'Successfully added your training request to the queue',
        })
        const listed = await post('/api/getExecutionsData', { user: { uid: 'anyone' } })
        const record = JSON.parse(listed.body.record)
        const mine = record.find((r: any) => r.name === 'queued one')
        assert.ok(['QUEUED', 'STARTING', 'TRAINING', 'SUCCESS'].includes(mine.status))
        assert.match(mine.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
        assert.equal(mine.data_source, 'TABULAR')
        const stranger = await signUp(api)
        assert.deepEqual(
          JSON.parse(
            (await post('/api/getExecutionsData', { user: { uid: user.userId } }, stranger.accessToken)).body.record,
          ),
          [],
          'a body-supplied uid reads nothing',
        )
        const elsewhere = await post('/api/writeToQueue', {
          ...IRIS_RUN,
          execution_id: 'ex-mail-elsewhere',
          email: 'someone-else@example.org',
        })
        assert.equal(elsewhere.status, 400, 'run-end mail goes only to the account’s own address')
        assert.deepEqual(elsewhere.body, {
          success: false,
          message: "Training results are e-mailed only to your account's own address",
        })
      },
    )

    test('defaultDataset, progress points and mail rules in the seed’s shapes', full, async () => {
      const columns = await post('/api/dataset/defaultDataset', { using_default_dataset: 'IRIS' })
      assert.deepEqual(JSON.parse(columns.body.columns), [
        'sepal length (cm)',
        'sepal width (cm)',
        'petal length (cm)',
        'petal width (cm)',
        'target',
      ])
      const learner = await signUp(api)
      assert.deepEqual((await post('/api/getUserProgressData', { user_id: 'someone' }, learner.accessToken)).body, {})
      assert.deepEqual(
        (
          await post(
            '/api/updateUserProgressData',
            { user_id: 'x', moduleID: 1, sectionID: 2, questionID: 3 },
            learner.accessToken,
          )
        ).body,
        { status: 'success' },
      )
      await post('/api/updateUserProgressData', { moduleID: 1, sectionID: 2, questionID: 3 }, learner.accessToken)
      assert.deepEqual((await post('/api/getUserProgressData', {}, learner.accessToken)).body, {
        1: { modulePoints: 10, 2: { sectionPoints: 10, 3: 10 } },
      })
      assert.match(
        (
          await post('/api/sendEmail', {
            email_address: user.email,
            subject: 's',
            body_text: 't',
            attachment_array: ['/etc/passwd'],
          })
        ).body.message,
        /not read from file paths/,
      )
      assert.equal(
        (await post('/api/sendEmail', { email_address: 'victim@elsewhere.example', subject: 's', body_text: 't' }))
          .status,
        400,
      )
      assert.deepEqual(
        (await post('/api/aws/sendEmail', { email_address: user.email, subject: 's', body_text: 't' })).body,
        { success: true, message: `Sent email to ${user.email}` },
      )
    })

    test('the 2022 socket events on `/`: runTraining reports a bare percent per epoch, then the training result', async () => {
      await assert.rejects(connectRoot(server.url), /credentials/i, 'anonymous sockets are refused on /')
      const socket = await connectRoot(server.url, user.accessToken)
      try {
        const { progress, result } = await trainOverSocket(socket, 'runTraining', {
          ...IRIS_RUN,
          epochs: 5,
          custom_model_name: 'iris over the socket',
        })
        assert.equal(result.success, true, JSON.stringify(result))
        assert.equal(result.status, 200)
        assert.equal(result.message, 'Dataset trained and results outputted successfully')
        assert.deepEqual(progress, [20, 40, 60, 80, 100], 'one bare percent per epoch, before the result')
        assert.equal(result.dl_results.length, 5)
        assert.equal(result.auxiliary_outputs.confusion_matrix.length, 3)
        const refused = await trainOverSocket(socket, 'runTraining', { ...IRIS_RUN, user_arch: ['__import__("os")'] })
        assert.deepEqual([refused.result.success, refused.result.status, refused.progress], [false, 400, []])
        assert.match(refused.result.message, /Layer 1 .* not a constructor with literal arguments/)
        const wrongType = await trainOverSocket(socket, 'runTraining', { ...IRIS_RUN, epochs: '5' })
        assert.match(wrongType.result.message, /payload\.epochs/, 'numbers are numbers: no coercion')
        assert.ok(socket.connected, 'a refused payload leaves the connection open')
      } finally {
        socket.close()
      }
    })

    test(
      'img-run (REST and socket) trains a convolutional network on the DIGITS images; transforms are checked, never run',
      full,
      async () => {
        const rest = await post('/api/train/img-run', DIGITS_CONV)
        assert.equal(rest.status, 200, JSON.stringify(rest.body))
        assert.equal(rest.body.message, 'Dataset trained and results outputted successfully')
        assert.equal(rest.body.dl_results.length, 4)
        const matrix: number[][] = rest.body.auxiliary_outputs.confusion_matrix
        assert.equal(matrix.length, 10)
        const correct = matrix.reduce((sum, row, i) => sum + (row[i] as number), 0)
        const total = matrix.flat().reduce((a, b) => a + b, 0)
        assert.equal(total, 360, 'ceil(1797 x 0.2) held out')
        assert.ok(correct / total >= 0.6, `digits accuracy ${correct / total}`)
        const runs = (await api.get('/v1/playground/runs', user.accessToken)).body.runs
        assert.equal(runs.find((r: any) => r.name === 'digits conv').dataSource, 'IMAGE')
        for (const [body, message] of [
          [
            { ...DIGITS_CONV, train_transform: ['transforms.RandomHorizontalFlip()'] },
            /Transform 1 of train_transform .* is not a transform pulsebase applies/,
          ],
          [
            { ...DIGITS_CONV, test_transform: ['Resize((28, 28))'] },
            /asks for 28x28 images, but the dataset's images are 8x8/,
          ],
          [{ ...DIGITS_CONV, train_transform: ['__import__("os").system("id")'] }, /Transform 1 of train_transform/],
          [{ ...DIGITS_CONV, using_default_dataset: 'IRIS' }, /IRIS is not an image dataset/],
          [
            { ...DIGITS_CONV, using_default_dataset: null, file_URL: 'http://169.254.169.254/zip' },
            /does not fetch files from a URL/,
          ],
          [{ ...DIGITS_CONV, using_default_dataset: null }, /Upload a zip .* first/],
        ] as const) {
          const refused = await post('/api/img-run', body)
          assert.equal(refused.status, 400, JSON.stringify(body))
          assert.match(refused.body.message, message)
        }
        const socket = await connectRoot(server.url, user.accessToken)
        try {
          const { progress, result } = await trainOverSocket(socket, 'img-run', { ...DIGITS_CONV, epochs: 2 })
          assert.equal(result.success, true, JSON.stringify(result).slice(0, 300))
          assert.deepEqual(progress, [50, 100])
        } finally {
          socket.close()
        }
      },
    )

    test(
      'upload takes a multipart zip or CSV; the dataset file routes list the user’s own; img-run trains on the newest zip',
      full,
      async () => {
        const owner = await signUp(api)
        const upload = (path: string, name: string, bytes: Uint8Array | string, field = 'file') => {
          const form = new FormData()
          form.append(field, new Blob([typeof bytes === 'string' ? bytes : Buffer.from(bytes)]), name)
          return fetch(`${server.url}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${owner.accessToken}` },
            body: form,
          }).then(async (r) => ({ status: r.status, body: await r.json() }))
        }
        assert.deepEqual(await upload('/api/upload', 'shapes.zip', shapesZip()), {
          status: 200,
          body: { success: true, message: 'upload success' },
        })
        assert.deepEqual(await upload('/api/s3/getSignedUploadUrl', 'sizes.csv', 'size,kind\n1,a\n2,b\n'), {
          status: 200,
          body: { success: true, message: 'Upload successful' },
        })
        for (const [name, bytes, field, message] of [
          ['notes.txt', 'hello', 'file', /Upload a \.zip .* or a \.csv/],
          ['bad.zip', new Uint8Array([1, 2, 3]), 'file', /not a readable zip/],
          ['x.csv', 'a,b\n1,2\n', 'other', /in the field "file"/],
        ] as const) {
          const refused = await upload('/api/upload', name, bytes, field)
          assert.equal(refused.status, 400, name)
          assert.match(refused.body.message, message)
        }
        assert.equal((await api.post('/api/upload', {}, owner.accessToken)).status, 400, 'JSON instead of multipart')
        assert.equal((await fetch(`${server.url}/api/upload`, { method: 'POST', body: new FormData() })).status, 401)

        const ask = (path: string, body: unknown, token = owner.accessToken) => api.post(path, body, token)
        const images = JSON.parse(
          (await ask('/api/s3/getUserDatasetFilesData', { data_source: 'image', user: { uid: user.userId } })).body
            .data,
        )
        assert.deepEqual(
          images.map((f: any) => [f.name, f.type]),
          [['shapes.zip', 'zip']],
        )
        assert.match(images[0].last_modified, /^\d{4}-\d\d-\d\dT/)
        const tables = JSON.parse((await ask('/api/getUserDatasetFilesData', { data_source: 'tabular' })).body.data)
        assert.deepEqual(
          tables.map((f: any) => f.name),
          ['sizes.csv'],
        )
        assert.deepEqual(
          JSON.parse(
            (await ask('/api/dataset/getColumnsFromDatasetFile', { data_source: 'tabular', name: 'sizes.csv' })).body
              .columns,
          ),
          ['size', 'kind'],
        )
        assert.deepEqual(
          JSON.parse((await ask('/api/getUserDatasetFilesData', { data_source: 'image' }, user.accessToken)).body.data),
          [],
          'another user sees none of them',
        )
        assert.equal(
          (await ask('/api/getColumnsFromDatasetFile', { data_source: 'tabular', name: 'sizes.csv' }, user.accessToken))
            .status,
          400,
        )
        assert.match(
          (await ask('/api/sendUserCodeEval', { data: '[]', codeSnippet: 'import os' })).body.message,
          /never runs submitted code/,
        )

        const conv = {
          ...DIGITS_CONV,
          using_default_dataset: null,
          user_arch: ['nn.Conv2d(1, 4, 3)', 'nn.ReLU()', 'nn.MaxPool2d(2)', 'nn.Flatten()', 'nn.Linear(676, 2)'],
          test_transform: ['Resize((28, 28))'],
          epochs: 6,
          batch_size: 8,
          custom_model_name: 'shapes',
        }
        const trained = await ask('/api/img-run', conv)
        assert.equal(trained.status, 200, JSON.stringify(trained.body))
        assert.equal(trained.body.auxiliary_outputs.confusion_matrix.length, 2)
        assert.deepEqual(trained.body.auxiliary_outputs.category_list, ['bar', 'stripe'])
        assert.match(
          (await ask('/api/img-run', { ...conv, test_transform: ['Resize(8)'] })).body.message,
          /asks for 8x8 images, but the dataset's images are 28x28/,
        )
        const listed = JSON.parse((await ask('/api/getExecutionsData', {})).body.record)
        assert.deepEqual(
          listed.map((r: any) => [r.name, r.data_source, r.status]),
          [['shapes', 'IMAGE', 'SUCCESS']],
        )
      },
    )

    test(
      'getExecutionsFilesPresignedUrls: signed links to the user’s own run’s files, fetched without credentials; foreign, unknown and tampered ones refused',
      full,
      async () => {
        const trained = await post('/api/tabular-run', { ...IRIS_RUN, epochs: 2, execution_id: 'ex-links' })
        assert.equal(trained.status, 200, JSON.stringify(trained.body))
        const urls = await post('/api/getExecutionsFilesPresignedUrls', { exec_id: 'ex-links', user: { uid: 'x' } })
        assert.equal(urls.status, 200, JSON.stringify(urls.body))
        assert.deepEqual(Object.keys(urls.body).sort(), ['dl_results', 'model_onnx', 'model_pt', 'success'])
        assert.equal(urls.body.model_pt, urls.body.model_onnx, 'both name the TensorFlow.js model')
        assert.ok(urls.body.dl_results.startsWith(`${server.url}/`), urls.body.dl_results)

        const csv = await fetch(urls.body.dl_results)
        assert.equal(csv.status, 200)
        assert.match(csv.headers.get('content-type') ?? '', /text\/csv/)
        const lines = (await csv.text()).trim().split('\n')
        assert.equal(lines[0], 'epoch,train_time,train_loss,test_loss,train_acc,val/test acc')
        assert.equal(lines.length, 3, 'a header and one row per epoch')
        const model = await (await fetch(urls.body.model_pt)).json()
        assert.equal(model.format, 'layers-model')
        assert.deepEqual(model.weightsManifest[0].paths, ['weights.bin'])
        // weights.bin resolves beside model.json under the same link, as tf.loadLayersModel fetches it.
        const weights = await fetch(new URL('weights.bin', urls.body.model_pt))
        assert.equal(weights.status, 200)
        const floats = model.weightsManifest[0].weights
          .map((w: { shape: number[] }) => w.shape.reduce((a, b) => a * b, 1))
          .reduce((a: number, b: number) => a + b, 0)
        assert.equal((await weights.arrayBuffer()).byteLength, floats * 4)

        const runId = JSON.parse((await post('/api/getExecutionsData', {})).body.record).find(
          (r: any) => r.name === IRIS_RUN.custom_model_name && r.status === 'SUCCESS',
        ).execution_id
        const byId = await post('/api/s3/getExecutionsFilesPresignedUrls', { exec_id: runId })
        assert.equal(byId.status, 200, 'the execution_id getExecutionsData lists works too')
        const stranger = await signUp(api)
        for (const execId of ['ex-links', runId]) {
          const foreign = await post('/api/getExecutionsFilesPresignedUrls', { exec_id: execId }, stranger.accessToken)
          assert.equal(foreign.status, 400)
          assert.deepEqual(foreign.body, {
            success: false,
            message: `You have no execution ${JSON.stringify(execId)}; getExecutionsData lists yours`,
          })
        }
        assert.match((await post('/api/getExecutionsFilesPresignedUrls', {})).body.message, /Missing parameter exec_id/)

        const link = new URL(urls.body.dl_results)
        const [, token] = /\/api\/s3\/executions\/([^/]+)\//.exec(link.pathname) as unknown as [string, string]
        const [claims, signature] = token.split('.') as [string, string]
        const forgedClaims = Buffer.from(
          JSON.stringify({ ...JSON.parse(Buffer.from(claims, 'base64url').toString()), u: stranger.userId }),
        ).toString('base64url')
        const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`
        for (const bad of [`${forgedClaims}.${signature}`, `${claims}.${flipped}`, `${claims}`, 'x.y.z']) {
          const refused = await fetch(`${server.url}/api/s3/executions/${bad}/dl_results.csv`)
          assert.equal(refused.status, 403, bad)
          assert.deepEqual(await refused.json(), { success: false, message: 'This link is not valid' })
        }

        const tree = await post('/api/ml-run', {
          user_arch: 'DecisionTreeClassifier(max_depth=3)',
          problem_type: 'classification',
          using_default_dataset: 'IRIS',
          execution_id: 'ex-tree-links',
        })
        assert.equal(tree.status, 200, JSON.stringify(tree.body))
        const treeUrls = await post('/api/getExecutionsFilesPresignedUrls', { exec_id: 'ex-tree-links' })
        assert.deepEqual([treeUrls.body.model_pt, treeUrls.body.model_onnx], [null, null], 'a classical model')
        assert.equal((await fetch(treeUrls.body.dl_results)).status, 200)
      },
    )

    test(
      'getUserDatasetFileUploadPresignedPostObj: the form’s POST stores the user’s upload, which img-run then trains on; bad forms refused',
      full,
      async () => {
        const owner = await signUp(api)
        const ask = (path: string, body: unknown, token = owner.accessToken) => api.post(path, body, token)
        const presign = async (body: unknown) => ask('/api/s3/getUserDatasetFileUploadPresignedPostObj', body)
        const form = await presign({ data_source: 'image', name: 'shapes-presigned.zip', user: { uid: user.userId } })
        assert.equal(form.status, 200, JSON.stringify(form.body))
        assert.equal(form.body.message, 'File upload success')
        const { url, fields } = form.body.presigned_post_obj
        assert.equal(url, `${server.url}/api/s3/dataset-uploads`)
        assert.equal(fields.key, 'image/shapes-presigned.zip')
        // The seed's client: the fields, then the file, without its Authorization header.
        const send = (entries: [string, string | Uint8Array][], target = url) => {
          const body = new FormData()
          for (const [key, value] of entries)
            if (typeof value === 'string') body.append(key, value)
            else body.append(key, new Blob([Buffer.from(value)]), 'local-name.zip')
          return fetch(target, { method: 'POST', body }).then(async (r) => ({
            status: r.status,
            body: r.status === 204 ? null : await r.json(),
          }))
        }
        const zip = shapesZip()
        const stored = await send([...Object.entries(fields as Record<string, string>), ['file', zip]])
        assert.deepEqual(stored, { status: 204, body: null })
        const images = JSON.parse((await ask('/api/getUserDatasetFilesData', { data_source: 'image' })).body.data)
        assert.deepEqual(
          images.map((f: any) => [f.name, f.type]),
          [['shapes-presigned.zip', 'zip']],
          'stored under the signed name, as the token’s user’s own upload',
        )
        assert.deepEqual(
          JSON.parse((await ask('/api/getUserDatasetFilesData', { data_source: 'image' }, user.accessToken)).body.data),
          [],
          'the user the body named sees nothing',
        )
        const trained = await ask('/api/img-run', {
          ...DIGITS_CONV,
          using_default_dataset: null,
          user_arch: ['nn.Conv2d(1, 4, 3)', 'nn.ReLU()', 'nn.MaxPool2d(2)', 'nn.Flatten()', 'nn.Linear(676, 2)'],
          test_transform: ['Resize((28, 28))'],
          epochs: 2,
          batch_size: 8,
          custom_model_name: 'from the presigned upload',
        })
        assert.equal(trained.status, 200, JSON.stringify(trained.body))
        assert.deepEqual(trained.body.auxiliary_outputs.category_list, ['bar', 'stripe'])

        const table = await presign({ data_source: 'TABULAR', name: 'rows.csv' })
        const tableFields = table.body.presigned_post_obj.fields as { key: string; token: string }
        const csv = new TextEncoder().encode('size,kind\n1,a\n2,b\n')
        const tampered = `${tableFields.token.slice(0, -2)}${tableFields.token.endsWith('AA') ? 'BB' : 'AA'}`
        for (const [entries, status, message] of [
          [
            [
              ['key', tableFields.key],
              ['token', tampered],
              ['file', csv],
            ],
            403,
            /not valid/,
          ],
          [
            [
              ['file', csv],
              ['token', tableFields.token],
            ],
            403,
            /before the file/,
          ],
          [
            [
              ['key', 'tabular/other.csv'],
              ['token', tableFields.token],
              ['file', csv],
            ],
            403,
            /does not match/,
          ],
          [[['token', form.body.presigned_post_obj.fields.token]], 400, /in the field "file"/],
          [
            [
              ['token', tableFields.token],
              ['file', new TextEncoder().encode('a,b\n1\n')],
            ],
            400,
            /line/i,
          ],
        ] as const) {
          const refused = await send(entries as unknown as [string, string | Uint8Array][])
          assert.equal(refused.status, status, JSON.stringify(refused.body))
          assert.match(refused.body.message, message)
        }
        assert.equal(
          (await fetch(`${server.url}/api/s3/executions/${tableFields.token}/dl_results.csv`)).status,
          403,
          'an upload form is no download link',
        )
        assert.deepEqual(
          JSON.parse((await ask('/api/getUserDatasetFilesData', { data_source: 'tabular' })).body.data),
          [],
        )
        for (const [body, message] of [
          [{ data_source: 'audio', name: 'a.wav' }, /data_source must be tabular or image/],
          [{ data_source: 'tabular', name: '../x.csv' }, /without slashes/],
          [{ data_source: 'tabular', name: 'x.zip' }, /uploaded as a \.csv file/],
          [{ data_source: 'image' }, /Missing parameter name/],
        ] as const) {
          const refused = await presign(body)
          assert.equal(refused.status, 400)
          assert.match(refused.body.message, message)
        }
      },
    )

    test(
      'the May-2023 tabular-run form and create-trainspace store trainspaces (no training); getTrainspaceData lists the user’s own',
      full,
      async () => {
        const owner = await signUp(api)
        const ask = (path: string, body: unknown, token = owner.accessToken) => api.post(path, body, token)
        const runsBefore = (await api.get('/v1/playground/runs', owner.accessToken)).body.runs.length
        const stored = await ask('/api/train/tabular-run', TRAINSPACE_FORM)
        assert.equal(stored.status, 200, JSON.stringify(stored.body))
        assert.equal(stored.body.success, true)
        assert.equal(stored.body.message, 'success')
        assert.match(stored.body.trainspace_id, /^[0-9a-f-]{36}$/)
        const empty = await ask('/api/trainspace/create-trainspace', { user: { uid: user.userId } })
        assert.equal(empty.status, 200, JSON.stringify(empty.body))
        assert.deepEqual(Object.keys(empty.body).sort(), ['message', 'success', 'trainspace_id'])
        const named = await ask('/api/create-trainspace', { name: 'later', data_source: 'IMAGE' })
        assert.equal(named.status, 200)

        const records = JSON.parse((await ask('/api/getTrainspaceData', { user: { uid: 'x' } })).body.record)
        assert.deepEqual(
          records.map((r: any) => r.trainspace_id).sort(),
          [stored.body.trainspace_id, empty.body.trainspace_id, named.body.trainspace_id].sort(),
        )
        const form = records.find((r: any) => r.trainspace_id === stored.body.trainspace_id)
        assert.deepEqual(
          [form.uid, form.name, form.data_source, form.status],
          [owner.userId, 'iris trainspace', 'TABULAR', 'QUEUED'],
        )
        assert.deepEqual(form.dataset_data, TRAINSPACE_FORM.dataset_data)
        assert.deepEqual(form.parameters_data, TRAINSPACE_FORM.parameters_data)
        assert.deepEqual(form.review_data, { notification_email: null, notification_phone_number: null })
        assert.match(form.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
        const later = records.find((r: any) => r.trainspace_id === named.body.trainspace_id)
        assert.deepEqual([later.name, later.data_source, later.parameters_data], ['later', 'IMAGE', null])
        assert.equal(
          (await api.get('/v1/playground/runs', owner.accessToken)).body.runs.length,
          runsBefore,
          'nothing trains, as in the seed',
        )
        assert.deepEqual(
          JSON.parse((await ask('/api/trainspace/getTrainspaceData', {}, user.accessToken)).body.record),
          [],
        )

        const params = TRAINSPACE_FORM.parameters_data
        const withParams = (change: Record<string, unknown>) => ({
          ...TRAINSPACE_FORM,
          parameters_data: { ...params, ...change },
        })
        const layers = (...extra: unknown[]) => withParams({ layers: [...params.layers.slice(0, 3), ...extra] })
        const cases: [unknown, RegExp, string?][] = [
          [layers({ value: 'LOGSOFTMAX', parameters: [-1] }), /Layer 4 \("LOGSOFTMAX\(-1\)"\) is not a layer/],
          [withParams({ layers: [{ value: 'LINEAR', parameters: [4, 0] }] }), /Layer 1 .* whole numbers/],
          [withParams({ layers: [{ value: 'LINEAR', parameters: [4, 5000] }] }), /layers\.0\.units/],
          [withParams({ layers: [{ value: 'LINEAR', parameters: ['4', 10] }] }), /layers\.0\.parameters\.0/],
          [layers({ value: 'RELU', parameters: [], code: 'import os' }), /layers\.3/],
          [withParams({ layers: [] }), /At least one layer must be added/],
          [withParams({ features: ['target'] }), /cannot also be a feature column/],
          [withParams({ features: ['petal size'] }), /has no column "petal size"/],
          [withParams({ criterion: 'HINGE' }), /criterion must be one of/],
          [withParams({ epochs: '5' }), /parameters_data\.epochs/],
          [withParams({ extra: true }), /parameters_data/],
          [
            { ...TRAINSPACE_FORM, dataset_data: { name: 'mine.csv', is_default_dataset: false } },
            /no uploaded dataset named "mine.csv"/,
          ],
          [
            { ...TRAINSPACE_FORM, review_data: { notification_email: 'victim@elsewhere.example' } },
            /only to your account's own address/,
          ],
          [{ data_source: 'NOPE' }, /data_source/, '/api/create-trainspace'],
        ]
        for (const [body, message, path = '/api/tabular-run'] of cases) {
          const refused = await ask(path, body)
          assert.equal(refused.status, 400, JSON.stringify(body))
          assert.equal(refused.body.success, false)
          assert.match(refused.body.message, message)
        }
        const ids = JSON.parse((await ask('/api/getTrainspaceData', {})).body.record)
        assert.equal(ids.length, 3, 'nothing refused was stored')
        const exported = await fetch(`${server.url}/v1/me/export`, {
          headers: { authorization: `Bearer ${owner.accessToken}` },
        })
        const entries = unzipSync(new Uint8Array(await exported.arrayBuffer()))
        const rows = JSON.parse(Buffer.from(entries['dlp-trainspaces.json'] ?? []).toString('utf8'))
        assert.equal(rows.length, 3, 'the account export carries them')
      },
    )

    test('object-detection is a clear 400 at both paths: pulsebase has no detection model', full, async () => {
      for (const path of ['/api/object-detection', '/api/train/object-detection']) {
        const refused = await post(path, {
          problem_type: 'classification',
          detection_type: 'rekognition',
          transforms: [],
        })
        assert.equal(refused.status, 400)
        assert.equal(refused.body.success, false)
        assert.match(refused.body.message, /^Object detection is not available in pulsebase: /)
      }
    })

    test(
      'socket sendEmail, defaultDataset (to the asking socket only), frontendLog and updateUserSettings',
      full,
      async () => {
        const mine = await connectRoot(server.url, user.accessToken)
        const other = await signUp(api)
        const theirs = await connectRoot(server.url, other.accessToken)
        try {
          const columnsSeen: any[] = []
          theirs.on('defaultColumns', (reply) => columnsSeen.push(reply))
          const asked = next(mine, 'defaultColumns')
          mine.emit('defaultDataset', { using_default_dataset: 'IRIS' }, mine.id)
          assert.deepEqual(await asked, {
            success: true,
            columns: ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)', 'target'],
          })
          const own = next(theirs, 'defaultColumns')
          theirs.emit('defaultDataset', { using_default_dataset: 'NOPE' })
          assert.equal((await own).success, false)
          assert.equal(columnsSeen.length, 1, 'the first reply went to the asking socket alone, not to everyone')

          const email = async (payload: unknown) => {
            const reply = next(mine, 'emailResult')
            mine.emit('sendEmail', payload, mine.id)
            return reply
          }
          assert.deepEqual(await email({ subject: 's', body_text: 't' }), {
            success: false,
            message: 'Missing parameter email_address',
          })
          assert.match(
            (
              await email({
                email_address: user.email,
                subject: 's',
                body_text: 't',
                attachment_array: ['/etc/passwd'],
              })
            ).message,
            /not read from file paths/,
          )
          assert.equal(
            (await email({ email_address: 'victim@elsewhere.example', subject: 's', body_text: 't' })).success,
            false,
          )
          assert.deepEqual(await email({ email_address: user.email, subject: 'from the socket', body_text: 't' }), {
            success: true,
            message: `Sent email to ${user.email}`,
          })
          assert.ok(
            readdirSync(join(server.dataDir, 'outbox')).some((f) => f.endsWith('.eml')),
            'the message is in the outbox',
          )

          const settings = async (payload: unknown) => {
            const reply = next(mine, 'authenticationResult')
            mine.emit('updateUserSettings', payload)
            return reply
          }
          assert.deepEqual(await settings({ authorization: other.accessToken }), {
            success: false,
            message: 'Invalid token provided',
          })
          assert.deepEqual(await settings({}), { success: false, message: 'No token provided' })

          mine.emit('frontendLog', 'x'.repeat(5000))
          mine.emit('frontendLog', 'clicked train')
          // Events of one socket are handled in order, so once a later reply arrives both log lines were handled.
          const later = next(mine, 'defaultColumns')
          mine.emit('defaultDataset', { using_default_dataset: 'WINE' })
          await later
          const clientLines = logs.lines.filter((line) => line.msg === 'client log')
          assert.deepEqual(
            clientLines.map((line) => [line.userId, line.clientMessage]),
            [[user.userId, 'clicked train']],
            'the over-long line is refused, the other logged with its user',
          )
        } finally {
          mine.close()
          theirs.close()
        }
      },
    )
  })
}
