import { Type } from 'typebox'
import { AppError } from '../../errors.js'
import { type Guards, readPrincipal } from '../../platform/http/http-auth.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import {
  CreateDeviceBody,
  CreatedDevice,
  Device,
  DeviceList,
  DeviceListQuery,
  DeviceParams,
  Heartbeat,
  PatchDeviceBody,
  RotatedDevice,
  RotateKeyBody,
} from './devices.schema.js'
import * as devices from './devices.service.js'

const tags = ['devices']
const security = [{ bearer: [] }]

/**
 * The device routes under /v1/devices: a person registers, lists, changes, revokes, re-keys and deletes
 * their devices; a device (with its key) sends heartbeats. `onKeyRevoked` runs after a device's key
 * stopped working (revoked, rotated or deleted), e.g. to drop cached keys.
 */
export function registerDevicesHttp(
  app: HttpServer,
  deps: devices.DevicesDeps,
  guards: Guards,
  onKeyRevoked: (deviceId: string) => void = () => {},
): void {
  registerCreateRoute(app, deps, guards)
  registerHeartbeatRoute(app, deps, guards)
  registerDeviceRoutes(app, deps, guards)
  registerKeyRoutes(app, deps, guards, onKeyRevoked)
}

/** Register a device; its key is in the answer, once. */
function registerCreateRoute(app: HttpServer, deps: devices.DevicesDeps, guards: Guards): void {
  const common = { onRequest: guards.person }
  app.post(
    '/v1/devices',
    {
      ...common,
      schema: {
        tags,
        security,
        summary: 'Register a device; its API key is shown once',
        body: CreateDeviceBody,
        response: { 201: CreatedDevice },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await devices.createDevice(deps, readPrincipal(request), request.body)),
  )
}

/** A device says it is alive; only a call with a device key may. */
function registerHeartbeatRoute(app: HttpServer, deps: devices.DevicesDeps, guards: Guards): void {
  app.post(
    '/v1/devices/heartbeat',
    {
      onRequest: guards.anyone,
      schema: {
        tags,
        security: [{ bearer: [] }, { deviceKey: [] }],
        summary: 'A device says it is alive (with its key); any other call with the key counts too',
        response: { 200: Heartbeat },
      },
    },
    async (request) => {
      const principal = readPrincipal(request)
      if (principal.deviceId === null)
        throw new AppError('permission_denied', "A heartbeat comes from a device: send it with the device's key")
      // The guard's authentication has already stored this contact.
      const device = await devices.getDevice(deps, principal, principal.deviceId)
      return { deviceId: device.id, online: true as const, presenceTimeoutSeconds: device.presenceTimeoutSeconds }
    },
  )
}

/** List (optionally by presence), read and change a person's devices. */
function registerDeviceRoutes(app: HttpServer, deps: devices.DevicesDeps, guards: Guards): void {
  const common = { onRequest: guards.person }
  app.get(
    '/v1/devices',
    {
      ...common,
      schema: {
        tags,
        security,
        summary: 'List your devices, with their presence',
        querystring: DeviceListQuery,
        response: { 200: DeviceList },
      },
    },
    async (request) => {
      const online = request.query.online
      return {
        devices: await devices.listDevices(
          deps,
          readPrincipal(request),
          online === undefined ? {} : { online: online === 'true' },
        ),
      }
    },
  )
  app.get(
    '/v1/devices/:id',
    { ...common, schema: { tags, security, params: DeviceParams, response: { 200: Device } } },
    async (request) => devices.getDevice(deps, readPrincipal(request), request.params.id),
  )
  app.patch(
    '/v1/devices/:id',
    {
      ...common,
      schema: {
        tags,
        security,
        summary: 'Rename a device, set its presence timeout or its time zone',
        params: DeviceParams,
        body: PatchDeviceBody,
        response: { 200: Device },
      },
    },
    async (request) => devices.patchDevice(deps, readPrincipal(request), request.params.id, request.body),
  )
}

/** Revoke, rotate and delete: each ends the key's cached lookups through `onKeyRevoked`. */
function registerKeyRoutes(
  app: HttpServer,
  deps: devices.DevicesDeps,
  guards: Guards,
  onKeyRevoked: (deviceId: string) => void,
): void {
  const common = { onRequest: guards.person }
  app.post(
    '/v1/devices/:id/revoke',
    {
      ...common,
      schema: { tags, security, summary: 'Revoke the device key', params: DeviceParams, response: { 200: Device } },
    },
    async (request) => {
      const device = await devices.revokeDevice(deps, readPrincipal(request), request.params.id)
      onKeyRevoked(device.id)
      return device
    },
  )
  app.post(
    '/v1/devices/:id/rotate-key',
    {
      ...common,
      schema: {
        tags,
        security,
        summary: 'Give the device a new key; the old one works for a grace period',
        params: DeviceParams,
        body: RotateKeyBody,
        response: { 200: RotatedDevice },
      },
    },
    async (request) => {
      const rotated = await devices.rotateDeviceKey(
        deps,
        readPrincipal(request),
        request.params.id,
        request.body.graceSeconds ?? 3600,
      )
      // Cached lookups of the old key end now; with a grace period the next lookup finds it again, until it expires.
      onKeyRevoked(rotated.device.id)
      return rotated
    },
  )
  app.delete(
    '/v1/devices/:id',
    { ...common, schema: { tags, security, params: DeviceParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await devices.deleteDevice(deps, readPrincipal(request), request.params.id)
      onKeyRevoked(request.params.id)
      return reply.status(204).send(null)
    },
  )
}
