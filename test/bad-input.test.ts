// Bad input gets a 4xx in the one error body and nothing is stored, on every database (issue 11,
// point 1): no silent coercion, finite query numbers, bounded nesting, text every database stores,
// strict UTF-8, a BOM ignored, Fastify's own errors in our shape.
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { credentials, loadPackageDefinition, Metadata, type ServiceError, status } from '@grpc/grpc-js'
import { connectAsync } from 'mqtt'
import { loadProto } from '../src/platform/grpc/grpc-server.js'
import { after, before, describe, test } from 'node:test'
import { client, type Client, signUp, startTestApp, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { gameSession } from './helpers/game-sessions.js'
import { simulatedSessions, toV1Body } from './helpers/meditation.js'
import { csiFrames, newDevice } from './helpers/sensors.js'

const targets = (await databaseTargets()).filter((t) => t.kind !== 'mysql')

/** Sends `body` bytes as they are (fetch would re-encode text). */
function rawPost(
  url: string,
  path: string,
  body: Buffer | string,
  contentType: string,
  token?: string,
): Promise<{ status: number; body: any }> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(token && { authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  }).then(async (r) => {
    const text = await r.text()
    return { status: r.status, body: text === '' ? text : JSON.parse(text) }
  })
}

function assertErrorBody(reply: { status: number; body: any }, status: number, code: string) {
  assert.equal(reply.status, status, JSON.stringify(reply.body))
  assert.equal(reply.body.error.code, code)
  assert.equal(typeof reply.body.error.message, 'string')
  assert.ok(Array.isArray(reply.body.error.details))
}

for (const target of targets) {
  describe(`bad input on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client
    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url, PULSEBASE_MQTT_PORT: '0' })
      api = client(server.url)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('body fields are not coerced: "Infinity", null and true are not numbers, and nothing is stored', async () => {
      const user = await signUp(api)
      const session = toV1Body(simulatedSessions(1, 5).sessions[0]!)
      const bad = {
        ...session,
        periods: session.periods.map((p: any, i: number) => (i === 0 ? { ...p, durationSeconds: 'Infinity' } : p)),
      }
      const reply = await api.post('/v1/meditation/sessions', bad, user.accessToken)
      assertErrorBody(reply, 400, 'invalid_argument')
      assert.match(reply.body.error.details[0].path, /^body\.periods\.0/)
      const list = await api.get('/v1/meditation/sessions', user.accessToken)
      assert.deepEqual([list.status, list.body.sessions.length], [200, 0])
      const settings = await api.patch(
        '/v1/me',
        { settings: { heartRate: { highAlert: 'Infinity' } } },
        user.accessToken,
      )
      assertErrorBody(settings, 400, 'invalid_argument')
      for (const v of [['Infinity', 2], [null], [true], ['1']]) {
        const upload = gameSession()
        upload.channels[0]!.samples[0]!.v = v as never
        assertErrorBody(await api.post('/v1/game-sessions', upload, user.accessToken), 400, 'invalid_argument')
      }
      const games = await api.get('/v1/game-sessions', user.accessToken)
      assert.deepEqual([games.status, games.body.sessions.length], [200, 0])
    })

    test('numbers beyond ±2^53 and non-finite ones are refused in bodies and query strings', async () => {
      const user = await signUp(api)
      const unsafe = await rawPost(
        server.url,
        '/v1/game-sessions',
        JSON.stringify({ ...gameSession(), endedAt: 1 }).replace('"endedAt":1', '"endedAt":9007199254740993'),
        'application/json',
        user.accessToken,
      )
      assertErrorBody(unsafe, 400, 'invalid_argument')
      const overflow = await rawPost(
        server.url,
        '/v1/game-sessions',
        JSON.stringify(gameSession()).replace('"score":', '"score":1e309,"x":'),
        'application/json',
        user.accessToken,
      )
      assertErrorBody(overflow, 400, 'invalid_argument')
      for (const query of [
        'limit=Infinity',
        'limit=1e309',
        'limit=-Infinity',
        'limit=NaN',
        'limit=99999999999999999999',
      ]) {
        assertErrorBody(await api.get(`/v1/sync?${query}`, user.accessToken), 400, 'invalid_argument')
        assertErrorBody(await api.get(`/v1/game-sessions?${query}`, user.accessToken), 400, 'invalid_argument')
      }
      assert.equal((await api.get('/v1/sync?limit=10', user.accessToken)).status, 200)
      assert.equal((await api.get('/v1/game-sessions', user.accessToken)).body.sessions.length, 0)
    })

    test('a 10,000-level body is a 400, not a stack overflow', async () => {
      const user = await signUp(api)
      const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`
      for (const path of ['/v1/game-sessions', '/v1/meditation/sessions', '/v1/auth/login']) {
        const reply = await rawPost(server.url, path, `{"x":${deep}}`, 'application/json', user.accessToken)
        assertErrorBody(reply, 400, 'invalid_argument')
      }
      assert.equal((await api.get('/healthz')).status, 200)
    })

    test('NUL, lone surrogates and invalid UTF-8 are refused everywhere; a leading BOM is ignored', async () => {
      const user = await signUp(api)
      const nul = await api.post('/v1/devices', { name: 'a\u0000b', kind: 'phone' }, user.accessToken)
      assertErrorBody(nul, 400, 'invalid_argument')
      assert.equal(nul.body.error.details[0].path, 'body.name')
      assertErrorBody(
        await rawPost(
          server.url,
          '/v1/devices',
          '{"name":"a\\ud800b","kind":"phone"}',
          'application/json',
          user.accessToken,
        ),
        400,
        'invalid_argument',
      )
      assertErrorBody(
        await rawPost(
          server.url,
          '/v1/devices',
          Buffer.from([...Buffer.from('{"name":"a'), 0xff, 0xfe, ...Buffer.from('","kind":"phone"}')]),
          'application/json',
          user.accessToken,
        ),
        400,
        'invalid_argument',
      )
      assertErrorBody(await api.get('/v1/game-sessions/a%00b', user.accessToken), 400, 'invalid_argument')
      assertErrorBody(await api.get('/v1/game-sessions?game=a%00b', user.accessToken), 400, 'invalid_argument')
      const listed = await api.get('/v1/devices', user.accessToken)
      assert.deepEqual([listed.status, listed.body.devices.length], [200, 0])
      const bom = await rawPost(
        server.url,
        '/v1/devices',
        `\uFEFF${JSON.stringify({ name: 'watch', kind: 'watch' })}`,
        'application/json',
        user.accessToken,
      )
      assert.equal(bom.status, 201, JSON.stringify(bom.body))
      const upload = await rawPost(
        server.url,
        '/v1/game-sessions',
        `\uFEFF${JSON.stringify(gameSession())}`,
        'application/json',
        user.accessToken,
      )
      assert.equal(upload.status, 202, JSON.stringify(upload.body))
    })

    test("Fastify's own errors answer in the one error body: 415, 414, 431 and a bad URL", async () => {
      assertErrorBody(
        await rawPost(server.url, '/v1/auth/login', '{"email":"a@b.co","password":"x"}', 'text/plain'),
        415,
        'unsupported_media_type',
      )
      const badUrl = await api.get('/v1/game-sessions/%zz')
      assertErrorBody(badUrl, 400, 'invalid_argument')
      assertErrorBody(await api.get(`/v1/game-sessions/${'a'.repeat(1000)}`), 404, 'not_found')
      const overflow = (path: string, headers: Record<string, string>) =>
        new Promise<{ status: number; body: any }>((resolve, reject) => {
          const req = httpRequest(`${server.url}${path}`, { headers }, (res) => {
            let text = ''
            res.on('data', (chunk) => (text += chunk))
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }))
          })
          req.on('error', reject)
          req.end()
        })
      assertErrorBody(await overflow('/v1/devices', { 'x-filler': 'a'.repeat(20_000) }), 431, 'headers_too_large')
      assertErrorBody(await overflow(`/v1/devices?x=${'a'.repeat(20_000)}`, {}), 431, 'headers_too_large')
    })

    test('gRPC and MQTT refuse the same text and numbers, and store nothing', async () => {
      const user = await signUp(api)
      const pi = await newDevice(api, user.accessToken)
      const frame = csiFrames(1)[0]!
      const pkg = loadPackageDefinition(loadProto('pulsebase/v1/sensors.proto')) as any
      const grpc = new pkg.pulsebase.v1.Sensors(server.grpcAddress, credentials.createInsecure())
      const metadata = new Metadata()
      metadata.set('authorization', `Bearer ${pi.apiKey}`)
      const message = {
        frames: [
          {
            kind: 'csi\u0000x',
            timestampMs: frame.timestamp,
            channels: [{ name: 'magnitude', values: frame.channels.magnitude }],
          },
        ],
      }
      const refused = await new Promise<ServiceError>((resolve) =>
        grpc.SubmitFrames(message, metadata, (error: ServiceError) => resolve(error)),
      )
      grpc.close()
      assert.equal(refused?.code, status.INVALID_ARGUMENT)
      assert.match(refused.details, /NUL/)
      const mqtt = await connectAsync(server.mqttUrl!, {
        username: pi.id,
        password: pi.apiKey,
        reconnectPeriod: 0,
        connectTimeout: 5000,
      })
      try {
        await mqtt.subscribeAsync(`devices/${pi.id}/frames/+/verdicts`, { qos: 0 })
        const verdicts = new Promise<any>((resolve) =>
          mqtt.once('message', (_topic, payload) => resolve(JSON.parse(payload.toString()))),
        )
        const deep = `{"timestamp":${frame.timestamp},"channels":{"magnitude":${'['.repeat(5000)}${']'.repeat(5000)}}}`
        await mqtt.publishAsync(`devices/${pi.id}/frames/csi`, deep, { qos: 1 })
        assert.equal((await verdicts).verdicts[0].reason, 'frame_invalid')
        const nul = new Promise<any>((resolve) =>
          mqtt.once('message', (_topic, payload) => resolve(JSON.parse(payload.toString()))),
        )
        await mqtt.publishAsync(
          `devices/${pi.id}/frames/csi`,
          JSON.stringify({ timestamp: frame.timestamp, channels: { 'a\u0000b': [1] } }),
          { qos: 1 },
        )
        assert.match((await nul).verdicts[0].message, /NUL/)
      } finally {
        await mqtt.endAsync()
      }
      const read = await api.get(
        `/v1/sensor-frames?deviceId=${pi.id}&kind=csi&from=${frame.timestamp - 1000}`,
        user.accessToken,
      )
      assert.deepEqual(
        [read.status, read.body.error?.code],
        [404, 'not_found'],
        'no csi frame of this device was stored',
      )
    })

    test('no stored record poisons reads: dates beyond 9999 are refused, a damaged row is left out of lists and can be deleted', async () => {
      const user = await signUp(api)
      for (const endedAt of [8_700_000_000_000_000, '8700000000000000', 253_402_300_800_000]) {
        assertErrorBody(
          await api.post('/v1/game-sessions', { ...gameSession(), endedAt }, user.accessToken),
          400,
          'invalid_argument',
        )
      }
      const good = await api.post('/v1/game-sessions', gameSession(), user.accessToken)
      assert.equal(good.status, 202)
      const damaged = await api.post('/v1/game-sessions', gameSession(), user.accessToken)
      // A row written before these checks existed: its end no date type can show.
      await server.app.database.db
        .updateTable('game_sessions')
        .set({ ended_at: 8_700_000_000_000_000 })
        .where('id', '=', damaged.body.id)
        .execute()
      const list = await api.get('/v1/game-sessions', user.accessToken)
      assert.deepEqual([list.status, list.body.sessions.map((s: { id: string }) => s.id)], [200, [good.body.id]])
      assert.equal((await api.get('/v1/sync', user.accessToken)).status, 200)
      assert.equal((await api.get('/v1/progress/games/tap-speed', user.accessToken)).status, 200)
      const other = await signUp(api)
      assertErrorBody(await api.delete(`/v1/game-sessions/${damaged.body.id}`, other.accessToken), 404, 'not_found')
      assert.equal((await api.delete(`/v1/game-sessions/${damaged.body.id}`, user.accessToken)).status, 204)
      assertErrorBody(await api.get(`/v1/game-sessions/${damaged.body.id}`, user.accessToken), 404, 'not_found')
      assertErrorBody(await api.delete(`/v1/game-sessions/${damaged.body.id}`, user.accessToken), 404, 'not_found')
      const changes = (await api.get('/v1/sync', user.accessToken)).body
      assert.ok(JSON.stringify(changes).includes('deleted'), 'the deletion is a sync change')
    })
  })
}
