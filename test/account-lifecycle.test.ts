// The account lifecycle from the user's side, on every database: delete my account (everything of
// mine goes, every credential and live stream ends), admin deletion, change password (other
// sessions end), password reset by mail (single use, no account enumeration).
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { client, type Client, signUp, startTestApp, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { connect } from './helpers/sockets.js'
import yauzl from 'yauzl'

/** Every entry of a zip archive: name -> bytes. */
async function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, file) => (err ? reject(err) : resolve(file))),
  )
  const entries = new Map<string, Buffer>()
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err)
        const parts: Buffer[] = []
        stream.on('data', (p: Buffer) => parts.push(p))
        stream.on('end', () => (entries.set(entry.fileName, Buffer.concat(parts)), zip.readEntry()))
      })
    })
    zip.on('end', () => resolve())
    zip.on('error', reject)
    zip.readEntry()
  })
  return entries
}

const ADMIN = { email: 'root@example.com', password: 'correct horse battery' }

/** Resolves when the server ends the socket (it never reconnects by itself). */
const disconnected = (socket: ReturnType<typeof connect> extends Promise<infer S> ? S : never) =>
  new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket was not disconnected within 10 s')), 10_000)
    socket.once('disconnect', (reason) => (clearTimeout(timer), resolve(reason)))
  })

/** The mails in the outbox folder so far, as text. */
function outbox(server: TestApp): string[] {
  const folder = join(server.dataDir, 'outbox')
  if (!existsSync(folder)) return []
  return readdirSync(folder)
    .filter((n) => n.endsWith('.eml'))
    .sort()
    .map((n) => readFileSync(join(folder, n), 'utf8'))
}

async function mailFor(server: TestApp, email: string, before: number): Promise<string> {
  for (let i = 0; i < 200; i += 1) {
    const mail = outbox(server)
      .slice(before)
      .find((m) => m.includes(`To: ${email}`))
    // The text part is quoted-printable: undo its soft line breaks and escapes.
    if (mail !== undefined)
      return mail
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`no mail to ${email}`)
}

for (const target of await databaseTargets()) {
  describe(`account lifecycle on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client
    before(async () => {
      db = await target.create()
      server = await startTestApp({
        PULSEBASE_DATABASE_URL: db.url,
        PULSEBASE_ADMIN_EMAIL: ADMIN.email,
        PULSEBASE_ADMIN_PASSWORD: ADMIN.password,
      })
      api = client(server.url)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    /** A user with a device, samples, a stored model with files, and a live socket. */
    async function populatedUser() {
      const user = await signUp(api)
      const { apiKey } = (await api.post('/v1/devices', { name: 'watch', kind: 'watch' }, user.accessToken)).body
      const posted = await api.post(
        '/v1/heart-rate/samples',
        { samples: [{ timestamp: new Date(Date.now() - 60_000).toISOString(), bpm: 70 }] },
        apiKey,
      )
      assert.equal(posted.status, 200, JSON.stringify(posted.body))
      const modelId = randomUUID()
      await server.app.database.db
        .insertInto('ml_models')
        .values({
          id: modelId,
          user_id: user.userId,
          kind: 'meditation',
          version: 1,
          params: '{}',
          data_from: null,
          data_to: null,
          examples: 1,
          metrics: '{}',
          artifact: `models/${modelId}`,
          training_job_id: randomUUID(),
          created_at: Date.now(),
        })
        .execute()
      await server.app.blobs.put(`models/${modelId}/model.json`, '{}')
      const upload = await fetch(`${server.url}/v1/playground/uploads?name=mine`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', authorization: `Bearer ${user.accessToken}` },
        body: 'x,y\n1,a\n2,b\n3,a\n',
      })
      assert.equal(upload.status, 201, await upload.clone().text())
      const datasetId = ((await upload.json()) as { id: string }).id
      const socket = await connect(server.url, user.accessToken)
      return { ...user, apiKey, modelId, datasetId, socket }
    }

    async function countRows(userId: string) {
      const db = server.app.database.db
      const count = async (table: 'devices' | 'heart_rate_streams' | 'auth_sessions' | 'ml_models') =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll().as('n'))
              .where('user_id', '=', userId)
              .executeTakeFirstOrThrow()
          ).n,
        )
      // Samples belong to a user through their stream (user, device).
      const samples = Number(
        (
          await db
            .selectFrom('heart_rate_samples')
            .innerJoin('heart_rate_streams', 'heart_rate_streams.id', 'heart_rate_samples.stream_id')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('heart_rate_streams.user_id', '=', userId)
            .executeTakeFirstOrThrow()
        ).n,
      )
      return {
        devices: await count('devices'),
        samples,
        sessions: await count('auth_sessions'),
        models: await count('ml_models'),
      }
    }

    /** Every table with a `user_id` column (any module's) that holds rows of the user, by name. */
    async function tablesHolding(userId: string): Promise<string[]> {
      const db = server.app.database.db
      const tables = (await db.introspection.getTables()).filter((t) => t.columns.some((c) => c.name === 'user_id'))
      const holding: string[] = []
      for (const { name } of tables) {
        const row = await db
          .selectFrom(name as 'devices')
          .select('user_id')
          .where('user_id', '=', userId)
          .limit(1)
          .executeTakeFirst()
        if (row !== undefined) holding.push(name)
      }
      return holding.sort()
    }

    test('delete my account: a wrong password changes nothing; then every row, file, credential and stream of mine is gone', async () => {
      const user = await populatedUser()
      const other = await populatedUser()
      try {
        assert.equal(
          (await api.call('DELETE', '/v1/me', { password: 'not my password' }, user.accessToken)).status,
          403,
        )
        assert.equal((await api.get('/v1/me', user.accessToken)).status, 200)
        assert.deepEqual(await countRows(user.userId), { devices: 1, samples: 1, sessions: 1, models: 1 })
        const held = await tablesHolding(user.userId)
        for (const table of ['auth_sessions', 'devices', 'heart_rate_streams', 'ml_models', 'playground_datasets'])
          assert.ok(held.includes(table), `${table} holds the user's rows before (${held.join(', ')})`)

        const ended = disconnected(user.socket)
        assert.equal((await api.call('DELETE', '/v1/me', { password: user.password }, user.accessToken)).status, 204)
        assert.equal(await ended, 'io server disconnect')
        assert.deepEqual(await countRows(user.userId), { devices: 0, samples: 0, sessions: 0, models: 0 })
        assert.deepEqual(await tablesHolding(user.userId), [], "no module's table keeps a row of mine")
        assert.deepEqual(await server.app.blobs.list(`models/${user.modelId}/`), [])
        assert.deepEqual(
          await server.app.blobs.list(`playground/datasets/${user.datasetId}`),
          [],
          'the uploaded dataset',
        )
        assert.equal((await api.get('/v1/me', user.accessToken)).status, 401, 'the access token')
        assert.equal((await api.get('/v1/me', user.apiKey)).status, 401, 'the device key')
        assert.equal(
          (await api.post('/v1/auth/refresh', { refreshToken: user.refreshToken })).status,
          401,
          'the refresh token',
        )
        assert.equal((await api.post('/v1/auth/login', { email: user.email, password: user.password })).status, 401)

        assert.deepEqual(
          await countRows(other.userId),
          { devices: 1, samples: 1, sessions: 1, models: 1 },
          'another user keeps everything',
        )
        assert.equal((await server.app.blobs.list(`models/${other.modelId}/`)).length, 1)
        assert.equal((await server.app.blobs.list(`playground/datasets/${other.datasetId}`)).length, 1)
        assert.ok(other.socket.connected)
      } finally {
        user.socket.close()
        other.socket.close()
      }
    })

    test('an admin deletes a user (404 for one that does not exist); a user may not', async () => {
      const admin = (await api.post('/v1/auth/login', ADMIN)).body
      const user = await populatedUser()
      try {
        assert.equal((await api.delete(`/v1/admin/users/${user.userId}`, user.accessToken)).status, 403)
        const ended = disconnected(user.socket)
        assert.equal((await api.delete(`/v1/admin/users/${user.userId}`, admin.accessToken)).status, 204)
        await ended
        assert.deepEqual(await countRows(user.userId), { devices: 0, samples: 0, sessions: 0, models: 0 })
        assert.equal((await api.get('/v1/me', user.apiKey)).status, 401)
        const missing = await api.delete(`/v1/admin/users/${user.userId}`, admin.accessToken)
        assert.equal(missing.status, 404)
        assert.equal(missing.body.error.code, 'not_found')
      } finally {
        user.socket.close()
      }
    })

    test('change password: the current one is checked; other sessions and their streams end, this one and device keys stay', async () => {
      const user = await signUp(api)
      const second = (await api.post('/v1/auth/login', { email: user.email, password: user.password })).body
      const { apiKey } = (await api.post('/v1/devices', { name: 'watch', kind: 'watch' }, user.accessToken)).body
      const otherSocket = await connect(server.url, second.accessToken)
      const deviceSocket = await connect(server.url, apiKey)
      try {
        assert.equal(
          (
            await api.post(
              '/v1/me/password',
              { currentPassword: 'wrong password', newPassword: 'a new long password' },
              user.accessToken,
            )
          ).status,
          403,
        )
        assert.equal(
          (
            await api.post(
              '/v1/me/password',
              { currentPassword: user.password, newPassword: 'short' },
              user.accessToken,
            )
          ).status,
          400,
        )
        const ended = disconnected(otherSocket)
        assert.equal(
          (
            await api.post(
              '/v1/me/password',
              { currentPassword: user.password, newPassword: 'a new long password' },
              user.accessToken,
            )
          ).status,
          204,
        )
        await ended
        assert.equal((await api.get('/v1/me', second.accessToken)).status, 401, 'the other session ended')
        assert.equal((await api.get('/v1/me', user.accessToken)).status, 200, 'this session goes on')
        assert.equal((await api.get('/v1/me', apiKey)).status, 200, 'device keys are not passwords')
        assert.ok(deviceSocket.connected)
        assert.equal((await api.post('/v1/auth/login', { email: user.email, password: user.password })).status, 401)
        assert.equal(
          (await api.post('/v1/auth/login', { email: user.email, password: 'a new long password' })).status,
          200,
        )
      } finally {
        otherSocket.close()
        deviceSocket.close()
      }
    })

    test('password reset by mail: same answer for unknown addresses, a single-use token, every session ends', async () => {
      const user = await signUp(api)
      const mailsBefore = outbox(server).length
      const unknown = await api.post('/v1/auth/password-reset', { email: 'nobody-here@example.com' })
      const known = await api.post('/v1/auth/password-reset', { email: user.email.toUpperCase() })
      assert.deepEqual([unknown.status, known.status], [202, 202])
      assert.equal(unknown.body, known.body)
      const mail = await mailFor(server, user.email, mailsBefore)
      assert.ok(
        !outbox(server)
          .slice(mailsBefore)
          .some((m) => m.includes('nobody-here@example.com')),
        'no mail to an address without an account',
      )
      const token = /pbp_[A-Za-z0-9_-]+/.exec(mail)?.[0]
      assert.ok(token !== undefined, 'the mail carries the token')

      assert.equal(
        (await api.post('/v1/auth/password-reset/confirm', { token: `${token}x`, newPassword: 'reset password 1' }))
          .status,
        400,
      )
      assert.equal(
        (await api.post('/v1/auth/password-reset/confirm', { token, newPassword: 'reset password 1' })).status,
        204,
      )
      assert.equal((await api.get('/v1/me', user.accessToken)).status, 401, 'sessions end with a reset')
      const again = await api.post('/v1/auth/password-reset/confirm', { token, newPassword: 'reset password 2' })
      assert.equal(again.status, 400, 'single use')
      assert.equal(again.body.error.details[0].path, 'body.token')
      assert.equal((await api.post('/v1/auth/login', { email: user.email, password: 'reset password 1' })).status, 200)
    })

    test('device key rotation: the new key works at once, the old one for its grace period only', async () => {
      const user = await signUp(api)
      const { device, apiKey: first } = (
        await api.post('/v1/devices', { name: 'pi', kind: 'raspberry-pi' }, user.accessToken)
      ).body
      assert.equal((await api.get('/v1/me', first)).status, 200) // cached now
      const rotated = await api.post(`/v1/devices/${device.id}/rotate-key`, { graceSeconds: 3600 }, user.accessToken)
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body))
      const second = rotated.body.apiKey as string
      assert.notEqual(second, first)
      assert.ok(second.startsWith(rotated.body.device.keyPrefix))
      assert.ok(Date.parse(rotated.body.previousKeyExpiresAt) > Date.now() + 3500_000)
      assert.deepEqual(
        [(await api.get('/v1/me', second)).status, (await api.get('/v1/me', first)).status],
        [200, 200],
        'both keys during the grace period',
      )

      const third = (await api.post(`/v1/devices/${device.id}/rotate-key`, { graceSeconds: 0 }, user.accessToken)).body
        .apiKey as string
      assert.equal((await api.get('/v1/me', third)).status, 200)
      assert.equal((await api.get('/v1/me', second)).status, 401, 'no grace: the replaced key stops at once')
      assert.equal((await api.get('/v1/me', first)).status, 401, 'only one previous key is kept')

      assert.equal(
        (await api.post(`/v1/devices/${device.id}/rotate-key`, { graceSeconds: -1 }, user.accessToken)).status,
        400,
      )
      assert.equal(
        (await api.post(`/v1/devices/${device.id}/rotate-key`, {}, third)).status,
        403,
        'a device key cannot rotate keys',
      )
      const stranger = await signUp(api)
      assert.equal((await api.post(`/v1/devices/${device.id}/rotate-key`, {}, stranger.accessToken)).status, 404)
      await api.post(`/v1/devices/${device.id}/revoke`, undefined, user.accessToken)
      assert.equal((await api.post(`/v1/devices/${device.id}/rotate-key`, {}, user.accessToken)).status, 409)
    })

    test("export all my data: one zip of JSON files with every row of mine and my models' files, no secrets, nothing of others", async () => {
      const user = await populatedUser()
      const other = await populatedUser()
      user.socket.close()
      other.socket.close()
      await api.post(
        '/v1/heart-rate/samples',
        { samples: [{ timestamp: new Date(Date.now() - 30_000).toISOString(), bpm: 81 }] },
        user.accessToken,
      )
      const response = await fetch(`${server.url}/v1/me/export`, {
        headers: { authorization: `Bearer ${user.accessToken}` },
      })
      assert.equal(response.status, 200)
      assert.equal(response.headers.get('content-type'), 'application/zip')
      assert.match(response.headers.get('content-disposition') ?? '', /attachment; filename="pulsebase-export-/)
      const entries = await unzip(Buffer.from(await response.arrayBuffer()))
      const json = (name: string) => JSON.parse((entries.get(name) ?? Buffer.from('null')).toString('utf8'))
      assert.equal(json('account.json').email, user.email)
      assert.deepEqual(
        json('heart-rate-samples.json')
          .map((s: { bpm: number }) => s.bpm)
          .sort(),
        [70, 81],
      )
      const devices = json('devices.json')
      assert.equal(devices.length, 1)
      assert.equal(devices[0].key_hash, undefined, 'no key hashes')
      assert.equal(json('models.json')[0].id, user.modelId)
      assert.equal(entries.get(`models/${user.modelId}/model.json`)?.toString(), '{}')
      const everything = [...entries.values()].map((b) => b.toString('utf8')).join('\n')
      assert.ok(!everything.includes(other.userId), "nothing of another user's")
      assert.ok(!everything.includes('scrypt$'), 'no password hash')
      assert.equal(
        (await fetch(`${server.url}/v1/me/export`, { headers: { authorization: `Bearer ${user.apiKey}` } })).status,
        403,
        'a person, not a device key',
      )
    })

    // Last in this suite: it spends this client address's budget of reset requests.
    test('password-reset requests are limited per e-mail address (with or without an account) and per client address', async () => {
      const reset = (email: string) => api.post('/v1/auth/password-reset', { email })
      const flooded = `flooded-${randomUUID()}@example.com`
      for (let i = 0; i < 3; i += 1) assert.equal((await reset(flooded)).status, 202)
      const refused = await reset(flooded.toUpperCase())
      assert.equal(refused.status, 429, 'the same address, however spelt')
      assert.equal(refused.body.error.code, 'rate_limited')
      assert.ok(Number(refused.headers.get('retry-after')) > 0)
      // This client has made 2 requests in the test above and 4 here: 4 more fit its budget of 10.
      for (let i = 0; i < 4; i += 1) assert.equal((await reset(`other-${i}-${randomUUID()}@example.com`)).status, 202)
      const sprayed = await reset(`one-more-${randomUUID()}@example.com`)
      assert.equal(sprayed.status, 429, 'one client cannot spray many inboxes')
      assert.equal(sprayed.body.error.code, 'rate_limited')
    })
  })
}

describe('e-mail verification required (SQLite)', () => {
  let server: TestApp
  let api: Client
  before(async () => {
    server = await startTestApp({ PULSEBASE_EMAIL_VERIFICATION: 'required' })
    api = client(server.url)
  })
  after(() => server?.close())

  test('registration mails a token and gives no session; login waits for the token, which works once', async () => {
    const email = `verify-${Date.now()}@example.com`
    const before = outbox(server).length
    const registered = await api.post('/v1/auth/register', { email, password: 'correct horse battery' })
    assert.equal(registered.status, 202)
    assert.equal(registered.body.verificationRequired, true)
    assert.equal(registered.body.accessToken, undefined)
    const login = await api.post('/v1/auth/login', { email, password: 'correct horse battery' })
    assert.equal(login.status, 403)
    assert.match(login.body.error.message, /verify-email/)
    assert.equal(
      (await api.post('/v1/auth/login', { email, password: 'wrong password' })).status,
      401,
      'a wrong password still says only that',
    )

    const token = /pbv_[A-Za-z0-9_-]+/.exec(await mailFor(server, email, before))?.[0]
    assert.ok(token !== undefined)
    assert.equal((await api.post('/v1/auth/verify-email', { token })).status, 204)
    assert.equal((await api.post('/v1/auth/verify-email', { token })).status, 400, 'single use')
    assert.equal((await api.post('/v1/auth/login', { email, password: 'correct horse battery' })).status, 200)

    assert.equal((await api.post('/v1/auth/verify-email/resend', { email: 'nobody@example.com' })).status, 202)
    assert.equal((await api.post('/v1/auth/verify-email/resend', { email })).status, 202)
  })
})
