// Live inference with a seed-size classifier (2,839 frames of 106 values, trained first): p50/p99
// from a one-frame POST /v1/sensor-frames to its `sensor-prediction` event on a socket, 300 frames
// one at a time after 20 warm-up ones (target p50 < 5 ms); then predictions/s of
// POST /v1/sensor-models/:id/predict with 256-frame batches from 4 callers (target >= 2,000/s).
import { performance } from 'node:perf_hooks'
import { io } from 'socket.io-client'
import { connectionPool, postJson } from './lib/http.js'
import { call } from './lib/meditation.js'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, isMain, runAsScript } from './lib/report.js'
import { channelPool, enrollPis, framesJson, trainSeedSize } from './lib/sensors.js'
import { startServer } from './lib/server.js'
import { formatNumber, percentile, sortedCopy } from './lib/stats.js'
import { awaitQuietMachine, isInWindow, until, windowCpu, windowFrom } from './lib/window.js'

const WARMUP_FRAMES = 20
const TIMED_FRAMES = 300
const BATCH = 256
const CALLERS = 4

async function liveLatencies(
  httpUrl: string,
  token: string,
  device: { id: string; apiKey: string },
  modelId: string,
): Promise<number[]> {
  const set = await call(httpUrl, 'PUT', `/v1/live-classifiers/${device.id}/csi`, { modelId }, token)
  if (set.status !== 200) throw new Error(`live classifier: ${set.status} ${JSON.stringify(set.body)}`)
  const socket = io(`${httpUrl}/v1`, {
    auth: { token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('ready', () => resolve())
    socket.once('connect_error', reject)
  })
  const waiting = new Map<number, () => void>()
  socket.on('sensor-prediction', (event: { predictions: { timestamp: string }[] }) => {
    for (const p of event.predictions) waiting.get(Date.parse(p.timestamp))?.()
  })
  const agent = connectionPool(1)
  const pool = channelPool()
  const latencies: number[] = []
  let ts = Date.now() - 3_600_000
  try {
    for (let i = 0; i < WARMUP_FRAMES + TIMED_FRAMES; i += 1) {
      ts += 1
      const arrived = new Promise<void>((resolve) => waiting.set(ts, resolve))
      const started = performance.now()
      const reply = await postJson(
        agent,
        `${httpUrl}/v1/sensor-frames`,
        `{"frames":[${framesJson(pool, ts, 1)}]}`,
        device.apiKey,
      )
      if (reply.status !== 200) throw new Error(`frame: ${reply.status} ${reply.body}`)
      await arrived
      if (i >= WARMUP_FRAMES) latencies.push(performance.now() - started)
      waiting.delete(ts)
    }
  } finally {
    socket.close()
    agent.destroy()
  }
  return latencies
}

async function predictionsPerSecond(
  httpUrl: string,
  apiKey: string,
  modelId: string,
  options: BenchOptions,
  describeCpu: ReturnType<typeof windowCpu>,
) {
  const pool = channelPool()
  const body = `{"frames":[${Array.from({ length: BATCH }, (_, i) => `{"channels":${pool[i % pool.length]}}`).join(',')}]}`
  const agent = connectionPool(CALLERS)
  const window = windowFrom(Date.now() + 100, options.warmupMs, options.durationMs)
  describeCpu.watch(window)
  let predicted = 0
  let refused = 0
  await until(window.start)
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (Date.now() < window.measureTo) {
        const reply = await postJson(agent, `${httpUrl}/v1/sensor-models/${modelId}/predict`, body, apiKey)
        if (!isInWindow(window, Date.now())) continue
        if (reply.status === 200) predicted += BATCH
        else refused += 1
      }
    }),
  )
  agent.destroy()
  return { rate: predicted / (options.durationMs / 1000), refused }
}

export async function runSensorInference(options = benchOptions()): Promise<BenchReport> {
  const server = await startServer({ cpuProfDir: options.cpuProfDir })
  try {
    const { token, devices } = await enrollPis(server.httpUrl, 1)
    const device = devices[0] as { id: string; apiKey: string }
    const trained = await trainSeedSize(server.httpUrl, token, { maxEpochs: 40 })
    if (options.quietWaitMs > 0) await awaitQuietMachine(options.quietWaitMs)
    const latencies = sortedCopy(await liveLatencies(server.httpUrl, token, device, trained.modelId))
    const [p50, p99] = [percentile(latencies, 50), percentile(latencies, 99)]
    if (options.quietWaitMs > 0) await awaitQuietMachine(options.quietWaitMs)
    const cpu = windowCpu(() => server.cpuSeconds())
    const throughput = await predictionsPerSecond(server.httpUrl, device.apiKey, trained.modelId, options, cpu)
    console.log(
      `sensor inference (seed-size model, held-out accuracy ${(trained.accuracy * 100).toFixed(1)} %): live p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms from POST to sensor-prediction, ${TIMED_FRAMES} frames one at a time (target p50 < 5 ms); ` +
        `predict ${formatNumber(throughput.rate)} predictions/s in ${BATCH}-frame batches from ${CALLERS} callers (target >= 2,000), ${throughput.refused} refused with 429; ${cpu.describe()}`,
    )
    return {
      bench: 'sensor-inference',
      figures: [
        { label: 'live, POST frame -> sensor-prediction, p50', value: p50, unit: 'ms', target: { op: '<', value: 5 } },
        { label: 'live, POST frame -> sensor-prediction, p99', value: p99, unit: 'ms' },
        {
          label: `predictions/s, ${BATCH}-frame batches`,
          value: throughput.rate,
          unit: 'predictions/s',
          target: { op: '>=', value: 2000 },
        },
      ],
    }
  } finally {
    await server.stop()
  }
}

if (isMain(import.meta.url)) await runAsScript(runSensorInference)
