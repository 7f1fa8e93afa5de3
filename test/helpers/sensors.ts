import assert from 'node:assert/strict'
import { labelledCsiFrames, type LabelledFrame, type SyntheticMode } from '../../src/domains/sensors/synthetic-csi.js'
import type { Client } from './app.js'

/** A device of the user's, with its key. */
export async function newDevice(api: Client, token: string, name = 'door pi'): Promise<{ id: string; apiKey: string }> {
  const created = await api.post('/v1/devices', { name, kind: 'raspberry-pi' }, token)
  assert.equal(created.status, 201, JSON.stringify(created.body))
  return { id: created.body.device.id, apiKey: created.body.apiKey }
}

/** Synthetic CSI frames of the seed's shape (53 subcarriers), `perAngle` per door angle, ending a minute ago. */
export function csiFrames(
  perAngle: number,
  mode: SyntheticMode = 'separable',
  seed = 1,
  subcarriers = 53,
): LabelledFrame[] {
  const count = perAngle * 7
  return labelledCsiFrames({
    mode,
    seed,
    subcarriers,
    perAngle,
    startMs: Date.now() - 60_000 - count * 10,
    intervalMs: 10,
  })
}

/** The REST/MQTT wire form of a frame. */
export const toWire = (frame: LabelledFrame, kind = 'csi') => ({
  kind,
  timestamp: frame.timestamp,
  channels: frame.channels,
})
