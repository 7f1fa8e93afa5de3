// A load-generator child for bench/grpc-stream.ts: bidi Streams that push samples as fast as
// back-pressure (and a cap on unanswered samples) allows, counting STORED verdicts in the window.
import { once } from 'node:events'
import type { ClientDuplexStream } from '@grpc/grpc-js'
import type { Sample } from '../../src/generated/proto/pulsebase/v1/Sample.js'
import type { Verdict__Output } from '../../src/generated/proto/pulsebase/v1/Verdict.js'
import { bpmFor } from './accounts.js'
import { bearer, connected, heartRateClient } from './grpc.js'
import { serveLoad } from './load-children.js'
import { isInWindow, until, type Window } from './window.js'

export interface StreamLoadConfig {
  readonly address: string
  /** One stream per key. */
  readonly apiKeys: readonly string[]
  readonly firstTs: number
  /** Samples a stream may have sent without a verdict; bounds the client's memory. */
  readonly maxUnanswered: number
}

export interface StreamLoadResult {
  /** New samples (STORED, not already stored) whose verdict arrived inside the window. */
  readonly stored: number
  readonly notStored: number
  readonly errors: readonly string[]
  readonly cpuPercent: number
}

type Call = ClientDuplexStream<Sample, Verdict__Output>
const WRITE_SLICE = 256 // samples written before yielding, so the streams of a process take turns

/** Resolves on the first of the events or at the deadline (if any). */
function waitForAny(call: Call, events: readonly string[], deadline?: number): Promise<void> {
  const controller = new AbortController()
  const timer =
    deadline === undefined ? undefined : setTimeout(() => controller.abort(), Math.max(0, deadline - Date.now()))
  return Promise.race(events.map((event) => once(call, event, { signal: controller.signal })))
    .then(
      () => undefined,
      () => undefined,
    )
    .finally(() => {
      clearTimeout(timer)
      controller.abort()
    })
}

async function pushSamples(
  call: Call,
  config: StreamLoadConfig,
  window: Window,
  state: { unanswered: number; isOpen: boolean },
) {
  let ts = config.firstTs
  while (state.isOpen && Date.now() < window.measureTo) {
    if (state.unanswered >= config.maxUnanswered) {
      await waitForAny(call, ['data', 'error', 'close'], window.measureTo)
      continue
    }
    let canWrite = true
    for (let i = 0; i < WRITE_SLICE && canWrite && state.unanswered < config.maxUnanswered; i += 1) {
      canWrite = call.write({ timestampMs: ts, bpm: bpmFor(ts) })
      ts += 1
      state.unanswered += 1
    }
    if (!canWrite) await waitForAny(call, ['drain', 'error', 'close'], window.measureTo)
    else await new Promise((resolve) => setImmediate(resolve))
  }
}

async function runStream(
  apiKey: string,
  config: StreamLoadConfig,
  window: Window,
  result: { stored: number; notStored: number; errors: string[] },
) {
  const client = heartRateClient(config.address)
  const call: Call = client.Stream(bearer(apiKey))
  const state = { unanswered: 0, isOpen: true }
  call.on('data', (verdict: Verdict__Output) => {
    state.unanswered -= 1
    if (!isInWindow(window, Date.now())) return
    if (verdict.status === 'STORED' && !verdict.alreadyStored) result.stored += 1
    else result.notStored += 1
  })
  const ended = waitForAny(call, ['status', 'error'])
  call.on('error', (error: Error & { code?: number }) => {
    state.isOpen = false
    if (Date.now() < window.measureTo) result.errors.push(error.message)
  })
  await pushSamples(call, config, window, state)
  call.end()
  await Promise.race([ended, until(Date.now() + 3000)])
  call.cancel()
  client.close()
}

async function prepare(config: StreamLoadConfig) {
  const warm = heartRateClient(config.address) // the streams' clients share its connection
  await connected(warm)
  return async (window: Window): Promise<StreamLoadResult> => {
    const result = { stored: 0, notStored: 0, errors: [] as string[] }
    await until(window.start)
    let cpuFrom = process.cpuUsage()
    let cpuTo = cpuFrom
    const marks = until(window.measureFrom)
      .then(() => (cpuFrom = process.cpuUsage()))
      .then(() => until(window.measureTo))
      .then(() => (cpuTo = process.cpuUsage()))
    await Promise.all([...config.apiKeys.map((key) => runStream(key, config, window, result)), marks])
    warm.close()
    const busy = cpuTo.user + cpuTo.system - cpuFrom.user - cpuFrom.system
    return { ...result, cpuPercent: busy / 10 / (window.measureTo - window.measureFrom) }
  }
}

serveLoad(prepare)
