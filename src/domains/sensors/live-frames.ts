// Live frames for people watching a stream (the dashboard's frame chart): at most one `sensor-frames`
// event per stream and interval, carrying the newest committed frame and how many frames arrived since
// the last event. A device sending 100 frames a second costs its owner one event a second, not 100.
import { toChannels, type Layout } from './frame-layout.js'
import type { StoredFrames } from './frames.service.js'

/** The `sensor-frames` live event: the newest frame of one stream and the count since the last event. */
export interface SensorFramesEvent {
  readonly deviceId: string
  readonly kind: string
  readonly layout: Layout
  /** The newest frame's time, ISO 8601 UTC. */
  readonly timestamp: string
  /** The newest frame's values per channel group, e.g. `{ magnitude: [...53], phase: [...53] }`. */
  readonly channels: Record<string, number[]>
  /** Frames of this stream committed since the previous event (the newest included). */
  readonly frames: number
}

export interface LiveFramesDeps {
  readonly publish: (userId: string, event: 'sensor-frames', data: SensorFramesEvent) => void
  /** How often a stream's event may go out, in milliseconds (default 1000). */
  readonly intervalMs?: number
}

export interface LiveFrames {
  /** Takes frames right after their commit; never throws into ingest. */
  offer(stored: StoredFrames): void
  /** Sends what waits and stops the timer. */
  close(): void
}

interface Waiting {
  readonly userId: string
  readonly deviceId: string
  readonly kind: string
  readonly layout: Layout
  ts: number
  values: Float32Array
  count: number
}

/**
 * Coalesces committed frames per stream and publishes each stream's newest frame once per interval.
 * Only this process's frames are counted; every API process publishes its own (pub/sub carries them to
 * the owner's sockets wherever they are connected).
 */
export function createLiveFrames(deps: LiveFramesDeps): LiveFrames {
  const intervalMs = deps.intervalMs ?? 1000
  const waiting = new Map<string, Waiting>()
  let timer: NodeJS.Timeout | undefined

  function flush(): void {
    timer = undefined
    for (const item of waiting.values()) {
      deps.publish(item.userId, 'sensor-frames', {
        deviceId: item.deviceId,
        kind: item.kind,
        layout: item.layout,
        timestamp: new Date(item.ts).toISOString(),
        channels: toChannels(item.layout, item.values),
        frames: item.count,
      })
    }
    waiting.clear()
  }

  return {
    offer({ stream, frames }) {
      const newest = frames.reduce((a, b) => (b.ts > a.ts ? b : a), frames[0]!)
      const item = waiting.get(stream.id)
      if (item === undefined) {
        waiting.set(stream.id, {
          userId: stream.userId,
          deviceId: stream.deviceId,
          kind: stream.kind,
          layout: stream.layout,
          ts: newest.ts,
          values: newest.values,
          count: frames.length,
        })
      } else {
        item.count += frames.length
        if (newest.ts >= item.ts) [item.ts, item.values] = [newest.ts, newest.values]
      }
      if (timer === undefined) timer = setTimeout(flush, intervalMs).unref()
    },
    close() {
      if (timer !== undefined) clearTimeout(timer)
      flush()
    },
  }
}
