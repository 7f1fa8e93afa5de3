import { type Static, Type } from 'typebox'

/** The shortest presence timeout a device may have: contacts are stored up to a second late. */
export const MIN_PRESENCE_TIMEOUT_S = 2

export const DEVICE_KINDS = ['phone', 'watch', 'raspberry-pi', 'esp32', 'glove', 'other'] as const
export const DeviceKind = Type.Enum(DEVICE_KINDS)

export const Device = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    kind: DeviceKind,
    keyPrefix: Type.String({ description: 'The first characters of the API key, to tell keys apart' }),
    createdAt: Type.String({ format: 'date-time' }),
    lastSeenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'The latest contact: a heartbeat or any call made with the device key',
    }),
    remoteAddress: Type.Union([Type.String(), Type.Null()], { description: 'The address of the latest contact' }),
    online: Type.Boolean({ description: 'Whether the latest contact is within the presence timeout' }),
    presenceTimeoutSeconds: Type.Integer({
      description:
        "How long after its latest contact the device counts as online (the device's own, else the server default)",
    }),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    timeZone: Type.Union([Type.String(), Type.Null()], {
      description: "Where the device's zone-less local times are read; null: the owner's timeZone setting (else UTC)",
    }),
  },
  { title: 'Device' },
)
export type Device = Static<typeof Device>

const TimeZoneName = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'IANA time zone (Asia/Tokyo) or a fixed offset (+05:45)',
})

export const CreateDeviceBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), kind: DeviceKind, timeZone: Type.Optional(TimeZoneName) },
  {
    additionalProperties: false,
    title: 'CreateDeviceRequest',
    examples: [{ name: 'chest strap', kind: 'watch', timeZone: 'Europe/Berlin' }],
  },
)
export type CreateDeviceBody = Static<typeof CreateDeviceBody>

export const CreatedDevice = Type.Object(
  {
    device: Device,
    apiKey: Type.String({ description: 'Shown once; send it as "Authorization: Bearer <key>" or "X-Device-Key"' }),
  },
  { title: 'CreatedDevice' },
)

/** At most 30 days: a rotation is for moving a fleet over, not for keeping two keys. */
export const MAX_KEY_GRACE_SECONDS = 30 * 86_400

export const RotateKeyBody = Type.Object(
  {
    graceSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_KEY_GRACE_SECONDS,
        default: 3600,
        description: 'How long the old key keeps working (0: it stops at once)',
      }),
    ),
  },
  { additionalProperties: false, title: 'RotateDeviceKeyRequest', examples: [{ graceSeconds: 86400 }] },
)
export type RotateKeyBody = Static<typeof RotateKeyBody>

export const RotatedDevice = Type.Object(
  {
    device: Device,
    apiKey: Type.String({ description: 'The new key, shown once' }),
    previousKeyExpiresAt: Type.String({ format: 'date-time', description: 'Until when the old key still works' }),
  },
  { title: 'RotatedDeviceKey' },
)

export const PatchDeviceBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    presenceTimeoutSeconds: Type.Optional(
      Type.Union([Type.Integer({ minimum: MIN_PRESENCE_TIMEOUT_S, maximum: 86_400 }), Type.Null()], {
        description: 'null returns to the server default',
      }),
    ),
    timeZone: Type.Optional(
      Type.Union([TimeZoneName, Type.Null()], { description: "null: the owner's timeZone setting" }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type PatchDeviceBody = Static<typeof PatchDeviceBody>

export const DeviceParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })
export const DeviceList = Type.Object({ devices: Type.Array(Device) })
export const DeviceListQuery = Type.Object(
  {
    online: Type.Optional(
      Type.Union([Type.Literal('true'), Type.Literal('false')], {
        description: 'only the devices that are (or are not) online',
      }),
    ),
  },
  { additionalProperties: false },
)
export const Heartbeat = Type.Object({
  deviceId: Type.String(),
  online: Type.Literal(true),
  presenceTimeoutSeconds: Type.Integer(),
})
