// POSTs of 1,000 CSI frames (106 values each) over 8 keep-alive connections, one Pi each -> stored
// frames/s on SQLite (target >= 50,000); then raw better-sqlite3 inserts of the same blobs into the
// same table -> rows/s, and the ratio of the two.
import { firstTimestamp } from './lib/accounts.js'
import { connectionPool, postJson } from './lib/http.js'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, isMain, runAsScript } from './lib/report.js'
import { channelPool, enrollPis, framesJson, rawInsertFrames } from './lib/sensors.js'
import { startServer } from './lib/server.js'
import { formatNumber } from './lib/stats.js'
import { awaitQuietMachine, isInWindow, until, windowCpu, windowFrom } from './lib/window.js'

const CONNECTIONS = 8
const BATCH = 1000

/** New frames in a 200 answer: stored verdicts that were not stored before. */
function storedIn(body: string): number {
  const { verdicts } = JSON.parse(body) as { verdicts: { status: string; alreadyStored?: boolean }[] }
  return verdicts.filter((v) => v.status === 'stored' && v.alreadyStored !== true).length
}

async function measureHttp(options: BenchOptions): Promise<number> {
  const server = await startServer({ cpuProfDir: options.cpuProfDir })
  try {
    const { devices } = await enrollPis(server.httpUrl, CONNECTIONS)
    const pool = channelPool()
    if (options.quietWaitMs > 0) await awaitQuietMachine(options.quietWaitMs)
    const window = windowFrom(Date.now() + 100, options.warmupMs, options.durationMs)
    const cpu = windowCpu(() => server.cpuSeconds())
    cpu.watch(window)
    const agent = connectionPool(CONNECTIONS)
    const tally = { stored: 0, failures: 0, firstFailure: '' }
    await until(window.start)
    await Promise.all(
      devices.map(async ({ apiKey }) => {
        for (let ts = firstTimestamp(); Date.now() < window.measureTo; ts += BATCH) {
          const reply = await postJson(
            agent,
            `${server.httpUrl}/v1/sensor-frames`,
            `{"frames":[${framesJson(pool, ts, BATCH)}]}`,
            apiKey,
          ).catch((error: Error) => ({ status: 0, body: error.message }))
          if (!isInWindow(window, Date.now())) continue
          if (reply.status !== 200) {
            tally.failures += 1
            tally.firstFailure ||= `${reply.status} ${reply.body.slice(0, 200)}`
          } else tally.stored += storedIn(reply.body)
        }
      }),
    )
    agent.destroy()
    console.log(
      `  HTTP: ${formatNumber(tally.stored)} frames stored in ${options.durationMs / 1000} s, failed requests ${tally.failures}${tally.failures > 0 ? ` (first: ${tally.firstFailure})` : ''}; ${cpu.describe()}`,
    )
    return tally.stored / (options.durationMs / 1000)
  } finally {
    await server.stop()
  }
}

export async function runSensorRest(options = benchOptions()): Promise<BenchReport> {
  console.log(
    `sensor-rest: ${BATCH}-frame POSTs (106 values a frame) over ${CONNECTIONS} connections, ${options.warmupMs / 1000} s warm-up + ${options.durationMs / 1000} s; then raw better-sqlite3 for as long`,
  )
  const http = await measureHttp(options)
  if (options.quietWaitMs > 0) await awaitQuietMachine(options.quietWaitMs)
  const raw =
    (await rawInsertFrames(windowFrom(Date.now(), options.warmupMs, options.durationMs), BATCH, CONNECTIONS)) /
    (options.durationMs / 1000)
  const ratio = http / raw
  console.log(
    `sensor rest: ${formatNumber(http)} stored frames/s (target >= 50,000); raw better-sqlite3: ${formatNumber(raw)} frames/s; ratio ${ratio.toFixed(2)}`,
  )
  return {
    bench: 'sensor-rest',
    figures: [
      {
        label: `stored frames/s, ${BATCH}-frame POSTs`,
        value: http,
        unit: 'frames/s',
        target: { op: '>=', value: 50_000 },
      },
      { label: 'raw better-sqlite3 inserts of the same blobs', value: raw, unit: 'rows/s' },
      { label: 'REST / raw better-sqlite3', value: ratio, unit: 'x' },
    ],
  }
}

if (isMain(import.meta.url)) await runAsScript(runSensorRest)
