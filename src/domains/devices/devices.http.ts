import { Type } from 'typebox'
import { type Guards, principalOf } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import { CreateDeviceBody, CreatedDevice, Device, DeviceList, DeviceParams, PatchDeviceBody } from './devices.schema.js'
import * as devices from './devices.service.js'

const tags = ['devices']
const security = [{ bearer: [] }]

/** `onKeyRevoked` runs after a device's key stopped working (revoked or deleted), e.g. to drop cached keys. */
export function registerDevicesHttp(app: HttpServer, deps: devices.DevicesDeps, guards: Guards, onKeyRevoked: (deviceId: string) => void = () => {}): void {
  const { db } = deps
  const common = { onRequest: guards.person }
  app.post(
    '/v1/devices',
    { ...common, schema: { tags, security, summary: 'Register a device; its API key is shown once', body: CreateDeviceBody, response: { 201: CreatedDevice } } },
    async (request, reply) => reply.status(201).send(await devices.createDevice(deps, principalOf(request), request.body)),
  )
  app.get(
    '/v1/devices',
    { ...common, schema: { tags, security, summary: 'List your devices', response: { 200: DeviceList } } },
    async (request) => ({ devices: await devices.listDevices(db, principalOf(request)) }),
  )
  app.get(
    '/v1/devices/:id',
    { ...common, schema: { tags, security, params: DeviceParams, response: { 200: Device } } },
    async (request) => devices.getDevice(db, principalOf(request), request.params.id),
  )
  app.patch(
    '/v1/devices/:id',
    { ...common, schema: { tags, security, summary: 'Rename a device or set its time zone', params: DeviceParams, body: PatchDeviceBody, response: { 200: Device } } },
    async (request) => devices.updateDevice(deps, principalOf(request), request.params.id, request.body),
  )
  app.post(
    '/v1/devices/:id/revoke',
    { ...common, schema: { tags, security, summary: 'Revoke the device key', params: DeviceParams, response: { 200: Device } } },
    async (request) => {
      const device = await devices.revokeDevice(deps, principalOf(request), request.params.id)
      onKeyRevoked(device.id)
      return device
    },
  )
  app.delete(
    '/v1/devices/:id',
    { ...common, schema: { tags, security, params: DeviceParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await devices.deleteDevice(deps, principalOf(request), request.params.id)
      onKeyRevoked(request.params.id)
      return reply.status(204).send(null)
    },
  )
}
