// The CSI seed's REST API (PULSEBASE_COMPAT=csi) as its clients see it: plain-text bodies, the
// seed's statuses and spellings, training on the DATA sent, queued inference.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DOOR_ANGLES, syntheticCsi } from '../src/domains/sensors/synthetic-csi.js'
import { client, startTestApp, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { pollUntil } from './helpers/poll.js'

const SUBCARRIERS = 12
const POINTS = 25

/** The seed's CSI DATA: [0 = phase, 1 = magnitude][angle][subcarrier][points]. */
function csiData(seed: number) {
  const csi = syntheticCsi({ mode: 'separable', seed, subcarriers: SUBCARRIERS })
  const frames = DOOR_ANGLES.map((angle) => Array.from({ length: POINTS }, (_, p) => csi.frame(angle, p * 100)))
  const byGroup = (group: 'phase' | 'magnitude') =>
    frames.map((angleFrames) => Array.from({ length: SUBCARRIERS }, (_, s) => angleFrames.map((f) => f[group][s])))
  return { data: [byGroup('phase'), byGroup('magnitude')], csi }
}

async function raw(server: TestApp, method: string, path: string, body?: string, contentType = 'application/json') {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType },
    body,
  })
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') ?? '' }
}

for (const target of await databaseTargets()) {
  describe(`CSI seed API (PULSEBASE_COMPAT=csi) on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    const post = (path: string, body: unknown, contentType?: string) =>
      raw(server, 'POST', path, typeof body === 'string' ? body : JSON.stringify(body), contentType)
    const get = (path: string) => raw(server, 'GET', path)

    before(async () => {
      db = await target.create()
      server = await startTestApp({
        PULSEBASE_DATABASE_URL: db.url,
        PULSEBASE_COMPAT: 'csi',
        PULSEBASE_ML_TRAINING_THREADS: '1',
      })
      await server.app.startWorker()
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('debug routes answer in plain text; redeploy runs nothing', async () => {
      assert.deepEqual(await get('/debug/get/exists'), {
        status: 200,
        text: 'Success',
        type: 'text/html; charset=utf-8',
      })
      assert.equal((await get('/debug/get/version/server')).text, '3.2.1')
      assert.equal((await get('/debug/get/version/tf_model_handler')).text, '1.0.10')
      assert.match((await get('/debug/get/version/tensorflow')).text, /^4\.\d+\.\d+$/)
      assert.match(
        (await get('/debug/get/time')).text,
        /^([1-9]|1[0-2])-([1-9]|[12]\d|3[01])-\d{4} ([0-9]|1\d|2[0-3]):([0-9]|[1-5]\d):([0-9]|[1-5]\d)$/,
      )
      assert.equal((await get('/debug/get/training_failure')).text, '<TRAINING NOT FAILED YET>')
      const echo = await post('/debug/post/echo', { b: [1, 2.5], a: 'x' })
      assert.deepEqual(
        [echo.status, echo.text, echo.type],
        [200, '{"a":"x","b":[1,2.5]}\n', 'application/json; charset=utf-8'],
      )
      assert.equal((await post('/debug/post/redeploy', {})).status, 404)
      assert.deepEqual(await post('/debug/post/enable_logging', JSON.stringify(JSON.stringify({ ENABLED: 'True' }))), {
        status: 200,
        text: 'Successfully set ENABLED to True',
        type: 'text/html; charset=utf-8',
      })
      assert.equal(
        (await post('/debug/post/enable_logging', { ENABLED: 'False' })).text,
        'Successfully set ENABLED to False',
      )
      assert.deepEqual(
        [
          (await post('/debug/post/enable_logging', { ENABLED: 'yes' })).status,
          (await post('/debug/post/enable_logging', { ENABLED: 'yes' })).text,
        ],
        [401, 'ENABLED not a valid value'],
      )
      assert.deepEqual(
        [(await post('/debug/post/enable_logging', {})).status, (await post('/debug/post/enable_logging', {})).text],
        [401, 'Error, no ENABLED provided'],
      )
      assert.deepEqual(
        [
          (await post('/debug/post/enable_logging', '{nope')).status,
          (await post('/debug/post/enable_logging', '{nope')).text,
        ],
        [400, 'Error, not valid JSON'],
      )
    })

    test('keep_alive registers Pis (double-encoded bodies too); list_of_servers shows the live ones with their address', async () => {
      assert.deepEqual(
        [
          (await post('/server/post/keep_alive', { ID: 1 })).status,
          (await post('/server/post/keep_alive', { ID: 1 })).text,
        ],
        [401, 'Error, no name provided'],
      )
      assert.deepEqual(
        [
          (await post('/server/post/keep_alive', { NAME: 'door' })).status,
          (await post('/server/post/keep_alive', { NAME: 'door' })).text,
        ],
        [402, 'Error, no id provided'],
      )
      assert.equal((await post('/server/post/keep_alive', { NAME: 'door', ID: 40000 })).status, 402)
      assert.deepEqual(
        [
          (await post('/server/post/keep_alive', 'not json')).status,
          (await post('/server/post/keep_alive', 'not json')).text,
        ],
        [400, 'Error, not valid JSON'],
      )
      assert.deepEqual(
        await post(
          '/server/post/keep_alive',
          JSON.stringify(JSON.stringify({ NAME: 'hall door', ID: 7 })),
          'text/plain',
        ),
        { status: 200, text: 'Success', type: 'text/html; charset=utf-8' },
      )
      assert.equal((await post('/server/post/keep_alive', { NAME: 'lab door', ID: 3 })).text, 'Success')
      assert.equal(
        (await post('/server/post/keep_alive', { NAME: 'hall door 2', ID: 7 })).text,
        'Success',
        'the same ID again: refreshed and renamed',
      )
      const list = await get('/app/get/list_of_servers')
      assert.equal(list.status, 200)
      assert.equal(
        list.text,
        '[{"addr": "127.0.0.1", "name": "hall door 2", "id": 7}, {"addr": "127.0.0.1", "name": "lab door", "id": 3}]',
      )

      // Pi 3 falls silent for longer than the seed's 30 s: its stored contact time is moved back.
      const pi3 = await server.app.database.db
        .selectFrom('compat_csi_servers')
        .select('device_id')
        .where('seed_id', '=', 3)
        .executeTakeFirstOrThrow()
      await server.app.database.db
        .updateTable('devices')
        .set({ last_seen_at: Date.now() - 31_000 })
        .where('id', '=', pi3.device_id)
        .execute()
      assert.equal(
        (await get('/app/get/list_of_servers')).text,
        '[{"addr": "127.0.0.1", "name": "hall door 2", "id": 7}]',
      )
    })

    test('training takes the DATA sent: the seed statuses and errors, then FINISHED_TRAINING and a training time', async () => {
      assert.equal((await get('/training/get/training_status')).text, 'MODEL_DOESNT_EXIST')
      assert.equal((await get('/training/get/training_time')).text, '0.0')
      assert.deepEqual(
        [
          (await post('/ml/post/inference', { payload: '[1, 2]' })).status,
          (await post('/ml/post/inference', { payload: '[1, 2]' })).text,
        ],
        [503, 'Error, no trained model yet'],
      )
      assert.equal((await get('/ml/get/inference_results')).text, 'DATA NOT AVAILABLE')
      assert.equal((await get('/ml/get/test_predicition_results')).text, 'DATA NOT AVAILABLE')
      const { data } = csiData(21)
      assert.deepEqual(
        [
          (await post('/training/post/train', { DATA: data })).status,
          (await post('/training/post/train', { DATA: data })).text,
        ],
        [401, 'Error, no type provided'],
      )
      assert.deepEqual(
        [
          (await post('/training/post/train', { TYPE: 'CSI' })).status,
          (await post('/training/post/train', { TYPE: 'CSI' })).text,
        ],
        [402, 'Error, no data provided'],
      )
      assert.deepEqual(
        [
          (await post('/training/post/train', { TYPE: 'WIFI', DATA: data })).status,
          (await post('/training/post/train', { TYPE: 'WIFI', DATA: data })).text,
        ],
        [403, "Error, data type specified doesn't exist"],
      )
      const ragged = await post('/training/post/train', { TYPE: 'CSI', DATA: [data[0], data[1]!.slice(0, 3)] })
      assert.equal(ragged.status, 400)
      assert.match(ragged.text, /^Error, DATA does not match TYPE CSI/)
      assert.equal((await post('/training/post/train', { TYPE: 'RSSI', DATA: [[1, 2]] })).status, 400)

      assert.deepEqual(
        await post('/training/post/train', JSON.stringify(JSON.stringify({ TYPE: 'CSI', DATA: data }))),
        { status: 200, text: 'Success', type: 'text/html; charset=utf-8' },
      )
      assert.ok(
        ['START_TRAINING', 'TRAINING_IN_PROGRESS', 'FINISHED_TRAINING'].includes(
          (await get('/training/get/training_status')).text,
        ),
      )
      const status = await pollUntil(
        () => get('/training/get/training_status'),
        (r) => r.text === 'FINISHED_TRAINING' || r.text === 'TRAINING_FAILED',
        'training to finish',
      )
      assert.equal(status.text, 'FINISHED_TRAINING', (await get('/debug/get/training_failure')).text)
      const seconds = (await get('/training/get/training_time')).text
      assert.match(seconds, /^\d+\.\d+$/)
      assert.ok(Number(seconds) > 0)
    })

    test('inference: malformed packets refused in the seed spelling; a frame is queued, then its prediction is read back', async () => {
      for (const payload of [
        undefined,
        5,
        '1,2,3',
        '[[1,2]]',
        '[1,2,x]',
        `[${Array.from({ length: 2 * SUBCARRIERS - 1 }, () => 1).join(',')}]`,
      ]) {
        const reply = await post('/ml/post/inference', payload === undefined ? {} : { payload })
        assert.deepEqual([reply.status, reply.text], [400, 'Malformed Packet Recieved'], String(payload))
      }
      const { csi } = csiData(21)
      const frame = csi.frame(60, 1000)
      const payload = `[${[...frame.magnitude, ...frame.phase].join(', ')}]`
      assert.deepEqual(await post('/ml/post/inference', JSON.stringify({ payload })), {
        status: 200,
        text: 'Success',
        type: 'text/html; charset=utf-8',
      })
      const results = await pollUntil(
        () => get('/ml/get/inference_results'),
        (r) => r.text !== 'DATA NOT AVAILABLE',
        'the prediction',
      )
      assert.equal(results.type, 'application/json; charset=utf-8')
      assert.match(
        results.text,
        /^\{"PREDICTION_M":\[\d+\.0\],"PREDICTION_M_CLASS":\[\[[^\]]+\]\],"PREDICTION_P":\[\d+\.0\],"PREDICTION_P_CLASS":\[\[[^\]]+\]\]\}\n$/,
      )
      const body = JSON.parse(results.text)
      assert.equal(body.PREDICTION_M_CLASS[0].length, 7)
      assert.ok(Math.abs(body.PREDICTION_P_CLASS[0].reduce((a: number, b: number) => a + b, 0) - 1) < 1e-4)
      assert.ok(
        [body.PREDICTION_M[0], body.PREDICTION_P[0]].includes(60),
        `predicted ${body.PREDICTION_M[0]} / ${body.PREDICTION_P[0]} for 60`,
      )

      const test = JSON.parse((await get('/ml/get/test_predicition_results')).text)
      assert.deepEqual(Object.keys(test), [
        'TEST_PREDICTION_M',
        'TEST_PREDICTION_M_CLASS',
        'TEST_PREDICTION_P',
        'TEST_PREDICTION_P_CLASS',
      ])
      assert.equal(test.TEST_PREDICTION_M.length, 7 * Math.round(POINTS * 0.1), "the seed's 10 % of each angle")
      assert.ok(test.TEST_PREDICTION_P_CLASS.every((row: number[]) => row.length === 7))
    })

    test('seed routes stay plain text on errors, and pulsebase routes keep their own', async () => {
      const api = client(server.url)
      assert.equal((await api.get('/v1/devices')).status, 401)
      assert.equal((await get('/ml/get/nothing')).status, 404)
    })
  })
}

describe('the CSI seed API is off without PULSEBASE_COMPAT=csi', () => {
  let server: TestApp
  before(async () => {
    server = await startTestApp()
  })
  after(() => server?.close())
  test('its routes are 404', async () => {
    assert.equal((await raw(server, 'GET', '/debug/get/exists')).status, 404)
    assert.equal((await raw(server, 'POST', '/server/post/keep_alive', '{"NAME":"x","ID":1}')).status, 404)
  })
})
