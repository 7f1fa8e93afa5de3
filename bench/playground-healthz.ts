// GET /healthz at 100 req/s (open loop) while four playground trainings run the whole time: four
// users each keep one DIGITS MLP run in flight (the next queued as soon as a poll every 250 ms sees
// the last one end), on a server with four training threads so that all four run at once -> p99
// (target < 20 ms). The trainings run on worker threads; the event loop only plans each run
// (reads the dataset, splits it) and stores its progress and results.
import { call } from './lib/meditation.js'
import { probeHealthz } from './lib/healthz-probe.js'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, isMain, runAsScript } from './lib/report.js'
import { startServer } from './lib/server.js'
import { sleep } from './lib/stats.js'

const RATE = 100
const TRAININGS = 4
const POLL_MS = 250
const RUN = {
  dataset: { builtin: 'DIGITS' },
  problemType: 'classification',
  model: {
    kind: 'network',
    layers: [
      { type: 'dense', units: 32 },
      { type: 'activation', activation: 'relu' },
      { type: 'dense', units: 10 },
    ],
    loss: 'crossEntropy',
    optimizer: 'adam',
    learningRate: 0.01,
    epochs: 15,
    batchSize: 20,
  },
}

async function user(base: string, i: number): Promise<string> {
  const account = await call(base, 'POST', '/v1/auth/register', {
    email: `bench-playground-${i}-${Date.now()}@example.com`,
    password: 'bench playground',
  })
  if (account.status !== 201) throw new Error(`register: ${account.status} ${JSON.stringify(account.body)}`)
  return account.body.accessToken as string
}

/** Queues a run and polls it gently until it ends; throws unless it succeeded. */
async function trainOnce(base: string, token: string): Promise<void> {
  const run = await call(base, 'POST', '/v1/playground/runs', RUN, token)
  if (run.status !== 202) throw new Error(`run: ${run.status} ${JSON.stringify(run.body)}`)
  for (;;) {
    await sleep(POLL_MS)
    const job = await call(base, 'GET', `/v1/training-jobs/${run.body.id as string}`, undefined, token)
    if (job.body.state === 'succeeded') return
    if (job.body.state !== 'queued' && job.body.state !== 'running')
      throw new Error(`run ${job.body.state}: ${job.body.error}`)
  }
}

export async function runPlaygroundHealthz(options: BenchOptions): Promise<BenchReport> {
  const server = await startServer({
    cpuProfDir: options.cpuProfDir,
    env: { PULSEBASE_ML_TRAINING_THREADS: String(TRAININGS) },
  })
  try {
    const base = server.httpUrl
    const tokens = await Promise.all(Array.from({ length: TRAININGS }, (_, i) => user(base, i)))
    await Promise.all(tokens.map((token) => trainOnce(base, token))) // every thread and its wasm warm
    let isLoading = true
    let finished = 0
    const load = tokens.map(async (token) => {
      while (isLoading) {
        await trainOnce(base, token)
        finished += 1
      }
    })
    await sleep(1000) // all four running
    const { p50, p99 } = await probeHealthz(base, options.durationMs, RATE)
    isLoading = false
    await Promise.all(load)
    console.log(
      `playground healthz: p99 ${p99.toFixed(1)} ms (p50 ${p50.toFixed(1)} ms) at ${RATE} req/s for ${options.durationMs / 1000} s while ${TRAININGS} playground trainings ran (${finished} finished) (target p99 < 20 ms)`,
    )
    return {
      bench: 'playground-healthz',
      figures: [
        {
          label: `/healthz p99 during ${TRAININGS} playground trainings`,
          value: p99,
          unit: 'ms',
          target: { op: '<', value: 20 },
        },
      ],
    }
  } finally {
    await server.stop()
  }
}

if (isMain(import.meta.url)) await runAsScript(() => runPlaygroundHealthz(benchOptions()))
