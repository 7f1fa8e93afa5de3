// Runs inside a worker thread for bench/playground-torch.ts: pulsebase's own network training
// (`trainNetwork` on the wasm backend, as the ML threads run it) on a planned playground task, once
// per initialisation seed. Returns the held-out accuracy of each run and the time of every epoch.
import { trainNetwork, type TrainNetworkTask } from '../../src/platform/ml-runtime/network-task.js'
import { loadTf } from '../../src/platform/ml-runtime/tf-runtime.js'

const QUIET = { progress() {}, isStopRequested: () => false, ask: async () => true }

/** Share of held-out rows whose highest output is their class (outputs are rows x classes, test rows last). */
function computeAccuracy(outputs: readonly number[], width: number, targets: Float32Array, testCount: number): number {
  const first = targets.length - testCount
  let correct = 0
  for (let r = 0; r < testCount; r += 1) {
    const row = outputs.slice(r * width, (r + 1) * width)
    if (row.indexOf(Math.max(...row)) === targets[first + r]) correct += 1
  }
  return correct / testCount
}

export async function run(job: {
  task: Omit<TrainNetworkTask, 'artifact' | 'seed'>
  seeds: number[]
}): Promise<{ accuracies: number[]; epochMs: number[][]; simd: boolean }> {
  const tf = await loadTf()
  const accuracies: number[] = []
  const epochMs: number[][] = []
  for (const seed of job.seeds) {
    // The files come back as bytes (nothing is written); the bench keeps only the figures.
    const result = await trainNetwork(tf, { ...job.task, seed, artifact: `models/bench-${seed}` }, QUIET)
    accuracies.push(
      computeAccuracy(result.validationOutputs, result.outputs, job.task.targets, job.task.validationCount),
    )
    epochMs.push(result.epochs.map((e) => e.seconds * 1000))
  }
  return { accuracies, epochMs, simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean }
}
