// The meditation model trained on seed-sized data (40 periods x 15 samples), through the server:
// POST /v1/training-jobs until the job has succeeded (early stopping decides convergence).
// One cold run (threads and wasm start), then the median of 5 warm runs (target < 5 s).
import { performance } from 'node:perf_hooks'
import { awaitTraining, call, meditator, startTraining } from './lib/meditation.js'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, isMain, runAsScript } from './lib/report.js'
import { startServer } from './lib/server.js'
import { formatNumber, percentile, sortedCopy } from './lib/stats.js'
import { awaitQuietMachine } from './lib/window.js'

const RUNS = 5

export async function runMlTrain(options: BenchOptions): Promise<BenchReport> {
  const server = await startServer({ cpuProfDir: options.cpuProfDir })
  try {
    const base = server.httpUrl
    const token = await meditator(base, 1, 40)
    const timed = async () => {
      const started = performance.now()
      const job = await awaitTraining(base, token, await startTraining(base, token))
      return { ms: performance.now() - started, job }
    }
    const cold = await timed()
    await awaitQuietMachine(options.quietWaitMs)
    const warm: Array<Awaited<ReturnType<typeof timed>>> = []
    for (let i = 0; i < RUNS; i += 1) warm.push(await timed())
    const median = percentile(sortedCopy(warm.map((w) => w.ms)), 50)
    const epochs = warm.map((w) => w.job.epochs.length as number)
    const model = (await call(base, 'GET', '/v1/models?limit=1', undefined, token)).body.models[0]
    console.log(
      `ml train (seed size: 40 periods x 15 samples): ${formatNumber(median)} ms to a converged model, median of ${RUNS} ` +
        `(${Math.min(...epochs)}-${Math.max(...epochs)} epochs; time to train recorded ${formatNumber(warm[0]!.job.durationMs)} ms; cold first run ${formatNumber(cold.ms)} ms; ` +
        `held-out MAE ${model.metrics.heldOutMae.toFixed(2)} bpm vs persistence ${model.metrics.persistenceMae.toFixed(2)}) (target < 5,000 ms)`,
    )
    return {
      bench: 'ml-train',
      figures: [
        {
          label: 'seed-size training, request to succeeded',
          value: median,
          unit: 'ms',
          target: { op: '<', value: 5000 },
        },
      ],
    }
  } finally {
    await server.stop()
  }
}

if (isMain(import.meta.url)) await runAsScript(() => runMlTrain(benchOptions()))
