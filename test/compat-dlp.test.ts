// The Deep Learning Playground's REST and 2022 Socket.IO clients against PULSEBASE_COMPAT=dlp:
// training envelopes, the strict user_arch parser, queued executions, default datasets, progress
// points and mail rules; on every database, and training also on RabbitMQ.
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { zipSync } from 'fflate'
import { pino } from 'pino'
import { PNG } from 'pngjs'
import { io, type Socket } from 'socket.io-client'
import { client, type Client, signUp, startTestApp, type TestApp } from './helpers/app.js'
import { next } from './helpers/sockets.js'
import { listQueueSetups, startTrainingApp, type TrainingApp } from './helpers/training.js'

const IRIS_RUN = {
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

const DIGITS_CONV = {
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

/** A socket on the default namespace `/`, as the 2022 client opened it (`io()`), with a pulsebase token. */
async function connectRoot(url: string, token?: string): Promise<Socket> {
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
async function trainOverSocket(socket: Socket, event: string, payload: unknown) {
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
function capturedLogger() {
  const lines: any[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line))
      done()
    },
  })
  return { logger: pino({ level: 'info' }, stream), lines }
}

const setups = await listQueueSetups()

for (const setup of setups) {
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
        const upload = (path: string, name: string, bytes: Uint8Array | string, field = 'file') => {
          const form = new FormData()
          form.append(field, new Blob([typeof bytes === 'string' ? bytes : Buffer.from(bytes)]), name)
          return fetch(`${server.url}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${owner.accessToken}` },
            body: form,
          }).then(async (r) => ({ status: r.status, body: await r.json() }))
        }
        assert.deepEqual(await upload('/api/upload', 'shapes.zip', zipSync(files)), {
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
        const listed = JSON.parse((await ask('/api/trainspace/getTrainspaceData', {})).body.record)
        assert.deepEqual(
          listed.map((r: any) => [r.name, r.data_source, r.status]),
          [['shapes', 'IMAGE', 'SUCCESS']],
        )
      },
    )

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

describe('GET /test with both the m2m and DLP adapters on', () => {
  let server: TestApp
  before(async () => {
    server = await startTestApp({ PULSEBASE_COMPAT: 'm2m,dlp' })
  })
  after(async () => {
    await server?.close()
  })
  test('stays with m2m (listed first); /api/test/ is the DLP’s', async () => {
    const api = client(server.url)
    assert.ok(Array.isArray((await api.get('/test')).body), "m2m's todo list")
    assert.deepEqual((await api.get('/api/test/')).body, { Status: 'Backend is alive' })
  })
})
