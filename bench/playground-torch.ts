// The playground's default network against PyTorch on the CPU (Debian's python3-torch, run with
// /usr/bin/python3): on each built-in classification dataset, the same MLP (Dense(10) -> ReLU ->
// Dense(classes), cross-entropy, SGD at the seed's learning rate 0.05 and batch 20), the same seeded
// stratified split and the same standardization, trained once per initialisation seed on each side.
// Prints the mean held-out accuracy side by side (target: within 2 points) and the median epoch time
// of the IRIS and DIGITS networks on each side (target: ratio <= 1.0).
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { findBuiltin, loadBuiltin } from '../src/domains/playground/builtin-datasets.js'
import type { TrainingRequest } from '../src/domains/playground/playground.schema.js'
import { encode, planTraining } from '../src/domains/playground/prepare.js'
import type { TrainNetworkTask } from '../src/platform/ml-runtime/network-task.js'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, type Figure, isMain, runAsScript } from './lib/report.js'
import { percentile, sortedCopy } from './lib/stats.js'
import { awaitQuietMachine } from './lib/window.js'
import { runInWorker } from './lib/worker-run.js'

const PYTHON = '/usr/bin/python3'
const SCRIPT = fileURLToPath(new URL('./lib/torch_playground.py', import.meta.url))
const DATASETS = ['IRIS', 'WINE', 'BREAST CANCER', 'DIGITS']
const TIMED = new Set(['IRIS', 'DIGITS'])
/** Initialisation (and batch order) seeds; the split is seed 0 for all. A 30-row IRIS test set moves 3.3 points a row, so one run says little. */
const SEEDS = [1, 2, 3, 4, 5]
const HIDDEN = 10
/** More than the seed's 5, so that both sides have converged and the comparison is of the result, not of the first steps. */
const EPOCHS = 30
const SKIPPED = 'skipped: PyTorch peer not installed (apt-get install python3-torch)'

interface Side {
  readonly accuracies: number[]
  readonly epochMs: number[][]
}

function torch(job: unknown): Promise<(Side & { torch: string; threads: number }) | string> {
  if (!existsSync(PYTHON)) return Promise.resolve(SKIPPED)
  return new Promise((resolve, reject) => {
    const child = execFile(
      PYTHON,
      [SCRIPT],
      { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return /No module named 'torch'/.test(stderr) ? resolve(SKIPPED) : reject(error)
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string))
      },
    )
    child.stdin?.end(JSON.stringify(job))
  })
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length
/** Median epoch time, leaving out each run's first epoch (its kernels and buffers warm up). */
const medianEpoch = (side: Side) => percentile(sortedCopy(side.epochMs.flatMap((run) => run.slice(1))), 50)

/** The playground task of the default MLP on a built-in dataset, as pulsebase plans it for a run. */
async function plannedTask(name: string) {
  const dataset = findBuiltin(name)
  const table = await loadBuiltin(dataset)
  const base = { dataset: { builtin: name }, problemType: 'classification' as const, split: { seed: 0 } }
  const classes = encode(table, base).labels?.length ?? 0
  const model = {
    kind: 'network',
    layers: [
      { type: 'dense', units: HIDDEN },
      { type: 'activation', activation: 'relu' },
      { type: 'dense', units: classes },
    ],
    loss: 'crossEntropy',
    optimizer: 'sgd',
    learningRate: 0.05,
    epochs: EPOCHS,
    batchSize: 20,
  }
  const planned = planTraining(table, { ...base, model } as TrainingRequest, undefined)
  const { op, spec, inputs, targets, validationCount, meta } = planned.task as TrainNetworkTask
  return { task: { op, spec, inputs, targets, validationCount, meta }, classes }
}

export async function runPlaygroundTorch(options: BenchOptions): Promise<BenchReport> {
  const figures: Figure[] = []
  let worst = 0
  const ratios: number[] = []
  for (const name of DATASETS) {
    const { task, classes } = await plannedTask(name)
    await awaitQuietMachine(options.quietWaitMs)
    const ours = await runInWorker<Side & { simd: boolean }>(new URL('./lib/playground-network.ts', import.meta.url), {
      task,
      seeds: SEEDS,
    })
    await awaitQuietMachine(options.quietWaitMs)
    const width = task.spec.inputShape[0] as number
    const peer = await torch({
      width,
      inputs: Array.from(task.inputs),
      targets: Array.from(task.targets),
      testCount: task.validationCount,
      classes,
      hidden: HIDDEN,
      learningRate: task.spec.learningRate,
      batchSize: task.spec.batchSize,
      epochs: EPOCHS,
      seeds: SEEDS,
    })
    const mine = mean(ours.accuracies) * 100
    figures.push({ label: `${name} default MLP held-out accuracy, mean of ${SEEDS.length}`, value: mine, unit: '%' })
    const runs = (side: Side) => side.accuracies.map((a) => (a * 100).toFixed(1)).join(', ')
    if (typeof peer === 'string') {
      console.log(`${name.padEnd(13)} pulsebase ${mine.toFixed(1)} % (runs ${runs(ours)}); ${peer}`)
      continue
    }
    const theirs = mean(peer.accuracies) * 100
    worst = Math.max(worst, theirs - mine)
    let timing = ''
    if (TIMED.has(name)) {
      const [a, b] = [medianEpoch(ours), medianEpoch(peer)]
      ratios.push(a / b)
      timing = `; epoch pulsebase ${a.toFixed(1)} ms vs PyTorch ${peer.torch} CPU (${peer.threads} threads) ${b.toFixed(1)} ms, ratio ${(a / b).toFixed(2)} (target <= 1.0)`
      figures.push({
        label: `${name} MLP epoch time pulsebase / PyTorch`,
        value: a / b,
        unit: 'x',
        target: { op: '<', value: 1.0001 },
      })
    }
    console.log(
      `${name.padEnd(13)} pulsebase ${mine.toFixed(1)} % (runs ${runs(ours)})  PyTorch ${theirs.toFixed(1)} % (runs ${runs(peer)})  (${theirs >= mine ? 'behind' : 'ahead'} by ${Math.abs(theirs - mine).toFixed(1)} points)${timing}`,
    )
  }
  figures.push({
    label: 'largest accuracy shortfall against PyTorch',
    value: worst,
    unit: 'points',
    target: { op: '<', value: 2.0001 },
  })
  console.log(
    `playground torch: largest shortfall against PyTorch ${worst.toFixed(1)} points (target <= 2); epoch time ratios ${ratios.map((r) => r.toFixed(2)).join(', ') || 'n/a'} (target <= 1.0)`,
  )
  return { bench: 'playground-torch', figures }
}

if (isMain(import.meta.url)) await runAsScript(() => runPlaygroundTorch(benchOptions()))
