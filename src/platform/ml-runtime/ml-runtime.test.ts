import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { threadNices } from '../../../test/helpers/threads.js'
import { pino } from 'pino'
import { readBlob } from '../blob/blob.port.js'
import { createFileBlobStore } from '../blob/file-blob-store.js'
import { createMlRuntime, TRAINING_NICE } from './ml-runtime.js'

// y = 0.8 * (last step's first feature) - 0.5 * (first step's second feature): an LSTM must carry state to fit it.
function dataset(count: number, steps: number, features: number) {
  let seed = 7
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1
  const inputs = new Float32Array(count * steps * features).map(() => random())
  const targets = new Float32Array(count).map(
    (_, i) =>
      0.8 * (inputs[(i * steps + steps - 1) * features] as number) - 0.5 * (inputs[i * steps * features + 1] as number),
  )
  return { inputs, targets }
}

describe('ML runtime (tfjs-wasm in worker threads)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pulsebase-ml-'))
  const blobs = createFileBlobStore({ root: join(dir, 'blobs') })
  const runtime = createMlRuntime({ trainingThreads: 1, logger: pino({ level: 'silent' }), blobs, legacyRoot: dir })
  after(async () => {
    await runtime.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const spec = { steps: 4, features: 3, lstmUnits: 16, denseUnits: 8, learningRate: 0.02 }
  const { inputs, targets } = dataset(300, spec.steps, spec.features)
  const artifact = 'models/model-1'

  test('trains with per-epoch progress, stores the artifact files in the blob store, and the model predicts the held-out data', async () => {
    const seen: number[] = []
    const result = await runtime.train(
      {
        spec,
        inputs,
        targets,
        validationCount: 60,
        maxEpochs: 60,
        batchSize: 32,
        patience: 60,
        artifact,
        meta: { kind: 'test' },
      },
      (report) => (seen.push(report.epoch), true),
    )
    assert.deepEqual(
      seen,
      result.epochs.map((e) => e.epoch),
    )
    assert.equal(result.epochs.length, 60)
    assert.deepEqual(
      (await blobs.list(`${artifact}/`)).map((b) => b.key),
      [`${artifact}/model.json`, `${artifact}/weights.bin`],
    )
    assert.ok(!('files' in result), 'the files stay out of the result')
    const first = result.epochs[0]!
    const best = Math.min(...result.epochs.map((e) => e.valLoss!))
    assert.ok(best < first.valLoss! / 4, `validation loss fell from ${first.valLoss} to ${best}`)

    const outputs = await runtime.predict({ artifact, inputs: inputs.subarray(240 * 12), steps: 4, features: 3 })
    assert.equal(outputs.length, 60)
    assert.deepEqual(
      outputs.map((v) => v.toFixed(4)),
      result.validationOutputs.map((v) => v.toFixed(4)),
    )
    const mae = outputs.reduce((sum, v, i) => sum + Math.abs(v - targets[240 + i]!), 0) / 60
    const spread = Array.from(targets.subarray(240)).reduce((sum, v) => sum + Math.abs(v), 0) / 60
    assert.ok(mae < spread / 2, `held-out MAE ${mae} vs mean |y| ${spread}`)
  })

  test('stopping from the progress callback ends training early and writes no model', async () => {
    const stopped = 'models/model-2'
    const result = await runtime.train(
      {
        spec,
        inputs,
        targets,
        validationCount: 60,
        maxEpochs: 60,
        batchSize: 32,
        patience: 60,
        artifact: stopped,
        meta: {},
      },
      (report) => report.epoch < 2,
    )
    assert.equal(result.isStopped, true)
    // The stop request crosses threads, so a few more epochs may finish first; never all 60.
    assert.ok(result.epochs.length >= 2 && result.epochs.length < 60, `ran ${result.epochs.length} epochs`)
    assert.deepEqual(await blobs.list(`${stopped}/`), [])
  })

  test('predicting with a model that does not exist fails the call, not the thread', async () => {
    await assert.rejects(runtime.predict({ artifact: 'models/missing', inputs, steps: 4, features: 3 }), {
      code: 'unavailable',
    })
    assert.equal((await runtime.predict({ artifact, inputs: inputs.subarray(0, 12), steps: 4, features: 3 })).length, 1)
  })

  test('a model trained before artifacts moved to the blob store is read from <data dir>/models once and copied in', async () => {
    const legacy = join(dir, 'models', 'legacy-1')
    mkdirSync(legacy, { recursive: true })
    for (const blob of await blobs.list(`${artifact}/`))
      writeFileSync(join(legacy, blob.key.slice(artifact.length + 1)), await readBlob(blobs, blob.key))
    const outputs = await runtime.predict({
      artifact: 'models/legacy-1',
      inputs: inputs.subarray(0, 12),
      steps: 4,
      features: 3,
    })
    assert.equal(outputs.length, 1)
    assert.deepEqual(
      (await blobs.list('models/legacy-1/')).map((b) => b.key),
      ['models/legacy-1/model.json', 'models/legacy-1/weights.bin'],
    )
  })

  test('deleteArtifact removes the files, and a fresh runtime (another process) then finds none', async () => {
    const other = createMlRuntime({ trainingThreads: 1, logger: pino({ level: 'silent' }), blobs })
    after(() => other.close())
    assert.equal(
      (await other.predict({ artifact, inputs: inputs.subarray(0, 12), steps: 4, features: 3 })).length,
      1,
      'another runtime loads what this one trained',
    )
    assert.equal(await runtime.deleteArtifact('models/legacy-1'), 2)
    await assert.rejects(
      other.predict({ artifact: 'models/legacy-1', inputs: inputs.subarray(0, 12), steps: 4, features: 3 }),
      { code: 'unavailable' },
    )
  })
})

const countAtTrainingNice = () => [...(threadNices()?.values() ?? [])].filter((n) => n === TRAINING_NICE).length

describe('ML runtime training threads when idle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pulsebase-ml-idle-'))
  const runtime = createMlRuntime({
    trainingThreads: 1,
    logger: pino({ level: 'silent' }),
    blobs: createFileBlobStore({ root: join(dir, 'blobs') }),
    trainingIdleMs: 2000,
  })
  after(async () => {
    await runtime.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const spec = { steps: 4, features: 3, lstmUnits: 8, denseUnits: 4, learningRate: 0.02 }
  const { inputs, targets } = dataset(64, spec.steps, spec.features)
  const train = (name: string) =>
    runtime.train(
      {
        spec,
        inputs,
        targets,
        validationCount: 16,
        maxEpochs: 2,
        batchSize: 16,
        patience: 2,
        artifact: `models/${name}`,
        meta: {},
      },
      () => true,
    )

  test('run at the lowest priority (the API thread keeps its own), end after the idle period and start again with the next training', async () => {
    assert.equal(runtime.trainingThreads(), 0, 'none before the first training')
    const mainNice = threadNices()?.get(process.pid)
    if (mainNice !== undefined) assert.equal(countAtTrainingNice(), 0, 'no thread at the training nice yet')
    assert.equal((await train('a')).epochs.length, 2)
    assert.equal(runtime.trainingThreads(), 1, 'kept right after a run')
    if (mainNice !== undefined) {
      // Linux keeps nice per thread: the training thread's setPriority renices that thread alone.
      assert.equal(countAtTrainingNice(), 1, 'one thread at the training nice per training thread')
      assert.equal(threadNices()?.get(process.pid), mainNice, 'the API thread is not reniced')
      assert.notEqual(mainNice, TRAINING_NICE)
    }
    for (let i = 0; i < 600 && runtime.trainingThreads() > 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(runtime.trainingThreads(), 0, 'released once idle')
    if (threadNices() !== null) {
      for (let i = 0; i < 100 && countAtTrainingNice() > 0; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 50))
      assert.equal(countAtTrainingNice(), 0, 'the released thread has ended')
    }
    assert.equal((await train('b')).epochs.length, 2)
    assert.equal(runtime.trainingThreads(), 1)
  })
})
