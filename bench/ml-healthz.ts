// GET /healthz at 100 req/s (open loop: latency from each request's scheduled time) while two
// trainings run on the server's two training threads the whole time (each user's next job is
// queued as soon as a poll every 250 ms sees the last one finish) -> p99 (target < 20 ms).
import { probeHealthz } from './lib/healthz-probe.js'
import { awaitTraining, meditator, startTraining } from './lib/meditation.js'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, isMain, runAsScript } from './lib/report.js'
import { startServer } from './lib/server.js'

const RATE = 100
const USERS = 2
/** More periods than the seed's 40, so that one training lasts a few seconds. */
const PERIODS = 300
const POLL_MS = 250

export async function runMlHealthz(options: BenchOptions): Promise<BenchReport> {
  const server = await startServer({ cpuProfDir: options.cpuProfDir })
  try {
    const base = server.httpUrl
    const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => meditator(base, 10 + i, PERIODS)))
    await awaitTraining(base, tokens[0]!, await startTraining(base, tokens[0]!)) // threads and wasm warm
    let isLoading = true
    let trainings = 0
    const load = tokens.map(async (token) => {
      while (isLoading) {
        // Polled gently: each poll is a request the server answers beside /healthz.
        await awaitTraining(base, token, await startTraining(base, token), POLL_MS)
        trainings += 1
      }
    })
    await new Promise((resolve) => setTimeout(resolve, 1000)) // both running
    const { p50, p99 } = await probeHealthz(base, options.durationMs, RATE)
    isLoading = false
    await Promise.all(load)
    console.log(
      `ml healthz: p99 ${p99.toFixed(1)} ms (p50 ${p50.toFixed(1)} ms) at ${RATE} req/s for ${options.durationMs / 1000} s while 2 trainings ran (${trainings} finished) (target p99 < 20 ms)`,
    )
    return {
      bench: 'ml-healthz',
      figures: [{ label: '/healthz p99 during 2 trainings', value: p99, unit: 'ms', target: { op: '<', value: 20 } }],
    }
  } finally {
    await server.stop()
  }
}

if (isMain(import.meta.url)) await runAsScript(() => runMlHealthz(benchOptions()))
