import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { pino } from 'pino'
import type { MlRuntime } from '../../platform/ml-runtime/ml-runtime.js'
import { createLiveQueue, type LiveTarget, MAX_WAITING_PER_STREAM } from './live-queue.js'
import type { SensorPredictionEvent } from './sensor-models.schema.js'

/** An inference port whose answers wait until the test releases them: overload on demand. */
function gatedRuntime() {
  const batches: number[] = []
  let release: (() => void) | undefined
  const runtime = {
    async predictClassifier({ inputs }: { inputs: Float32Array }) {
      const rows = inputs.length / 2
      batches.push(rows)
      await new Promise<void>((resolve) => (release = resolve))
      return {
        heads: ['combined'],
        classes: 2,
        probabilities: Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? 0.75 : 0.25)),
      }
    },
  } as unknown as MlRuntime
  return { runtime, batches, release: () => release?.() }
}

const target = (deviceId: string): LiveTarget => ({
  userId: 'u1',
  deviceId,
  kind: 'csi',
  classifier: {
    modelId: 'm1',
    artifact: 'models/m1',
    labels: ['open', 'closed'],
    layout: [{ name: 'values', length: 2 }],
    heads: ['combined'],
  },
})
const frames = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({ ts: from + i, values: Float32Array.from([i, i]) }))

describe('live classification queue', () => {
  test('under overload a stream keeps its newest frames and reports the rest as skipped; every frame is accounted for', async () => {
    const gate = gatedRuntime()
    const events: SensorPredictionEvent[] = []
    const queue = createLiveQueue({
      runtime: gate.runtime,
      logger: pino({ level: 'silent' }),
      onPredictions: (_t, event) => events.push(event),
    })
    queue.offer(target('a'), frames(1))
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(gate.batches, [1], 'the first frame is out to the inference thread')

    queue.offer(target('a'), frames(300, 1000))
    queue.offer(target('b'), frames(3, 5000))
    assert.equal(queue.waiting('a', 'csi'), MAX_WAITING_PER_STREAM)
    gate.release()
    while (gate.batches.length < 2) await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(
      gate.batches,
      [1, MAX_WAITING_PER_STREAM + 3],
      'what waited went as one batch, both streams together',
    )
    gate.release()
    await queue.drain()

    const a = events.filter((e) => e.deviceId === 'a')
    assert.deepEqual(
      a.map((e) => [e.predictions.length, e.skipped]),
      [
        [1, 0],
        [MAX_WAITING_PER_STREAM, 300 - MAX_WAITING_PER_STREAM],
      ],
    )
    assert.equal(
      a[1]!.predictions[0]!.timestamp,
      new Date(1000 + 300 - MAX_WAITING_PER_STREAM).toISOString(),
      'the oldest were let go, the newest kept',
    )
    assert.deepEqual(a[0]!.predictions[0], {
      timestamp: new Date(0).toISOString(),
      label: 'open',
      probabilities: { open: 0.75, closed: 0.25 },
      heads: { combined: { label: 'open', probabilities: { open: 0.75, closed: 0.25 } } },
    })
    assert.deepEqual(
      events.filter((e) => e.deviceId === 'b').map((e) => [e.predictions.length, e.skipped]),
      [[3, 0]],
    )
  })
})
