// 100 concurrent callers doing HeartRate/Submit against pulsebase, then the same load against a
// bare grpc-js server of the same service: requests/s of each and their ratio (target >= 0.7).
import { enrollDevices, firstTimestamp } from './lib/accounts.js'
import type { UnaryLoadConfig, UnaryLoadResult } from './lib/grpc-unary-client.js'
import { runLoadChildren } from './lib/load-children.js'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, isMain, runAsScript } from './lib/report.js'
import { startServer } from './lib/server.js'
import { formatNumber, percentile, round, sortedCopy } from './lib/stats.js'
import { startTrivialServer } from './lib/trivial-server.js'
import { windowCpu } from './lib/window.js'

const CALLERS = 100
const CLIENT = new URL('./lib/grpc-unary-client.ts', import.meta.url)

interface Target {
  readonly grpcAddress: string
  cpuSeconds(): number | undefined
}

interface Measured {
  readonly rate: number
  readonly line: string
}

/** Splits the callers (and their keys) over the load-generator processes. */
function configsFor(address: string, apiKeys: readonly string[], processes: number): UnaryLoadConfig[] {
  const firstTs = firstTimestamp()
  return Array.from({ length: processes }, (_, p) => ({
    address,
    apiKeys: apiKeys.filter((_, i) => i % processes === p),
    firstTs,
  }))
}

async function measure(
  name: string,
  target: Target,
  apiKeys: readonly string[],
  options: BenchOptions,
): Promise<Measured> {
  const cpu = windowCpu(() => target.cpuSeconds())
  const timing = { ...options, onWindow: cpu.watch }
  const results = await runLoadChildren<UnaryLoadConfig, UnaryLoadResult>(
    CLIENT,
    configsFor(target.grpcAddress, apiKeys, options.grpcClients),
    timing,
  )
  const completed = results.reduce((sum, r) => sum + r.completed, 0)
  const latencies = sortedCopy(results.flatMap((r) => r.latenciesMs))
  const rate = completed / (options.durationMs / 1000)
  const line =
    `  ${name}: ${formatNumber(rate)} req/s, p50 ${round(percentile(latencies, 50), 2)} ms, p99 ${round(percentile(latencies, 99), 2)} ms, ` +
    `not STORED ${results.reduce((s, r) => s + r.notStored, 0)}, failed ${results.reduce((s, r) => s + r.failed, 0)}; ${cpu.describe(results.map((r) => r.cpuPercent))}`
  return { rate, line }
}

export async function runGrpcUnary(options = benchOptions()): Promise<BenchReport> {
  console.log(
    `grpc-unary: ${CALLERS} callers over ${options.grpcClients} client process(es), ${options.warmupMs / 1000} s warm-up + ${options.durationMs / 1000} s each`,
  )
  const server = await startServer({ cpuProfDir: options.cpuProfDir })
  let ours: Measured
  try {
    const apiKeys = await enrollDevices(server.httpUrl, CALLERS)
    ours = await measure('pulsebase', server, apiKeys, options)
  } finally {
    await server.stop()
  }
  const trivial = await startTrivialServer()
  let peer: Measured
  try {
    peer = await measure(
      'trivial grpc-js',
      trivial,
      Array.from({ length: CALLERS }, () => 'unused'),
      options,
    )
  } finally {
    await trivial.stop()
  }
  const ratio = ours.rate / peer.rate
  console.log(ours.line)
  console.log(peer.line)
  console.log(
    `grpc unary Submit: ${formatNumber(ours.rate)} req/s; trivial grpc-js: ${formatNumber(peer.rate)} req/s; ratio ${ratio.toFixed(2)} (target >= 0.7)`,
  )
  return {
    bench: 'grpc-unary',
    figures: [
      { label: 'Submit', value: ours.rate, unit: 'req/s' },
      { label: 'trivial grpc-js Submit', value: peer.rate, unit: 'req/s' },
      { label: 'ratio to trivial', value: ratio, unit: 'x', target: { op: '>=', value: 0.7 } },
    ],
  }
}

if (isMain(import.meta.url)) await runAsScript(runGrpcUnary)
