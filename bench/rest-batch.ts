// POSTs of 1,000-sample batches over 8 keep-alive connections -> stored samples/s on SQLite
// (target >= 200,000); then raw better-sqlite3 batched inserts into the same table -> rows/s,
// and the ratio of the two (target >= 0.5).
import { bpmFor, enrollDevices, firstTimestamp } from './lib/accounts.js'
import { connectionPool, postJson } from './lib/http.js'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, isMain, runAsScript } from './lib/report.js'
import { type BenchServer, startServer } from './lib/server.js'
import { rawInsertCompactRows, rawInsertRows } from './lib/sqlite-baseline.js'
import { formatNumber } from './lib/stats.js'
import { awaitQuietMachine, isInWindow, until, type Window, windowCpu, windowFrom } from './lib/window.js'

const CONNECTIONS = 8
const BATCH = 1000

/** `{"samples":[...]}` of `count` samples one millisecond apart, as a JSON string. */
export function batchBody(firstTs: number, count: number): string {
  const parts: string[] = new Array(count)
  for (let i = 0; i < count; i += 1) parts[i] = `{"timestamp":${firstTs + i},"bpm":${bpmFor(firstTs + i)}}`
  return `{"samples":[${parts.join(',')}]}`
}

interface Tally {
  stored: number
  notStored: number
  failures: number
  firstFailure?: string
}

/** New samples in a 200 answer: STORED verdicts that were not stored before. */
function storedIn(body: string): { stored: number; notStored: number } {
  const { verdicts } = JSON.parse(body) as { verdicts: { status: string; alreadyStored?: boolean }[] }
  const stored = verdicts.filter((v) => v.status === 'stored' && v.alreadyStored !== true).length
  return { stored, notStored: verdicts.length - stored }
}

async function postBatches(server: BenchServer, apiKeys: readonly string[], window: Window): Promise<Tally> {
  const agent = connectionPool(CONNECTIONS)
  const url = `${server.httpUrl}/v1/heart-rate/samples`
  const tally: Tally = { stored: 0, notStored: 0, failures: 0 }
  const connection = async (apiKey: string) => {
    for (let ts = firstTimestamp(); Date.now() < window.measureTo; ts += BATCH) {
      const reply = await postJson(agent, url, batchBody(ts, BATCH), apiKey).catch((error: Error) => ({
        status: 0,
        body: error.message,
      }))
      if (!isInWindow(window, Date.now())) continue
      if (reply.status !== 200) {
        tally.failures += 1
        tally.firstFailure ??= `${reply.status} ${reply.body.slice(0, 200)}`
        continue
      }
      const counted = storedIn(reply.body)
      tally.stored += counted.stored
      tally.notStored += counted.notStored
    }
  }
  await until(window.start)
  await Promise.all(apiKeys.map(connection))
  agent.destroy()
  return tally
}

async function measureHttp(options: BenchOptions): Promise<number> {
  const server = await startServer({ cpuProfDir: options.cpuProfDir })
  try {
    const apiKeys = await enrollDevices(server.httpUrl, CONNECTIONS)
    if (options.quietWaitMs > 0) await awaitQuietMachine(options.quietWaitMs)
    const window = windowFrom(Date.now() + 100, options.warmupMs, options.durationMs)
    const cpu = windowCpu(() => server.cpuSeconds())
    cpu.watch(window)
    const tally = await postBatches(server, apiKeys, window)
    const rate = tally.stored / (options.durationMs / 1000)
    const failed = tally.failures > 0 ? ` (first: ${tally.firstFailure})` : ''
    console.log(
      `  HTTP: ${formatNumber(tally.stored)} samples stored in ${options.durationMs / 1000} s, not stored ${tally.notStored}, failed requests ${tally.failures}${failed}; ${cpu.describe()}`,
    )
    return rate
  } finally {
    await server.stop()
  }
}

export async function runRestBatch(options = benchOptions()): Promise<BenchReport> {
  console.log(
    `rest-batch: ${BATCH}-sample POSTs over ${CONNECTIONS} connections, ${options.warmupMs / 1000} s warm-up + ${options.durationMs / 1000} s; then raw better-sqlite3 for as long`,
  )
  const http = await measureHttp(options)
  if (options.quietWaitMs > 0) await awaitQuietMachine(options.quietWaitMs)
  const rows = await rawInsertRows(windowFrom(Date.now(), options.warmupMs, options.durationMs), BATCH, CONNECTIONS)
  const raw = rows / (options.durationMs / 1000)
  const ratio = http / raw
  const compactRows = await rawInsertCompactRows(
    windowFrom(Date.now(), options.warmupMs, options.durationMs),
    BATCH,
    CONNECTIONS,
  )
  const compact = compactRows / (options.durationMs / 1000)
  console.log(
    `rest batch: ${formatNumber(http)} stored samples/s (target >= 200,000); raw better-sqlite3: ${formatNumber(raw)} rows/s; ratio ${ratio.toFixed(2)} (target >= 0.5); raw into the server's own table layout: ${formatNumber(compact)} rows/s, ratio ${(http / compact).toFixed(2)}`,
  )
  return {
    bench: 'rest-batch',
    figures: [
      {
        label: `stored samples/s, ${BATCH}-sample POSTs`,
        value: http,
        unit: 'samples/s',
        target: { op: '>=', value: 200_000 },
      },
      { label: 'raw better-sqlite3 inserts', value: raw, unit: 'rows/s' },
      { label: 'ratio to raw better-sqlite3', value: ratio, unit: 'x', target: { op: '>=', value: 0.5 } },
      { label: 'raw better-sqlite3, server table layout', value: compact, unit: 'rows/s' },
      { label: 'ratio to raw, server table layout', value: http / compact, unit: 'x' },
    ],
  }
}

if (isMain(import.meta.url)) await runAsScript(runRestBatch)
