// A load-generator child for bench/grpc-unary.ts: `callers` closed loops of Submit on one connection.
import { performance } from 'node:perf_hooks'
import { bpmFor } from './accounts.js'
import { bearer, connected, heartRateClient, type HeartRateClient } from './grpc.js'
import { serveLoad } from './load-children.js'
import { until, type Window } from './window.js'

export interface UnaryLoadConfig {
  readonly address: string
  /** One caller per key; each caller sends its own device's timestamps. */
  readonly apiKeys: readonly string[]
  readonly firstTs: number
}

export interface UnaryLoadResult {
  /** Calls answered OK inside the window. */
  readonly completed: number
  readonly notStored: number
  readonly failed: number
  readonly latenciesMs: number[]
  /** This process's CPU over the window, percent of one core. */
  readonly cpuPercent: number
}

function submit(client: HeartRateClient, apiKey: string, ts: number): Promise<string> {
  return new Promise((resolve, reject) => {
    client.Submit({ timestampMs: ts, bpm: bpmFor(ts) }, bearer(apiKey), (error, verdict) =>
      error || !verdict ? reject(error ?? new Error('no verdict')) : resolve(verdict.status),
    )
  })
}

async function prepare(config: UnaryLoadConfig) {
  const client = heartRateClient(config.address)
  await connected(client)
  return async (window: Window): Promise<UnaryLoadResult> => {
    const result = { completed: 0, notStored: 0, failed: 0, latenciesMs: [] as number[] }
    const caller = async (apiKey: string) => {
      let ts = config.firstTs
      while (Date.now() < window.measureTo) {
        const started = performance.now()
        const status = await submit(client, apiKey, ts++).catch(() => 'FAILED')
        const done = Date.now()
        if (done < window.measureFrom || done >= window.measureTo) continue
        if (status === 'FAILED') result.failed += 1
        else {
          result.completed += 1
          result.latenciesMs.push(performance.now() - started)
          if (status !== 'STORED') result.notStored += 1
        }
      }
    }
    await until(window.start)
    let cpuFrom = process.cpuUsage()
    const cpuMark = until(window.measureFrom).then(() => (cpuFrom = process.cpuUsage()))
    await Promise.all([...config.apiKeys.map(caller), cpuMark])
    const used = process.cpuUsage(cpuFrom)
    client.close()
    return { ...result, cpuPercent: (100 * (used.user + used.system)) / 1000 / (window.measureTo - window.measureFrom) }
  }
}

serveLoad(prepare)
