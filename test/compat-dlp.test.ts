// The Deep Learning Playground's REST and 2022 Socket.IO clients against PULSEBASE_COMPAT=dlp on
// SQLite with the database queue (the suite is test/helpers/dlp-adapter-suite.ts; PostgreSQL, MariaDB
// and RabbitMQ run it in test/compat-dlp-servers.test.ts), the adapter on its own port, and
// `GET /test` with the m2m adapter beside it.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { io } from 'socket.io-client'
import { client, type Client, signUp, startTestApp, type TestApp } from './helpers/app.js'
import { connectRoot, describeDlpAdapter, IRIS_RUN, trainOverSocket } from './helpers/dlp-adapter-suite.js'
import { next } from './helpers/sockets.js'
import { listQueueSetups } from './helpers/training.js'

for (const setup of await listQueueSetups()) if (setup.target.kind === 'sqlite') describeDlpAdapter(setup)

describe('the DLP adapter on its own port (PULSEBASE_COMPAT_PORTS), with a clock the test moves', () => {
  let server: TestApp
  let api: Client
  let own: Client
  let ownUrl: string
  let user: Awaited<ReturnType<typeof signUp>>
  let clockOffsetMs = 0
  before(async () => {
    server = await startTestApp(
      { PULSEBASE_COMPAT: 'dlp', PULSEBASE_COMPAT_PORTS: 'dlp=0', PULSEBASE_ML_TRAINING_THREADS: '1' },
      { now: () => Date.now() + clockOffsetMs },
    )
    await server.app.startWorker()
    api = client(server.url)
    ownUrl = server.compatAddresses.dlp as string
    own = client(ownUrl)
    user = await signUp(api)
  })
  after(async () => {
    await server?.close()
  })

  test('the 2022 socket events answer on the adapter’s own port, authenticated by the handshake; no /v1 there', async () => {
    await assert.rejects(connectRoot(ownUrl), /credentials/i, 'anonymous sockets are refused on its port too')
    const v1 = io(`${ownUrl}/v1`, { auth: { token: user.accessToken }, transports: ['websocket'], reconnection: false })
    await assert.rejects(
      new Promise((resolve, reject) => {
        v1.once('connect', () => resolve(undefined))
        v1.once('connect_error', reject)
      }),
      /Invalid namespace/,
    )
    v1.close()
    const socket = await connectRoot(ownUrl, user.accessToken)
    try {
      const { progress, result } = await trainOverSocket(socket, 'runTraining', {
        ...IRIS_RUN,
        epochs: 4,
        execution_id: 'ex-own-port',
      })
      assert.equal(result.success, true, JSON.stringify(result))
      assert.deepEqual(progress, [25, 50, 75, 100])
      const columns = next(socket, 'defaultColumns')
      socket.emit('defaultDataset', { using_default_dataset: 'WINE' })
      assert.equal((await columns).success, true)
    } finally {
      socket.close()
    }
  })

  test('signed links point at the port the client asked on, and expire', async () => {
    const urls = await own.post('/api/s3/getExecutionsFilesPresignedUrls', { exec_id: 'ex-own-port' }, user.accessToken)
    assert.equal(urls.status, 200, JSON.stringify(urls.body))
    assert.ok(urls.body.dl_results.startsWith(`${ownUrl}/api/s3/executions/`), urls.body.dl_results)
    assert.equal((await fetch(urls.body.dl_results)).status, 200)
    const form = await own.post(
      '/api/s3/getUserDatasetFileUploadPresignedPostObj',
      { data_source: 'tabular', name: 'late.csv' },
      user.accessToken,
    )
    assert.equal(form.body.presigned_post_obj.url, `${ownUrl}/api/s3/dataset-uploads`)

    clockOffsetMs = 10 * 60_000 + 1000 // past both links' ten minutes
    const expired = await fetch(urls.body.dl_results)
    assert.equal(expired.status, 403)
    assert.deepEqual(await expired.json(), { success: false, message: 'This link has expired; ask for a new one' })
    const body = new FormData()
    for (const [key, value] of Object.entries(form.body.presigned_post_obj.fields as Record<string, string>))
      body.append(key, value)
    body.append('file', new Blob(['size,kind\n1,a\n']), 'late.csv')
    const late = await fetch(form.body.presigned_post_obj.url, { method: 'POST', body })
    assert.equal(late.status, 403)
    assert.match((await late.json()).message, /expired/)
  })
})

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
