// POST /v1/recommendations/meditation (100 candidates from the seed's ranges, plus the user's own,
// scored in one batched prediction) with the model already loaded in the inference thread:
// 300 sequential requests after 20 warm-up ones -> p50 (target < 50 ms).
import { performance } from 'node:perf_hooks'
import { awaitTraining, call, meditator, startTraining } from './lib/meditation.js'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, isMain, runAsScript } from './lib/report.js'
import { startServer } from './lib/server.js'
import { percentile, sortedCopy } from './lib/stats.js'
import { awaitQuietMachine } from './lib/window.js'

const REQUESTS = 300

export async function runMlRecommend(options: BenchOptions): Promise<BenchReport> {
  const server = await startServer({ cpuProfDir: options.cpuProfDir })
  try {
    const base = server.httpUrl
    const token = await meditator(base, 2, 40)
    await awaitTraining(base, token, await startTraining(base, token))
    const recommend = () => call(base, 'POST', '/v1/recommendations/meditation', {}, token)
    for (let i = 0; i < 20; i += 1) await recommend()
    await awaitQuietMachine(options.quietWaitMs)
    const latencies: number[] = []
    let candidates = 0
    for (let i = 0; i < REQUESTS; i += 1) {
      const started = performance.now()
      const reply = await recommend()
      latencies.push(performance.now() - started)
      if (reply.status !== 200) throw new Error(`recommendation: ${reply.status} ${JSON.stringify(reply.body)}`)
      candidates = reply.body.candidates as number
    }
    const sorted = sortedCopy(latencies)
    const [p50, p99] = [percentile(sorted, 50), percentile(sorted, 99)]
    console.log(
      `ml recommend: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms over ${REQUESTS} sequential requests, ${candidates} candidates each (target p50 < 50 ms)`,
    )
    return {
      bench: 'ml-recommend',
      figures: [{ label: 'recommendation p50, cached model', value: p50, unit: 'ms', target: { op: '<', value: 50 } }],
    }
  } finally {
    await server.stop()
  }
}

if (isMain(import.meta.url)) await runAsScript(() => runMlRecommend(benchOptions()))
