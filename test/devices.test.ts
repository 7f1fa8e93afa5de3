import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'

for (const target of await databaseTargets()) {
  describe(`devices on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client

    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url })
      api = client(server.url)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('create a device, use its key, rename, revoke and delete it', async () => {
      const user = await signUp(api)
      const created = await api.post('/v1/devices', { name: 'Pi in the hall', kind: 'raspberry-pi' }, user.accessToken)
      assert.equal(created.status, 201)
      const { device, apiKey } = created.body
      assert.match(apiKey, /^pbd_/)
      assert.ok(apiKey.startsWith(device.keyPrefix))
      assert.equal(device.lastSeenAt, null)

      const listed = await api.get('/v1/devices', user.accessToken)
      assert.deepEqual(
        listed.body.devices.map((d: { id: string }) => d.id),
        [device.id],
      )
      assert.equal(JSON.stringify(listed.body).includes(apiKey), false, 'the key is shown only once')

      const asBearer = await api.get('/v1/me', apiKey)
      assert.equal(asBearer.status, 200)
      assert.deepEqual(
        { user: asBearer.body.user.id, device: asBearer.body.device },
        { user: user.userId, device: { id: device.id } },
      )
      const asHeader = await api.get('/v1/me', undefined, { 'x-device-key': apiKey })
      assert.equal(asHeader.body.device.id, device.id)
      assert.notEqual((await api.get(`/v1/devices/${device.id}`, user.accessToken)).body.lastSeenAt, null)

      const renamed = await api.patch(`/v1/devices/${device.id}`, { name: 'Hall Pi' }, user.accessToken)
      assert.equal(renamed.body.name, 'Hall Pi')

      const revoked = await api.post(`/v1/devices/${device.id}/revoke`, undefined, user.accessToken)
      assert.equal(revoked.status, 200)
      assert.notEqual(revoked.body.revokedAt, null)
      const refused = await api.get('/v1/me', apiKey)
      assert.equal(refused.status, 401)
      assert.match(refused.body.error.message, /revoked/)

      assert.equal((await api.delete(`/v1/devices/${device.id}`, user.accessToken)).status, 204)
      assert.equal((await api.get(`/v1/devices/${device.id}`, user.accessToken)).status, 404)
      assert.equal((await api.get('/v1/me', apiKey)).status, 401)
    })

    test('a device key cannot manage devices or the account', async () => {
      const user = await signUp(api)
      const { apiKey, device } = (await api.post('/v1/devices', { name: 'watch', kind: 'watch' }, user.accessToken))
        .body
      for (const reply of [
        await api.post('/v1/devices', { name: 'x', kind: 'other' }, apiKey),
        await api.get('/v1/devices', apiKey),
        await api.delete(`/v1/devices/${device.id}`, apiKey),
        await api.patch('/v1/me', { displayName: 'x' }, apiKey),
      ]) {
        assert.equal(reply.status, 403)
        assert.equal(reply.body.error.code, 'permission_denied')
      }
    })

    test('bad device input is rejected with every problem listed', async () => {
      const user = await signUp(api)
      const reply = await api.post('/v1/devices', { name: '', kind: 'toaster' }, user.accessToken)
      assert.equal(reply.status, 400)
      const paths = reply.body.error.details.map((d: { path: string }) => d.path)
      assert.ok(paths.includes('body.name') && paths.includes('body.kind'), JSON.stringify(paths))
      assert.equal((await api.get('/v1/devices', user.accessToken)).body.devices.length, 0)
    })
  })
}
