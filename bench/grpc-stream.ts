// 10 bidi Streams pushing samples as fast as back-pressure allows -> stored samples/s
// (target >= 30,000); then 1,000 streams opened at once, one sample each -> how many were answered.
import { enrollDevices, firstTimestamp } from './lib/accounts.js'
import { streamBurst } from './lib/grpc-burst.js'
import type { StreamLoadConfig, StreamLoadResult } from './lib/grpc-stream-client.js'
import { runLoadChildren } from './lib/load-children.js'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, isMain, runAsScript } from './lib/report.js'
import { type BenchServer, startServer } from './lib/server.js'
import { formatNumber, round } from './lib/stats.js'
import { awaitQuietMachine, windowCpu } from './lib/window.js'

const STREAMS = 10
// Unanswered samples per stream. grpc-js acknowledges a client write once it is in the call's retry
// buffer (256 KB, ~17,000 samples) and re-slices that buffer on every send, so a client that runs
// far ahead of its verdicts spends its CPU there; 1,000 keeps 10,000 samples in flight.
const MAX_UNANSWERED = 1000
const BURST_STREAMS = 1000
const BURST_TIMEOUT_MS = 30_000
const CLIENT = new URL('./lib/grpc-stream-client.ts', import.meta.url)

async function measureThroughput(server: BenchServer, options: BenchOptions): Promise<number> {
  const apiKeys = await enrollDevices(server.httpUrl, STREAMS)
  const processes = Math.min(options.grpcClients, STREAMS)
  const firstTs = firstTimestamp()
  const configs: StreamLoadConfig[] = Array.from({ length: processes }, (_, p) => ({
    address: server.grpcAddress,
    apiKeys: apiKeys.filter((_, i) => i % processes === p),
    firstTs,
    maxUnanswered: MAX_UNANSWERED,
  }))
  const cpu = windowCpu(() => server.cpuSeconds())
  const timing = { ...options, onWindow: cpu.watch }
  const results = await runLoadChildren<StreamLoadConfig, StreamLoadResult>(CLIENT, configs, timing)
  const stored = results.reduce((sum, r) => sum + r.stored, 0)
  const rate = stored / (options.durationMs / 1000)
  const errors = results.flatMap((r) => r.errors)
  console.log(
    `  ${STREAMS} streams: ${formatNumber(stored)} samples STORED in ${options.durationMs / 1000} s, ` +
      `not stored ${results.reduce((s, r) => s + r.notStored, 0)}, stream errors ${errors.length}${errors.length > 0 ? ` (${errors[0]})` : ''}; ${cpu.describe(results.map((r) => r.cpuPercent))}`,
  )
  return rate
}

export async function runGrpcStream(options = benchOptions()): Promise<BenchReport> {
  console.log(
    `grpc-stream: ${STREAMS} streams over ${Math.min(options.grpcClients, STREAMS)} client process(es), ${options.warmupMs / 1000} s warm-up + ${options.durationMs / 1000} s; then ${BURST_STREAMS} streams at once`,
  )
  const server = await startServer({ cpuProfDir: options.cpuProfDir })
  try {
    const rate = await measureThroughput(server, options)
    console.log(`grpc stream: ${formatNumber(rate)} stored samples/s over ${STREAMS} streams (target >= 30,000)`)
    const [burstKey] = await enrollDevices(server.httpUrl, 1)
    if (options.quietWaitMs > 0) await awaitQuietMachine(options.quietWaitMs)
    const burst = await streamBurst(
      server.grpcAddress,
      burstKey as string,
      BURST_STREAMS,
      firstTimestamp(),
      BURST_TIMEOUT_MS,
    )
    const errors = [...burst.errors].map(([message, n]) => `${n}x ${message}`).join('; ')
    console.log(
      `  burst: ${burst.stored} STORED; time to verdict p50 ${round(burst.p50Ms)} ms, p99 ${round(burst.p99Ms)} ms, last ${round(burst.allAnsweredMs)} ms${errors ? `; errors: ${errors}` : ''}`,
    )
    console.log(`grpc stream burst: ${burst.answered} of ${burst.opened} streams answered (target ${burst.opened})`)
    return {
      bench: 'grpc-stream',
      figures: [
        {
          label: `stored samples/s, ${STREAMS} streams`,
          value: rate,
          unit: 'samples/s',
          target: { op: '>=', value: 30_000 },
        },
        {
          label: `answered of ${BURST_STREAMS} streams at once`,
          value: burst.answered,
          unit: 'streams',
          target: { op: '>=', value: BURST_STREAMS },
        },
      ],
    }
  } finally {
    await server.stop()
  }
}

if (isMain(import.meta.url)) await runAsScript(runGrpcStream)
