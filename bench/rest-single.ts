// Single-sample POSTs at a fixed 1,000 requests/s (open loop: each request leaves at its scheduled
// time, whatever earlier ones are doing) -> p50/p99 latency from the scheduled time, and the
// achieved rate (target p99 < 10 ms).
import { performance } from 'node:perf_hooks'
import { bpmFor, enrollDevices, firstTimestamp } from './lib/accounts.js'
import { connectionPool, postJson } from './lib/http.js'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, isMain, runAsScript } from './lib/report.js'
import { startServer } from './lib/server.js'
import { formatNumber, percentile, round, sortedCopy } from './lib/stats.js'
import { awaitQuietMachine, type Window, windowCpu, windowFrom } from './lib/window.js'

const RATE = 1000
// Enough sockets that a request never waits for a free one unless ~this many are outstanding.
const MAX_CONNECTIONS = 256

interface Outcome {
  readonly latenciesMs: number[]
  /** Responses (any status) that arrived inside the window. */
  answered: number
  failures: number
  firstFailure?: string
}

/** Sends one POST per 1/RATE s from window.start until window.measureTo; latencies of those scheduled in the window. */
function openLoop(send: (ts: number) => Promise<{ status: number; body: string }>, window: Window): Promise<Outcome> {
  const outcome: Outcome = { latenciesMs: [], answered: 0, failures: 0 }
  const toPerf = (epochMs: number) => performance.now() + (epochMs - Date.now())
  const [start, from, to] = [toPerf(window.start), toPerf(window.measureFrom), toPerf(window.measureTo)]
  const period = 1000 / RATE
  const pending = new Set<Promise<void>>()
  let ts = firstTimestamp()
  const fire = (scheduled: number) => {
    const request = send(ts++).then(
      (reply) => record(scheduled, reply.status === 201 ? undefined : `${reply.status} ${reply.body.slice(0, 200)}`),
      (error: Error) => record(scheduled, error.message),
    )
    pending.add(request)
    void request.finally(() => pending.delete(request))
  }
  const record = (scheduled: number, failure: string | undefined) => {
    const done = performance.now()
    if (done >= from && done < to) outcome.answered += 1
    if (scheduled < from || scheduled >= to) return
    if (failure === undefined) outcome.latenciesMs.push(done - scheduled)
    else {
      outcome.failures += 1
      outcome.firstFailure ??= failure
    }
  }
  return new Promise((resolve) => {
    let next = start
    const tick = () => {
      for (const now = performance.now(); next <= now && next < to; next += period) fire(next)
      if (next < to) setTimeout(tick, Math.max(0, next - performance.now()))
      else void Promise.all(pending).then(() => resolve(outcome))
    }
    setTimeout(tick, Math.max(0, start - performance.now()))
  })
}

async function measure(options: BenchOptions) {
  const server = await startServer({ cpuProfDir: options.cpuProfDir })
  const agent = connectionPool(MAX_CONNECTIONS)
  try {
    const [apiKey] = (await enrollDevices(server.httpUrl, 1)) as [string]
    const url = `${server.httpUrl}/v1/heart-rate/samples`
    if (options.quietWaitMs > 0) await awaitQuietMachine(options.quietWaitMs)
    const window = windowFrom(Date.now() + 100, options.warmupMs, options.durationMs)
    const cpu = windowCpu(() => server.cpuSeconds())
    cpu.watch(window)
    const outcome = await openLoop(
      (ts) => postJson(agent, url, `{"timestamp":${ts},"bpm":${bpmFor(ts)}}`, apiKey),
      window,
    )
    return { outcome, cpu: cpu.describe() }
  } finally {
    agent.destroy()
    await server.stop()
  }
}

export async function runRestSingle(options = benchOptions()): Promise<BenchReport> {
  console.log(
    `rest-single: single-sample POSTs at ${RATE}/s, open loop, ${options.warmupMs / 1000} s warm-up + ${options.durationMs / 1000} s`,
  )
  const { outcome, cpu } = await measure(options)
  const sorted = sortedCopy(outcome.latenciesMs)
  const [p50, p99] = [percentile(sorted, 50), percentile(sorted, 99)]
  const achieved = outcome.answered / (options.durationMs / 1000)
  const failed = outcome.failures > 0 ? ` (first: ${outcome.firstFailure})` : ''
  console.log(
    `  ${formatNumber(sorted.length)} answered 201, failed ${outcome.failures}${failed}; max ${round(sorted.at(-1) ?? Number.NaN, 1)} ms; ${cpu}`,
  )
  console.log(
    `rest single: p50 ${round(p50, 2)} ms, p99 ${round(p99, 2)} ms at ${formatNumber(achieved)} req/s achieved of ${RATE} offered (target p99 < 10 ms)`,
  )
  return {
    bench: 'rest-single',
    figures: [
      { label: 'p50 latency', value: p50, unit: 'ms' },
      { label: `p99 latency at ${RATE} req/s`, value: p99, unit: 'ms', target: { op: '<', value: 10 } },
      { label: 'achieved rate', value: achieved, unit: 'req/s', target: { op: '>=', value: RATE * 0.99 } },
    ],
  }
}

if (isMain(import.meta.url)) await runAsScript(runRestSingle)
