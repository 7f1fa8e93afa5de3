// Live classifiers: which model classifies a device's stream as frames arrive, the predictions
// pushed live (`sensor-prediction`), and the latest prediction kept per stream.
import type { Logger } from 'pino'
import { AppError } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { Db } from '../../platform/db/database.js'
import type { PubSubPort } from '../../platform/pubsub/pubsub.port.js'
import { findDevice } from '../devices/devices.repository.js'
import { describeLayout, isSameLayout, parseLayout } from './frame-layout.js'
import { findStream } from './frames.repository.js'
import type { StoredFrames } from './frames.service.js'
import { createLiveQueue, type LiveQueue, type LiveTarget } from './live-queue.js'
import * as repo from './live.repository.js'
import type { LiveClassifier, LivePrediction, SensorPredictionEvent } from './sensor-models.schema.js'
import { classifierInfo, type SensorModelsDeps } from './sensor-models.service.js'
import { toIsoOrNull } from '../../platform/time/date-time.js'
import type { Clock } from '../../platform/time/clock.js'

/** Pub/sub channel telling every process that a stream's live classifier changed. */
const LIVE_CHANGED = 'sensors.live-classifiers'
/** How long a process trusts its lookup of a stream's live classifier (changes are broadcast at once). */
const LOOKUP_TTL_MS = 5000
/** Latest predictions are written at most this often per process. */
const LATEST_FLUSH_MS = 1000

export interface LiveDeps {
  readonly db: Db
  readonly models: SensorModelsDeps
  readonly pubsub: PubSubPort
  /** Pushes a stream's predictions to its owner's sockets (`sensor-prediction`). */
  readonly publish: (userId: string, event: 'sensor-prediction', data: SensorPredictionEvent) => void
  readonly onCounts?: (counts: { predicted: number; skipped: number }) => void
  readonly logger: Logger
  /** The platform's clock: when a prediction or an assignment happened, and when a lookup goes stale. */
  readonly now: Clock
}

const toKey = (deviceId: string, kind: string) => `${deviceId}\u0000${kind}`

export interface LiveClassifiers {
  /** After a commit: hands a stream's new frames to its live classifier, if it has one. Never throws. */
  offer(stored: StoredFrames): void
  /** The queue that batches frames for the inference thread. */
  readonly queue: LiveQueue
  assign(owner: Principal, deviceId: string, kind: string, modelId: string): Promise<LiveClassifier>
  get(owner: Principal, deviceId: string, kind: string): Promise<LiveClassifier>
  list(owner: Principal): Promise<LiveClassifier[]>
  remove(owner: Principal, deviceId: string, kind: string): Promise<void>
  start(): Promise<void>
  close(): Promise<void>
}

function toLiveClassifier(row: repo.LiveRow): LiveClassifier {
  return {
    deviceId: row.device_id,
    kind: row.kind,
    modelId: row.model_id,
    latest: row.latest === null ? null : (JSON.parse(row.latest) as LiveClassifier['latest']),
    createdAt: toIsoOrNull(row.created_at) as string,
  }
}

/**
 * The live classifiers of every stream: assignments (scoped by owner), the lookup of a stream's
 * classifier as frames arrive (cached for LOOKUP_TTL_MS, dropped at once when any process changes
 * it), the inference queue, and the latest prediction per stream (written every LATEST_FLUSH_MS).
 * Errors: `not_found` for another user's device or classifier, `invalid_argument` when the model's
 * channel layout differs from the stream's.
 */
export function createLiveClassifiers(deps: LiveDeps): LiveClassifiers {
  const targets = createTargetLookups(deps)
  const latest = createLatestPredictions(deps)
  let timer: NodeJS.Timeout | undefined
  let unsubscribe: (() => Promise<void>) | undefined
  const queue = createLiveQueue({
    runtime: deps.models.runtime,
    logger: deps.logger,
    onCounts: deps.onCounts,
    onPredictions: (target, event) => {
      deps.publish(target.userId, 'sensor-prediction', event)
      latest.record(target, event)
    },
  })

  async function changed(deviceId: string, kind: string): Promise<void> {
    targets.forget(deviceId, kind)
    await deps.pubsub
      .publish(LIVE_CHANGED, { deviceId, kind })
      .catch((err: unknown) => deps.logger.warn({ err }, 'live classifier change not broadcast'))
  }

  return {
    offer(stored) {
      const { deviceId, kind } = stored.stream
      void targets.find(deviceId, kind).then((target) => {
        if (target !== undefined && isSameLayout(target.classifier.layout, stored.stream.layout))
          queue.offer(target, stored.frames)
      })
    },
    queue,
    async assign(owner, deviceId, kind, modelId) {
      await storeAssignment(deps, owner, deviceId, kind, modelId)
      await changed(deviceId, kind)
      return this.get(owner, deviceId, kind)
    },
    async get(owner, deviceId, kind) {
      const row = await repo.findLive(deps.db, deviceId, kind)
      if (row === undefined || row.user_id !== owner.userId)
        throw new AppError('not_found', `No live classifier for device ${deviceId} (${kind})`)
      return toLiveClassifier(row)
    },
    async list(owner) {
      return (await repo.listLive(deps.db, owner.userId)).map(toLiveClassifier)
    },
    async remove(owner, deviceId, kind) {
      if (!(await repo.deleteLive(deps.db, owner.userId, deviceId, kind)))
        throw new AppError('not_found', `No live classifier for device ${deviceId} (${kind})`)
      await changed(deviceId, kind)
    },
    async start() {
      unsubscribe = await deps.pubsub.subscribe(LIVE_CHANGED, (message) => {
        const { deviceId, kind } = message as { deviceId?: unknown; kind?: unknown }
        if (typeof deviceId === 'string' && typeof kind === 'string') targets.forget(deviceId, kind)
      })
      timer = setInterval(() => void latest.flush(), LATEST_FLUSH_MS).unref()
    },
    async close() {
      clearInterval(timer)
      await unsubscribe?.()
      await queue.drain()
      await latest.flush()
    },
  }
}

/** Makes `modelId` the owner's device's live classifier of `kind`, after checking the device and the layout. */
async function storeAssignment(
  deps: LiveDeps,
  owner: Principal,
  deviceId: string,
  kind: string,
  modelId: string,
): Promise<void> {
  if ((await findDevice(deps.db, owner.userId, deviceId)) === undefined)
    throw new AppError('not_found', `No device ${deviceId}`)
  const info = await classifierInfo(deps.models, owner.userId, modelId)
  const stream = await findStream(deps.db, deviceId, kind)
  if (stream !== undefined && !isSameLayout(parseLayout(stream.layout), info.layout)) {
    throw new AppError(
      'invalid_argument',
      `The device's ${kind} frames have ${describeLayout(parseLayout(stream.layout))}; model ${modelId} takes ${describeLayout(info.layout)}`,
    )
  }
  await repo.upsertLive(deps.db, {
    device_id: deviceId,
    kind,
    user_id: owner.userId,
    model_id: modelId,
    latest: null,
    latest_at: null,
    created_at: deps.now(),
  })
}

/** Which classifier (if any) a stream's frames go to, looked up in the database and cached per stream. */
function createTargetLookups(deps: LiveDeps) {
  const lookups = new Map<string, { target: Promise<LiveTarget | undefined>; expires: number }>()

  async function lookUp(deviceId: string, kind: string): Promise<LiveTarget | undefined> {
    const row = await repo.findLive(deps.db, deviceId, kind)
    if (row === undefined) return undefined
    return {
      userId: row.user_id,
      deviceId,
      kind,
      classifier: await classifierInfo(deps.models, row.user_id, row.model_id),
    }
  }

  return {
    /** One lookup in flight per stream, so frames that arrive meanwhile keep their order. */
    find(deviceId: string, kind: string): Promise<LiveTarget | undefined> {
      const key = toKey(deviceId, kind)
      const cached = lookups.get(key)
      if (cached !== undefined && cached.expires > deps.now()) return cached.target
      const target = lookUp(deviceId, kind).catch((err: unknown) => {
        deps.logger.warn({ err, deviceId, kind }, 'live classifier lookup failed')
        lookups.delete(key)
        return undefined
      })
      lookups.set(key, { target, expires: deps.now() + LOOKUP_TTL_MS })
      return target
    },
    forget(deviceId: string, kind: string): void {
      lookups.delete(toKey(deviceId, kind))
    },
  }
}

/** The newest prediction per stream, kept in memory and written to the database by `flush`. */
function createLatestPredictions(deps: LiveDeps) {
  const latest = new Map<
    string,
    { target: LiveTarget; modelId: string; prediction: LivePrediction & { skipped: number }; at: number }
  >()
  return {
    record(target: LiveTarget, event: SensorPredictionEvent): void {
      const last = event.predictions[event.predictions.length - 1]
      if (last !== undefined)
        latest.set(toKey(target.deviceId, target.kind), {
          target,
          modelId: event.modelId,
          prediction: { ...last, skipped: event.skipped },
          at: deps.now(),
        })
    },
    async flush(): Promise<void> {
      const batch = [...latest.values()]
      latest.clear()
      for (const { target, modelId, prediction, at } of batch) {
        await repo
          .storeLatest(deps.db, target.deviceId, target.kind, modelId, JSON.stringify(prediction), at)
          .catch((err: unknown) => deps.logger.warn({ err, deviceId: target.deviceId }, 'latest prediction not stored'))
      }
    },
  }
}
