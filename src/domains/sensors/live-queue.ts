// Live classification of incoming frames: frames wait in a bounded queue per stream, and whatever
// is waiting (across streams) goes to the inference thread as one batch while the previous batch is
// out. Under overload a stream keeps its newest frames and counts the ones it let go as `skipped`,
// reported in its next prediction event: coalesced, never dropped silently.
import type { Logger } from 'pino'
import type { MlRuntime } from '../../platform/ml-runtime/ml-runtime.js'
import type { ClassifierInfo } from './sensor-models.service.js'
import { toPredictions } from './sensor-models.service.js'
import type { LivePrediction, SensorPredictionEvent } from './sensor-models.schema.js'
import { toIso } from '../../platform/time/date-time.js'

/** Where a stream's predictions go. */
export interface LiveTarget {
  readonly userId: string
  readonly deviceId: string
  readonly kind: string
  readonly classifier: ClassifierInfo
}

export interface LiveFrame {
  readonly ts: number
  readonly values: Float32Array
}

export interface LiveQueueDeps {
  readonly runtime: MlRuntime
  readonly logger: Logger
  /** One stream's predictions of a batch, with the frames it skipped since its last event. */
  readonly onPredictions: (target: LiveTarget, event: SensorPredictionEvent) => void
  readonly onCounts?: ((counts: { predicted: number; skipped: number }) => void) | undefined
}

export interface LiveQueue {
  offer(target: LiveTarget, frames: readonly LiveFrame[]): void
  /** Frames of a stream waiting for the inference thread. */
  waiting(deviceId: string, kind: string): number
  /** Resolves once nothing is waiting or in flight. */
  drain(): Promise<void>
}

/** Frames a stream may have waiting; beyond it the oldest are skipped. */
export const MAX_WAITING_PER_STREAM = 256
/** Rows per inference batch. */
const MAX_BATCH_ROWS = 1024

interface StreamQueue {
  target: LiveTarget
  frames: LiveFrame[]
  skipped: number
}

const toKey = (deviceId: string, kind: string) => `${deviceId}\u0000${kind}`

export function createLiveQueue(deps: LiveQueueDeps): LiveQueue {
  const streams = new Map<string, StreamQueue>()
  let running: Promise<void> | undefined

  /** Up to MAX_BATCH_ROWS waiting frames, stream by stream, each stream's skipped count handed over with them. */
  function takeBatch(): { queue: StreamQueue; frames: LiveFrame[]; skipped: number }[] {
    const taken: { queue: StreamQueue; frames: LiveFrame[]; skipped: number }[] = []
    let rows = 0
    for (const [key, queue] of streams) {
      if (rows >= MAX_BATCH_ROWS) break
      const frames = queue.frames.splice(0, MAX_BATCH_ROWS - rows)
      rows += frames.length
      taken.push({ queue, frames, skipped: queue.skipped })
      queue.skipped = 0
      // The stream goes to the back, so a busy stream cannot starve the others.
      streams.delete(key)
      if (queue.frames.length > 0) streams.set(key, queue)
    }
    return taken
  }

  async function classifyBatch(batch: ReturnType<typeof takeBatch>): Promise<void> {
    const byModel = new Map<string, typeof batch>()
    for (const part of batch)
      byModel.set(part.queue.target.classifier.artifact, [
        ...(byModel.get(part.queue.target.classifier.artifact) ?? []),
        part,
      ])
    for (const parts of byModel.values()) {
      const classifier = (parts[0] as (typeof batch)[number]).queue.target.classifier
      const width = classifier.layout.reduce((sum, g) => sum + g.length, 0)
      const rows = parts.reduce((sum, p) => sum + p.frames.length, 0)
      const inputs = new Float32Array(rows * width)
      let at = 0
      for (const part of parts) for (const frame of part.frames) inputs.set(frame.values, at++ * width)
      try {
        const predictions =
          rows === 0
            ? []
            : toPredictions(
                classifier,
                await deps.runtime.predictClassifier({ artifact: classifier.artifact, inputs }),
                rows,
              )
        let offset = 0
        for (const part of parts) {
          const mine: LivePrediction[] = part.frames.map((frame, i) => ({
            timestamp: toIso(frame.ts),
            ...(predictions[offset + i] as (typeof predictions)[number]),
          }))
          offset += part.frames.length
          const { target } = part.queue
          if (mine.length > 0 || part.skipped > 0)
            deps.onPredictions(target, {
              deviceId: target.deviceId,
              kind: target.kind,
              modelId: classifier.modelId,
              predictions: mine,
              skipped: part.skipped,
            })
        }
        deps.onCounts?.({ predicted: rows, skipped: parts.reduce((sum, p) => sum + p.skipped, 0) })
      } catch (error) {
        // The frames are not classified: they count as skipped in the stream's next event.
        deps.logger.warn({ err: error, modelId: classifier.modelId }, 'live classification failed')
        for (const part of parts) part.queue.skipped += part.skipped + part.frames.length
      }
    }
  }

  async function pump(): Promise<void> {
    for (let batch = takeBatch(); batch.length > 0; batch = takeBatch()) await classifyBatch(batch)
    running = undefined
  }

  return {
    offer(target, frames) {
      const key = toKey(target.deviceId, target.kind)
      let queue = streams.get(key)
      if (queue === undefined) {
        queue = { target, frames: [], skipped: 0 }
        streams.set(key, queue)
      }
      queue.target = target
      queue.frames.push(...frames)
      const over = queue.frames.length - MAX_WAITING_PER_STREAM
      if (over > 0) {
        queue.frames.splice(0, over)
        queue.skipped += over
      }
      running ??= Promise.resolve().then(pump)
    },
    waiting: (deviceId, kind) => streams.get(toKey(deviceId, kind))?.frames.length ?? 0,
    async drain() {
      while (running !== undefined) await running
    },
  }
}
