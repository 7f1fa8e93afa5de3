// The training time of the seed-size sensor classifier (2,839 CSI frames of 53 magnitudes + 53
// phases, 7 door angles, the seed's label counts): through the server, a queued sensor-classifier
// job's recorded time to train for exactly EPOCHS epochs (patience as long, so nothing stops it
// early), next to the same MLP in PyTorch on the CPU (bench/lib/torch_classifier.py with Debian's
// /usr/bin/python3 and python3-torch) on the same rows, split, batch size, Adam settings and epochs.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { sortLabels } from '../src/domains/sensors/dataset-quality.js'
import { stratifiedSplit } from '../src/domains/sensors/classifier.js'
import { trackDir } from './lib/children.js'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, type Figure, isMain, runAsScript } from './lib/report.js'
import { FRAME_VALUES, SUBCARRIERS, enrollPis, seedSizeCsv, trainSeedSize } from './lib/sensors.js'
import { startServer } from './lib/server.js'
import { formatNumber } from './lib/stats.js'
import { awaitQuietMachine } from './lib/window.js'

const PYTHON = '/usr/bin/python3'
const TORCH_SCRIPT = fileURLToPath(new URL('./lib/torch_classifier.py', import.meta.url))
const SETTINGS = {
  hiddenUnits: 24,
  maxEpochs: 50,
  patience: 50,
  batchSize: 32,
  learningRate: 0.005,
  testShare: 0.2,
  seed: 7,
}
const NO_TORCH = 'skipped: no PyTorch (apt-get install python3-torch)'

/** The seed-size rows, split as the server splits them (train rows first), in files for the Python peer. */
function writeRows(dir: string): string {
  const lines = seedSizeCsv()
    .csv.trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','))
  const labels = sortLabels(lines.map((cells) => cells[0] as string))
  const classOf = Int32Array.from(lines, (cells) => labels.indexOf(cells[0] as string))
  const { train, heldOut } = stratifiedSplit(classOf, labels.length, SETTINGS.testShare, SETTINGS.seed)
  const order = [...train, ...heldOut]
  const inputs = new Float32Array(order.length * FRAME_VALUES)
  order.forEach((row, i) => inputs.set((lines[row] as string[]).slice(1).map(Number), i * FRAME_VALUES))
  writeFileSync(join(dir, 'inputs.f32'), new Uint8Array(inputs.buffer))
  writeFileSync(join(dir, 'labels.i32'), new Uint8Array(Int32Array.from(order, (row) => classOf[row] as number).buffer))
  const spec = {
    rows: order.length,
    width: FRAME_VALUES,
    trainCount: train.length,
    classes: labels.length,
    inputs: join(dir, 'inputs.f32'),
    labels: join(dir, 'labels.i32'),
    groups: [
      [0, SUBCARRIERS],
      [SUBCARRIERS, FRAME_VALUES],
      [0, FRAME_VALUES],
    ],
    hiddenUnits: SETTINGS.hiddenUnits,
    learningRate: SETTINGS.learningRate,
    batchSize: SETTINGS.batchSize,
    epochs: SETTINGS.maxEpochs,
  }
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec))
  return join(dir, 'spec.json')
}

async function torchTraining(): Promise<{ ms: number; torch: string; threads: number } | string> {
  if (!existsSync(PYTHON)) return NO_TORCH
  const dir = mkdtempSync(join(tmpdir(), 'pulsebase-bench-torch-'))
  const remove = trackDir(dir)
  try {
    const { stdout } = await promisify(execFile)(PYTHON, [TORCH_SCRIPT, writeRows(dir)], { timeout: 600_000 })
    return JSON.parse(stdout.trim().split('\n').at(-1) as string)
  } catch (error) {
    if (/No module named '(torch|numpy)'/.test(String((error as { stderr?: string }).stderr ?? error))) return NO_TORCH
    throw error
  } finally {
    remove()
  }
}

export async function runSensorTrain(options: BenchOptions = benchOptions()): Promise<BenchReport> {
  const server = await startServer({ cpuProfDir: options.cpuProfDir })
  let ours
  try {
    const { token } = await enrollPis(server.httpUrl, 0)
    await trainSeedSize(server.httpUrl, token, { ...SETTINGS, maxEpochs: 2, patience: 2 }) // starts the training thread and wasm
    if (options.quietWaitMs > 0) await awaitQuietMachine(options.quietWaitMs)
    ours = await trainSeedSize(server.httpUrl, token, SETTINGS)
  } finally {
    await server.stop()
  }
  if (options.quietWaitMs > 0) await awaitQuietMachine(options.quietWaitMs)
  const torch = await torchTraining()
  const figures: Figure[] = [
    { label: `seed-size classifier, ${SETTINGS.maxEpochs} epochs, time to train`, value: ours.durationMs, unit: 'ms' },
  ]
  const head = `sensor train (2,839 frames x 106, 3 heads of Dense(24), ${SETTINGS.maxEpochs} epochs of batch 32): pulsebase ${formatNumber(ours.durationMs)} ms recorded for the job (held-out accuracy ${(ours.accuracy * 100).toFixed(1)} %)`
  if (typeof torch === 'string') {
    console.log(`${head}; ${torch}`)
  } else {
    const ratio = ours.durationMs / torch.ms
    console.log(
      `${head}; PyTorch ${torch.torch} CPU (${torch.threads} threads) ${formatNumber(torch.ms)} ms; ratio ${ratio.toFixed(2)}`,
    )
    figures.push(
      { label: 'PyTorch CPU, the same MLP, data and epochs', value: torch.ms, unit: 'ms' },
      { label: 'pulsebase / PyTorch training time', value: ratio, unit: 'x' },
    )
  }
  return { bench: 'sensor-train', figures }
}

if (isMain(import.meta.url)) await runAsScript(runSensorTrain)
