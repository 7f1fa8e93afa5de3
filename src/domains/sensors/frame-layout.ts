// A stream's layout: its named channel groups and their lengths. Frames are stored as one float32
// vector, the groups concatenated in layout order (groups sorted by name, so a CSI frame is its
// magnitudes, then its phases).
import { endianness } from 'node:os'

export interface ChannelGroup {
  readonly name: string
  readonly length: number
}
export type Layout = readonly ChannelGroup[]

const IS_LITTLE_ENDIAN = endianness() === 'LE'

/** Values of all groups together. */
export const computeWidth = (layout: Layout): number => layout.reduce((sum, group) => sum + group.length, 0)

export const layoutText = (layout: Layout): string =>
  JSON.stringify(layout.map(({ name, length }) => ({ name, length })))

export function parseLayout(text: string): Layout {
  return JSON.parse(text) as Layout
}

/** `magnitude[53], phase[53]`: for messages. */
export const describeLayout = (layout: Layout): string => layout.map((g) => `${g.name}[${g.length}]`).join(', ')

export function isSameLayout(a: Layout, b: Layout): boolean {
  return a.length === b.length && a.every((group, i) => group.name === b[i]?.name && group.length === b[i]?.length)
}

/**
 * The stored form: little-endian float32. A vector that fills its own buffer is stored as a view of
 * it (no copy); one that is part of a larger buffer is copied, so its neighbours never leak in.
 */
export function encodeValues(values: Float32Array): Buffer {
  const view = Buffer.from(values.buffer, values.byteOffset, values.byteLength)
  const isWhole = values.byteOffset === 0 && values.byteLength === values.buffer.byteLength
  if (IS_LITTLE_ENDIAN) return isWhole ? view : Buffer.from(view)
  return Buffer.from(view).swap32()
}

export function decodeValues(data: Uint8Array): Float32Array {
  const values = new Float32Array(data.byteLength / 4)
  const bytes = new Uint8Array(values.buffer)
  bytes.set(data)
  if (!IS_LITTLE_ENDIAN) Buffer.from(values.buffer).swap32()
  return values
}

/**
 * The shortest decimal that reads back as the same float32 (a stored 0.1 is 0.10000000149 as a
 * double; this gives 0.1 again). Seven significant digits almost always suffice; nine always do.
 */
export function float32Value(value: number): number {
  for (const precision of [7, 8, 9]) {
    const shorter = Number(value.toPrecision(precision))
    if (Math.fround(shorter) === value) return shorter
  }
  return value
}

/** The groups of one frame as named arrays, e.g. `{ magnitude: [...], phase: [...] }`. */
export function toChannels(layout: Layout, values: Float32Array): Record<string, number[]> {
  const channels: Record<string, number[]> = {}
  let at = 0
  for (const group of layout) {
    channels[group.name] = Array.from(values.subarray(at, at + group.length), float32Value)
    at += group.length
  }
  return channels
}

/** CSV column names: `magnitude_0 … magnitude_52, phase_0 …`. */
export function listColumns(layout: Layout): string[] {
  return layout.flatMap((group) => Array.from({ length: group.length }, (_, i) => `${group.name}_${i}`))
}
