import { performance } from 'node:perf_hooks'
import type { Verdict__Output } from '../../src/generated/proto/pulsebase/v1/Verdict.js'
import { bpmFor } from './accounts.js'
import { bearer, connected, heartRateClient, type HeartRateClient } from './grpc.js'
import { percentile, sortedCopy } from './stats.js'

export interface BurstResult {
  readonly opened: number
  /** Streams that got a verdict for their sample. */
  readonly answered: number
  readonly stored: number
  readonly errors: ReadonlyMap<string, number>
  readonly p50Ms: number
  readonly p99Ms: number
  /** From opening the first stream to the last verdict. */
  readonly allAnsweredMs: number
}

/** One stream: send one sample, resolve with the verdict (or the error), then close the stream. */
function oneSample(
  client: HeartRateClient,
  apiKey: string,
  ts: number,
  deadline: number,
): Promise<Verdict__Output | Error> {
  return new Promise((resolve) => {
    const call = client.Stream(bearer(apiKey), { deadline })
    let isSettled = false
    call.on('data', (verdict: Verdict__Output) => {
      if (isSettled) return
      isSettled = true
      resolve(verdict)
      call.end()
    })
    call.on('error', (error: Error) => {
      if (!isSettled) resolve(error)
      isSettled = true
    })
    call.on('end', () => {
      if (!isSettled) resolve(new Error('stream ended without a verdict'))
      isSettled = true
    })
    call.write({ timestampMs: ts, bpm: bpmFor(ts) })
  })
}

/**
 * `count` clients, each on a connection of its own like separate watches, connect first; then
 * all their streams open in one go and each sends one sample and waits for its verdict.
 */
export async function streamBurst(
  address: string,
  apiKey: string,
  count: number,
  firstTs: number,
  timeoutMs: number,
): Promise<BurstResult> {
  const clients = Array.from({ length: count }, () => heartRateClient(address, true))
  try {
    await Promise.all(clients.map((client) => connected(client, 30_000)))
    const started = performance.now()
    const deadline = Date.now() + timeoutMs
    const latencies: number[] = []
    const outcomes = await Promise.all(
      clients.map((client, i) =>
        oneSample(client, apiKey, firstTs + i, deadline).then((outcome) => {
          if (!(outcome instanceof Error)) latencies.push(performance.now() - started)
          return outcome
        }),
      ),
    )
    const errors = new Map<string, number>()
    for (const outcome of outcomes)
      if (outcome instanceof Error) errors.set(outcome.message, (errors.get(outcome.message) ?? 0) + 1)
    const verdicts = outcomes.filter((o): o is Verdict__Output => !(o instanceof Error))
    const sorted = sortedCopy(latencies)
    return {
      opened: count,
      answered: verdicts.length,
      stored: verdicts.filter((v) => v.status === 'STORED').length,
      errors,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      allAnsweredMs: sorted.at(-1) ?? Number.NaN,
    }
  } finally {
    for (const client of clients) client.close()
  }
}
