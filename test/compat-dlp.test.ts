// The Deep Learning Playground's REST clients against PULSEBASE_COMPAT=dlp: training envelopes,
// the strict user_arch parser, queued executions, default datasets, progress points and mail rules.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { client, type Client, signUp, startTestApp, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'

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

for (const target of await databaseTargets()) {
  describe(`the DLP adapter on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client
    let user: Awaited<ReturnType<typeof signUp>>
    const post = (path: string, body: unknown, token = user.accessToken) => api.post(path, body, token)

    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url, PULSEBASE_COMPAT: 'dlp', PULSEBASE_ML_TRAINING_THREADS: '1' })
      await server.app.startWorker()
      api = client(server.url)
      user = await signUp(api)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('the test routes answer without credentials; every other route needs a pulsebase token', async () => {
      for (const path of ['/test', '/api/test/']) assert.deepEqual((await api.get(path)).body, { Status: 'Backend is alive' })
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
      assert.deepEqual(Object.keys(reply.body.dl_results[0]), ['epoch', 'train_time', 'train_loss', 'test_loss', 'train_acc', 'val/test acc'])
      assert.ok(reply.body.dl_results.every((row: Record<string, unknown>) => Object.values(row).every((v) => typeof v === 'string')), 'values are strings, as the seed’s CSV reader gave them')
      const aux = reply.body.auxiliary_outputs
      assert.equal(aux.confusion_matrix.flat().reduce((a: number, b: number) => a + b, 0), 30)
      assert.equal(aux.AUC_ROC_curve_data.length, 3)
      assert.deepEqual(aux.user_arch, IRIS_RUN.user_arch)
      const runs = (await api.get('/v1/playground/runs', user.accessToken)).body.runs
      assert.equal(runs[0].name, 'iris from the seed client')
    })

    test('layer strings are parsed, never run: anything off the closed list is a 400 naming the layer', async () => {
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
      assert.match((await post('/api/tabular-run', { ...IRIS_RUN, batch_size: 64 })).body.message, /reduce batch size, not enough values in dataframe/)
      assert.match((await post('/api/tabular-run', { ...IRIS_RUN, using_default_dataset: null, file_URL: 'http://169.254.169.254/latest' })).body.message, /does not fetch files from a URL/)
      assert.match((await post('/api/ml-run', { ...IRIS_RUN, user_arch: 'os.system("id")' })).body.message, /not a constructor with literal arguments/)
    })

    test('ml-run trains a scikit-learn constructor; csv_data rows train too', async () => {
      const tree = await post('/api/ml-run', { user_arch: 'DecisionTreeClassifier(max_depth=3)', problem_type: 'classification', using_default_dataset: 'IRIS', shuffle: true })
      assert.equal(tree.status, 200, JSON.stringify(tree.body))
      assert.equal(tree.body.auxiliary_outputs.confusion_matrix.length, 3)
      const rows = Array.from({ length: 50 }, (_, i) => ({ size: i % 2 === 0 ? i : 100 + i, label: i % 2 === 0 ? 'small' : 'big' }))
      const fromRows = await post('/api/ml-run', { user_arch: 'GaussianNB()', problem_type: 'classification', csv_data: JSON.stringify(rows), target: 'label', features: ['size'] })
      assert.equal(fromRows.status, 200, JSON.stringify(fromRows.body))
      assert.deepEqual(fromRows.body.auxiliary_outputs.category_list, ['big', 'small'])
    })

    test('writeToQueue answers at once; getExecutionsData lists the user’s executions as a JSON string', async () => {
      const queued = await post('/api/writeToQueue', { ...IRIS_RUN, execution_id: 'ex-queued', custom_model_name: 'queued one' })
      assert.deepEqual(queued.body, { success: true, message: 'Successfully added your training request to the queue' })
      const listed = await post('/api/getExecutionsData', { user: { uid: 'anyone' } })
      const record = JSON.parse(listed.body.record)
      const mine = record.find((r: any) => r.name === 'queued one')
      assert.ok(['QUEUED', 'STARTING', 'TRAINING', 'SUCCESS'].includes(mine.status))
      assert.match(mine.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      assert.equal(mine.data_source, 'TABULAR')
      const stranger = await signUp(api)
      assert.deepEqual(JSON.parse((await post('/api/getExecutionsData', { user: { uid: user.userId } }, stranger.accessToken)).body.record), [], 'a body-supplied uid reads nothing')
    })

    test('defaultDataset, progress points and mail rules in the seed’s shapes', async () => {
      const columns = await post('/api/dataset/defaultDataset', { using_default_dataset: 'IRIS' })
      assert.deepEqual(JSON.parse(columns.body.columns), ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)', 'target'])
      const learner = await signUp(api)
      assert.deepEqual((await post('/api/getUserProgressData', { user_id: 'someone' }, learner.accessToken)).body, {})
      assert.deepEqual((await post('/api/updateUserProgressData', { user_id: 'x', moduleID: 1, sectionID: 2, questionID: 3 }, learner.accessToken)).body, { status: 'success' })
      await post('/api/updateUserProgressData', { moduleID: 1, sectionID: 2, questionID: 3 }, learner.accessToken)
      assert.deepEqual((await post('/api/getUserProgressData', {}, learner.accessToken)).body, { 1: { modulePoints: 10, 2: { sectionPoints: 10, 3: 10 } } })
      assert.match((await post('/api/sendEmail', { email_address: user.email, subject: 's', body_text: 't', attachment_array: ['/etc/passwd'] })).body.message, /not read from file paths/)
      assert.equal((await post('/api/sendEmail', { email_address: 'victim@elsewhere.example', subject: 's', body_text: 't' })).status, 400)
      assert.deepEqual((await post('/api/aws/sendEmail', { email_address: user.email, subject: 's', body_text: 't' })).body, { success: true, message: `Sent email to ${user.email}` })
    })
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
