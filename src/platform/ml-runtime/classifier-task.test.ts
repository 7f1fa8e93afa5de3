import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { pino } from 'pino'
import { createFileBlobStore } from '../blob/file-blob-store.js'
import { createMlRuntime } from './ml-runtime.js'

// Three classes; group "a" (4 values) tells class 0 from the others, group "b" (3 values) tells 1 from 2.
function makeRows(count: number) {
  let seed = 11
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1
  const labels = Int32Array.from({ length: count }, (_, i) => i % 3)
  const inputs = new Float32Array(count * 7)
  labels.forEach((label, r) => {
    for (let j = 0; j < 4; j += 1) inputs[r * 7 + j] = (label === 0 ? 3 : 0) + random() * 0.8 + 10
    for (let j = 4; j < 7; j += 1) inputs[r * 7 + j] = (label === 1 ? -2 : 2) + random() * 0.8
  })
  return { inputs, labels }
}

const argmax = (values: number[]) => values.indexOf(Math.max(...values))

describe('dense classifier task (tfjs-wasm in worker threads)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pulsebase-classifier-'))
  const store = createFileBlobStore({ root: join(dir, 'blobs') })
  const runtime = createMlRuntime({ trainingThreads: 1, logger: pino({ level: 'silent' }), blobs: store })
  after(async () => {
    await runtime.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const spec = {
    groups: [
      { name: 'a', length: 4 },
      { name: 'b', length: 3 },
    ],
    classes: 3,
    hiddenUnits: 8,
    learningRate: 0.02,
  }
  const { inputs, labels } = makeRows(300)
  const artifact = 'models/model-1'

  test('trains every head with per-epoch progress; the saved model predicts the held-out rows as training scored them', async () => {
    const seen: number[] = []
    const result = await runtime.trainClassifier(
      {
        spec,
        inputs,
        labels,
        validationCount: 60,
        maxEpochs: 30,
        batchSize: 32,
        patience: 30,
        seed: 7,
        artifact,
        meta: { note: 'test' },
      },
      (report) => (seen.push(report.epoch), true),
    )
    assert.deepEqual(result.heads, ['a', 'b', 'combined'])
    assert.deepEqual(
      seen,
      result.epochs.map((e) => e.epoch),
    )
    assert.ok(result.epochs.at(-1)!.loss < result.epochs[0]!.loss / 2, 'the loss fell')
    assert.equal(result.validationOutputs.length, 3 * 60 * 3)
    assert.deepEqual(
      (await store.list(`${artifact}/`)).map((b) => b.key),
      [`${artifact}/classifier.json`, `${artifact}/weights.bin`],
    )

    const predicted = await runtime.predictClassifier({ artifact, inputs: inputs.subarray(240 * 7) })
    assert.deepEqual(predicted.heads, ['a', 'b', 'combined'])
    assert.deepEqual(
      predicted.probabilities.map((p) => p.toFixed(4)),
      result.validationOutputs.map((p) => p.toFixed(4)),
    )
    const combined = predicted.probabilities.slice(2 * 60 * 3)
    let correct = 0
    for (let r = 0; r < 60; r += 1) if (argmax(combined.slice(r * 3, r * 3 + 3)) === labels[240 + r]) correct += 1
    assert.ok(correct / 60 >= 0.9, `combined head held-out accuracy ${correct / 60}`)
    // Head "a" alone cannot tell 1 from 2: at best two thirds.
    const headA = predicted.probabilities.slice(0, 60 * 3)
    let correctA = 0
    for (let r = 0; r < 60; r += 1) if (argmax(headA.slice(r * 3, r * 3 + 3)) === labels[240 + r]) correctA += 1
    assert.ok(correctA / 60 < 0.85, `head a accuracy ${correctA / 60}`)
  })

  test('one group has one head, "combined"; stopping from the progress callback writes no model', async () => {
    const single = { groups: [{ name: 'values', length: 7 }], classes: 3, hiddenUnits: 8, learningRate: 0.02 }
    const stopped = 'models/model-2'
    const result = await runtime.trainClassifier(
      {
        spec: single,
        inputs,
        labels,
        validationCount: 30,
        maxEpochs: 50,
        batchSize: 32,
        patience: 50,
        seed: 1,
        artifact: stopped,
        meta: {},
      },
      (report) => report.epoch < 2,
    )
    assert.deepEqual(result.heads, ['combined'])
    assert.equal(result.isStopped, true)
    assert.ok(result.epochs.length < 50)
    assert.deepEqual(await store.list(`${stopped}/`), [])
  })

  test('rows of the wrong width fail the call, not the inference thread', async () => {
    await assert.rejects(runtime.predictClassifier({ artifact, inputs: new Float32Array(5) }), /whole rows of 7/)
    assert.equal(
      (await runtime.predictClassifier({ artifact, inputs: inputs.subarray(0, 14) })).probabilities.length,
      3 * 2 * 3,
    )
  })
})
