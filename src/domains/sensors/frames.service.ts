// Sensor frames in: each frame checked, the valid ones of each stream committed together, a verdict
// per frame in the order sent, answered only after the commit; then handed to live classification.
import { AppError } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { Db } from '../../platform/db/database.js'
import { type CheckedFrame, checkFrame } from './frame-checks.js'
import { describeLayout, encodeValues, isSameLayout } from './frame-layout.js'
import type { FrameStore, Stream } from './frame-store.js'
import type { FrameIngestResult, FrameVerdict } from './sensors.schema.js'
import type { Clock } from '../../platform/time/clock.js'

/** Frames of one stream that were new in a commit, for whoever watches the stream (live classification). */
export interface StoredFrames {
  readonly stream: Stream
  readonly frames: readonly { readonly ts: number; readonly values: Float32Array }[]
}

export interface FramesDeps {
  readonly db: Db
  readonly store: FrameStore
  /** How far ahead of the server clock a frame's timestamp may be. */
  readonly clockSkewMs: number
  readonly onRecorded?: (counts: { stored: number; alreadyStored: number; rejected: number }) => void
  /** Called after the commit with the frames that were new, per stream. Never throws into ingest. */
  readonly onStored?: (stored: StoredFrames) => void
  readonly now: Clock
}

/** The device a frame comes from: frames are sent with the device's key. */
export function readDevice(owner: Principal): { userId: string; deviceId: string } {
  if (owner.deviceId === null)
    throw new AppError('permission_denied', "Sensor frames come from a device: send them with the device's key")
  return { userId: owner.userId, deviceId: owner.deviceId }
}

interface Pending {
  readonly index: number
  readonly frame: CheckedFrame
}

/**
 * Checks and stores frames from one device. `topicKind` (MQTT) is the kind every frame must have.
 * A frame whose groups do not match its stream's layout (fixed by the stream's first frame) is
 * rejected with `layout_mismatch`; nothing invalid is ever stored.
 */
export async function recordFrames(
  deps: FramesDeps,
  owner: Principal,
  raws: readonly unknown[],
  topicKind?: string,
): Promise<FrameIngestResult> {
  const device = readDevice(owner)
  const now = deps.now()
  const verdicts: FrameVerdict[] = raws.map(() => ({ status: 'stored' }))
  const byKind = new Map<string, Pending[]>()
  const seen = new Set<string>()
  raws.forEach((raw, index) => {
    const check = checkFrame(raw, now, deps.clockSkewMs, topicKind)
    if (!check.ok) return void (verdicts[index] = { status: 'rejected', ...check.rejection })
    const key = `${check.frame.kind}\u0000${check.frame.ts}`
    if (seen.has(key))
      return void (verdicts[index] = {
        status: 'rejected',
        reason: 'duplicate_in_batch',
        message: 'Another frame of this kind in the batch has the same timestamp',
      })
    seen.add(key)
    const list = byKind.get(check.frame.kind) ?? []
    list.push({ index, frame: check.frame })
    byKind.set(check.frame.kind, list)
  })
  let alreadyStored = 0
  await Promise.all(
    [...byKind].map(async ([kind, pending]) => {
      const stream = await deps.store.streamFor(device, kind, (pending[0] as Pending).frame.layout)
      const fitting = pending.filter(({ index, frame }) => {
        if (isSameLayout(frame.layout, stream.layout)) return true
        verdicts[index] = {
          status: 'rejected',
          reason: 'layout_mismatch',
          message: `This device's ${kind} stream has ${describeLayout(stream.layout)}; the frame has ${describeLayout(frame.layout)}`,
        }
        return false
      })
      if (fitting.length === 0) return
      const old = await deps.store.write({
        stream,
        frames: fitting.map(({ frame }) => ({ ts: frame.ts, data: encodeValues(frame.values) })),
      })
      const fresh: { ts: number; values: Float32Array }[] = []
      fitting.forEach(({ index, frame }, i) => {
        if (old[i] === true) {
          verdicts[index] = { status: 'stored', alreadyStored: true }
          alreadyStored += 1
        } else fresh.push({ ts: frame.ts, values: frame.values })
      })
      if (fresh.length > 0) deps.onStored?.({ stream, frames: fresh })
    }),
  )
  const rejected = verdicts.filter((v) => v.status === 'rejected').length
  deps.onRecorded?.({ stored: raws.length - rejected - alreadyStored, alreadyStored, rejected })
  return { stored: raws.length - rejected, rejected, verdicts }
}
