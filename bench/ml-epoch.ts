// One training epoch of LSTM(64) -> Dense(8, relu) -> Dense(1) on 1,024 windows of 45 steps x 4
// features, batch 32 (Adam, MAE): TensorFlow.js on the wasm backend as pulsebase runs it (in a
// worker thread), against PyTorch on the CPU of the same machine (Debian's python3-torch, run with
// /usr/bin/python3). One warm-up epoch each, then the median of 3. Target: ratio <= 1.0.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, type Figure, isMain, runAsScript } from './lib/report.js'
import { formatNumber } from './lib/stats.js'
import { awaitQuietMachine } from './lib/window.js'
import { runInWorker } from './lib/worker-run.js'

const RUNS = 3
const PYTHON = '/usr/bin/python3'
const TORCH_SCRIPT = fileURLToPath(new URL('./lib/torch_epoch.py', import.meta.url))

/** The tfjs side runs in a worker thread, like pulsebase's ML threads. */
const tfjsEpochs = () =>
  runInWorker<{ medianMs: number; runsMs: number[]; simd: boolean }>(
    new URL('./lib/tfjs-epoch.ts', import.meta.url),
    RUNS,
  )

async function torchEpochs(): Promise<{ medianMs: number; torch: string; threads: number } | string> {
  if (!existsSync(PYTHON)) return 'skipped: PyTorch peer not installed (apt-get install python3-torch)'
  try {
    const { stdout } = await promisify(execFile)(PYTHON, [TORCH_SCRIPT, String(RUNS)], { timeout: 300_000 })
    return JSON.parse(stdout.trim().split('\n').at(-1) as string)
  } catch (error) {
    const text = String((error as { stderr?: string }).stderr ?? error)
    if (/No module named 'torch'/.test(text))
      return 'skipped: PyTorch peer not installed (apt-get install python3-torch)'
    throw error
  }
}

export async function runMlEpoch(options: BenchOptions): Promise<BenchReport> {
  await awaitQuietMachine(options.quietWaitMs)
  const tfjs = await tfjsEpochs()
  await awaitQuietMachine(options.quietWaitMs)
  const torch = await torchEpochs()
  const figures: Figure[] = [{ label: 'tfjs-wasm epoch (1,024 x 45 x 4, LSTM 64)', value: tfjs.medianMs, unit: 'ms' }]
  const runs = (ms: number[]) => ms.map((m) => formatNumber(m)).join(', ')
  if (typeof torch === 'string') {
    console.log(
      `ml epoch: tfjs-wasm${tfjs.simd ? ' (SIMD)' : ''} ${formatNumber(tfjs.medianMs)} ms (runs ${runs(tfjs.runsMs)}); ${torch}`,
    )
  } else {
    const ratio = tfjs.medianMs / torch.medianMs
    console.log(
      `ml epoch: tfjs-wasm${tfjs.simd ? ' (SIMD)' : ''} ${formatNumber(tfjs.medianMs)} ms (runs ${runs(tfjs.runsMs)}); ` +
        `PyTorch ${torch.torch} CPU (${torch.threads} threads) ${formatNumber(torch.medianMs)} ms; ratio ${ratio.toFixed(2)} (target <= 1.0)`,
    )
    figures.push({ label: 'PyTorch CPU epoch (same model and data)', value: torch.medianMs, unit: 'ms' })
    figures.push({
      label: 'tfjs-wasm / PyTorch epoch time',
      value: ratio,
      unit: 'x',
      target: { op: '<', value: 1.0001 },
    })
  }
  return { bench: 'ml-epoch', figures }
}

if (isMain(import.meta.url)) await runAsScript(() => runMlEpoch(benchOptions()))
