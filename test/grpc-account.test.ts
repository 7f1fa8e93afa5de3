import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { status } from '@grpc/grpc-js'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { createClient } from './helpers/grpc.js'

describe('gRPC on a started server', () => {
  let server: TestApp
  let api: Client
  let grpc: ReturnType<typeof createClient>

  before(async () => {
    server = await startTestApp()
    api = client(server.url)
    grpc = createClient(server.grpcAddress)
  })
  after(async () => {
    grpc?.close()
    await server?.close()
  })

  test('the standard health service reports SERVING', async () => {
    assert.deepEqual(await grpc.check(), { status: 'SERVING' })
    assert.deepEqual(await grpc.check('pulsebase.v1.Account'), { status: 'SERVING' })
  })

  test('a device key in the authorization metadata acts for its owner, until it is revoked', async () => {
    const user = await signUp(api)
    const { device, apiKey } = (await api.post('/v1/devices', { name: 'esp', kind: 'esp32' }, user.accessToken)).body
    assert.deepEqual(await grpc.whoAmI(apiKey), { userId: user.userId, role: 'user', deviceId: device.id })
    assert.deepEqual(await grpc.whoAmI(`Bearer ${user.accessToken}`), {
      userId: user.userId,
      role: 'user',
      deviceId: '',
    })

    await api.post(`/v1/devices/${device.id}/revoke`, undefined, user.accessToken)
    await assert.rejects(grpc.whoAmI(apiKey), (error: { code: number; details: string }) => {
      assert.equal(error.code, status.UNAUTHENTICATED)
      assert.match(error.details, /revoked/)
      return true
    })
  })

  test('missing or bad credentials are UNAUTHENTICATED', async () => {
    for (const credential of [undefined, 'Bearer nonsense', 'pbd_unknown']) {
      await assert.rejects(grpc.whoAmI(credential), (error: { code: number }) => error.code === status.UNAUTHENTICATED)
    }
  })
})
