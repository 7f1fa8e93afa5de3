// One frame's checks before storage, each failure a verdict with a reason (the rest of the batch is
// stored). Values become one float32 vector in layout order.
import { instantProblem, parseInstant } from '../../platform/time/date-time.js'
import type { Layout } from './frame-layout.js'
import type { FrameRejectionReason } from './sensors.schema.js'

/** 2000-01-01T00:00:00Z: anything earlier is a clock that was never set (or seconds sent as ms). */
const EARLIEST_MS = Date.UTC(2000, 0, 1)
export const KIND_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/
const GROUP_PATTERN = /^[a-z][a-z0-9_]{0,31}$/
export const MAX_GROUPS = 16
export const MAX_FRAME_VALUES = 4096
const FLOAT32_MAX = 3.4028234663852886e38
/** The kinds whose channel groups are fixed. CSI: one magnitude and one phase per subcarrier. */
const REQUIRED_GROUPS: Readonly<Record<string, readonly string[]>> = { csi: ['magnitude', 'phase'] }

export interface CheckedFrame {
  readonly kind: string
  readonly ts: number
  readonly layout: Layout
  /** The groups concatenated in layout order. */
  readonly values: Float32Array
}

export interface FrameRejection {
  readonly reason: FrameRejectionReason
  readonly message: string
}

export type FrameCheck =
  { readonly ok: true; readonly frame: CheckedFrame } | { readonly ok: false; readonly rejection: FrameRejection }

const reject = (reason: FrameRejectionReason, message: string): FrameCheck => ({
  ok: false,
  rejection: { reason, message },
})

export function checkKind(kind: unknown): string | undefined {
  return typeof kind === 'string' && KIND_PATTERN.test(kind) ? kind : undefined
}

export function checkTimestamp(value: unknown, nowMs: number, clockSkewMs: number): { ts: number } | FrameRejection {
  const ts = parseInstant(value)
  if (ts === undefined)
    return {
      reason: 'timestamp_invalid',
      message: `timestamp ${JSON.stringify(value) ?? 'missing'} ${instantProblem(value)}`,
    }
  if (ts < EARLIEST_MS)
    return {
      reason: 'timestamp_before_2000',
      message: 'timestamp is before 2000-01-01 (epoch milliseconds are expected, not seconds)',
    }
  if (ts > nowMs + clockSkewMs)
    return {
      reason: 'timestamp_in_future',
      message: `timestamp is more than ${clockSkewMs / 1000} s ahead of the server clock`,
    }
  return { ts }
}

/** The channel groups as one vector in layout order (groups sorted by name), or the reason they are refused. */
export function checkChannels(
  kind: string,
  channels: unknown,
): { layout: Layout; values: Float32Array } | FrameRejection {
  if (typeof channels !== 'object' || channels === null || Array.isArray(channels)) {
    return {
      reason: 'channels_invalid',
      message: 'channels must be an object of named arrays, e.g. {"magnitude":[…],"phase":[…]}',
    }
  }
  const names = Object.keys(channels).sort()
  if (names.length === 0 || names.length > MAX_GROUPS)
    return { reason: 'channels_invalid', message: `channels must have 1 to ${MAX_GROUPS} groups` }
  const required = REQUIRED_GROUPS[kind]
  if (required !== undefined && names.join(',') !== [...required].sort().join(',')) {
    return { reason: 'channels_invalid', message: `a ${kind} frame has exactly the groups ${required.join(' and ')}` }
  }
  const groups = names.map((name) => ({ name, values: (channels as Record<string, unknown>)[name] }))
  let width = 0
  for (const { name, values } of groups) {
    if (!GROUP_PATTERN.test(name))
      return {
        reason: 'channels_invalid',
        message: `channel group name ${JSON.stringify(name.slice(0, 40))} must match ${GROUP_PATTERN.source}`,
      }
    if (!Array.isArray(values) || values.length === 0)
      return { reason: 'channels_invalid', message: `channels.${name} must be a non-empty array of numbers` }
    width += values.length
  }
  if (width > MAX_FRAME_VALUES)
    return { reason: 'channels_invalid', message: `a frame has at most ${MAX_FRAME_VALUES} values (got ${width})` }
  if (required !== undefined && new Set(groups.map((g) => (g.values as unknown[]).length)).size !== 1) {
    return {
      reason: 'channels_invalid',
      message: `the groups of a ${kind} frame have one value per subcarrier each, so the same length`,
    }
  }
  // The vector lives in its own buffer, so storing it needs no copy (frame-layout.ts encodeValues).
  const values = new Float32Array(width)
  let at = 0
  for (const group of groups) {
    const list = group.values as unknown[]
    for (let i = 0; i < list.length; i += 1) {
      const value = list[i]
      if (typeof value !== 'number' || !Number.isFinite(value))
        return { reason: 'value_not_a_number', message: `channels.${group.name}[${i}] is not a finite number` }
      if (Math.abs(value) > FLOAT32_MAX)
        return { reason: 'value_out_of_range', message: `channels.${group.name}[${i}] is beyond float32's range` }
      values[at] = value
      at += 1
    }
  }
  return { layout: groups.map((g) => ({ name: g.name, length: (g.values as unknown[]).length })), values }
}

/** A frame as sent over REST, MQTT or gRPC (after decoding): `{ kind?, timestamp, channels }`; `kind` from the topic wins over none. */
export function checkFrame(raw: unknown, nowMs: number, clockSkewMs: number, topicKind?: string): FrameCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return reject('frame_invalid', 'A frame must be an object with kind, timestamp and channels')
  const { kind: rawKind, timestamp, channels, ...rest } = raw as Record<string, unknown>
  const unknown = Object.keys(rest)
  if (unknown.length > 0) return reject('frame_invalid', `Unknown frame field(s): ${unknown.slice(0, 5).join(', ')}`)
  const kind = checkKind(rawKind ?? topicKind)
  if (kind === undefined)
    return reject(
      'kind_invalid',
      'kind must be csi, rssi, imu or another lower-case name (letters, digits, - and _; at most 32)',
    )
  if (topicKind !== undefined && kind !== topicKind)
    return reject('kind_invalid', `the frame says kind ${kind} but was published to the ${topicKind} topic`)
  const time = checkTimestamp(timestamp, nowMs, clockSkewMs)
  if ('reason' in time) return { ok: false, rejection: time }
  const checked = checkChannels(kind, channels)
  if ('reason' in checked) return { ok: false, rejection: checked }
  return { ok: true, frame: { kind, ts: time.ts, layout: checked.layout, values: checked.values } }
}
