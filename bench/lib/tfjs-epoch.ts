// Runs inside a worker thread for bench/ml-epoch.ts: the same model and data shape as torch_epoch.py.
import { buildSequenceModel } from '../../src/platform/ml-runtime/sequence-model.js'
import { loadTf } from '../../src/platform/ml-runtime/tf-runtime.js'

export async function run(runs: number): Promise<{ medianMs: number; runsMs: number[]; simd: boolean }> {
  const tf = await loadTf()
  const model = buildSequenceModel(tf, { steps: 45, features: 4, lstmUnits: 64, denseUnits: 8, learningRate: 0.001 })
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'meanAbsoluteError' })
  const x = tf.randomNormal([1024, 45, 4])
  const y = tf.randomNormal([1024, 1])
  const epoch = () => model.fit(x, y, { epochs: 1, batchSize: 32, shuffle: true, verbose: 0 })
  await epoch()
  const runsMs: number[] = []
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now()
    await epoch()
    runsMs.push(performance.now() - started)
  }
  const sorted = [...runsMs].sort((a, b) => a - b)
  return {
    medianMs: sorted[Math.floor(sorted.length / 2)] as number,
    runsMs,
    simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean,
  }
}
