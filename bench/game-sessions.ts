// Game sessions end to end: POST of a 1,000-sample session -> outbox -> worker -> analysis ->
// `session-processed` on the owner's socket. Latency (p50/p99) one session at a time, then the
// sustained rate with many uploads in flight; on the embedded default and on RabbitMQ
// (target p50 < 50 ms, >= 500 sessions/s).
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { io, type Socket } from 'socket.io-client'
import { answers } from '../test/helpers/services.js'
import { registerUser } from './lib/accounts.js'
import { connectionPool, postJson } from './lib/http.js'
import { type BenchOptions, benchOptions } from './lib/options.js'
import { type BenchReport, type Figure, isMain, runAsScript } from './lib/report.js'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { trackDir } from './lib/children.js'
import { type BenchWorker, startServer, startWorker } from './lib/server.js'
import { formatNumber, percentile, round, sortedCopy } from './lib/stats.js'
import { awaitQuietMachine, isInWindow, windowCpu, windowFrom } from './lib/window.js'

const LATENCY_SESSIONS = 300
const IN_FLIGHT = 32
const RABBITMQ_URL = process.env.BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672'
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'

interface Setup {
  readonly name: string
  readonly tag: string
  readonly env: Record<string, string>
  /** Runs the jobs in a separate `pulsebase worker` process instead of inside `serve`. */
  readonly hasWorkerProcess?: boolean
}

/** One glove game: 500 flex readings (5 fingers) and 500 IMU readings (6 axes) = 1,000 samples. */
function sessionBody(): string {
  const endedAt = Date.now() - 60_000
  const start = endedAt - 10_000
  const channel = (name: string, dims: number) => ({
    name,
    samples: Array.from({ length: 500 }, (_, i) => ({
      t: start + i * 20,
      v: Array.from({ length: dims }, (_, d) => Math.round(1000 * Math.sin(i / 10 + d)) / 10),
    })),
  })
  return JSON.stringify({
    gameId: 'tap-speed',
    score: 42,
    startedAt: new Date(start).toISOString(),
    endedAt: new Date(endedAt).toISOString(),
    channels: [channel('flex', 5), channel('imu', 6)],
  })
}

function isListening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return answers({ host: hostname, port: Number(port) })
}

async function openSocket(httpUrl: string, token: string): Promise<Socket> {
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
  return socket
}

/** Resolves `session-processed` events by session id as they arrive. */
function processedEvents(socket: Socket) {
  const waiting = new Map<string, () => void>()
  const early = new Set<string>()
  const arrivals: number[] = []
  socket.on('session-processed', (data: { session: { id: string } }) => {
    arrivals.push(Date.now())
    const resolve = waiting.get(data.session.id)
    if (resolve === undefined) early.add(data.session.id)
    else {
      waiting.delete(data.session.id)
      resolve()
    }
  })
  return {
    arrivals,
    processed(id: string): Promise<void> {
      if (early.delete(id)) return Promise.resolve()
      return new Promise((resolve) => waiting.set(id, resolve))
    },
  }
}

async function measure(setup: Setup, options: BenchOptions) {
  const server = await startServer({ cpuProfDir: options.cpuProfDir, env: setup.env })
  let worker: BenchWorker | undefined
  const agent = connectionPool(IN_FLIGHT * 2)
  const body = sessionBody()
  try {
    if (setup.hasWorkerProcess === true) worker = await startWorker(setup.env)
    const token = await registerUser(server.httpUrl)
    const socket = await openSocket(server.httpUrl, token)
    const events = processedEvents(socket)
    const url = `${server.httpUrl}/v1/game-sessions`
    const upload = async () => {
      const reply = await postJson(agent, url, body, token)
      if (reply.status !== 202) throw new Error(`POST answered ${reply.status}: ${reply.body.slice(0, 200)}`)
      return (JSON.parse(reply.body) as { id: string }).id
    }
    if (options.quietWaitMs > 0) await awaitQuietMachine(options.quietWaitMs)

    // Latency: one session at a time, from just before the POST to its event on the socket.
    const latencies: number[] = []
    for (let i = 0; i < LATENCY_SESSIONS + 20; i++) {
      const started = performance.now()
      await events.processed(await upload())
      if (i >= 20) latencies.push(performance.now() - started)
    }

    // Throughput: IN_FLIGHT uploaders, each waiting for its session's event before the next upload.
    const window = windowFrom(Date.now() + 100, options.warmupMs, options.durationMs)
    const cpu = windowCpu(() => server.cpuSeconds())
    cpu.watch(window)
    events.arrivals.length = 0
    const uploader = async () => {
      while (Date.now() < window.measureTo) await events.processed(await upload())
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, uploader))
    const inWindow = events.arrivals.filter((at) => isInWindow(window, at)).length
    socket.close()
    return { latencies: sortedCopy(latencies), rate: inWindow / (options.durationMs / 1000), cpu: cpu.describe() }
  } finally {
    agent.destroy()
    await worker?.stop()
    await server.stop()
  }
}

export async function runGameSessions(options = benchOptions()): Promise<BenchReport> {
  console.log(
    `game-sessions: 1,000-sample sessions, POST -> session-processed; ${LATENCY_SESSIONS} one at a time, then ${IN_FLIGHT} in flight for ${options.warmupMs / 1000} s warm-up + ${options.durationMs / 1000} s`,
  )
  const setups: Setup[] = [{ name: 'embedded (SQLite, database queue, jobs in serve)', tag: 'embedded', env: {} }]
  const rabbit = () => ({
    PULSEBASE_QUEUE_URL: RABBITMQ_URL,
    PULSEBASE_QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}.`,
  })
  if (await isListening(RABBITMQ_URL)) {
    setups.push({ name: 'RabbitMQ (SQLite, outbox relay, jobs in serve)', tag: 'RabbitMQ', env: rabbit() })
    if (await isListening(REDIS_URL)) {
      const dir = mkdtempSync(join(tmpdir(), 'pulsebase-bench-db-'))
      trackDir(dir)
      setups.push({
        name: 'RabbitMQ + Redis, a separate worker process (one SQLite file)',
        tag: 'worker-process',
        env: {
          ...rabbit(),
          PULSEBASE_REDIS_URL: REDIS_URL,
          PULSEBASE_EMBEDDED_WORKER: 'false',
          PULSEBASE_DATABASE_URL: `sqlite://${join(dir, 'bench.sqlite')}`,
        },
        hasWorkerProcess: true,
      })
    } else console.log(`  skipped the worker-process setup: no Redis at ${REDIS_URL} (set BENCH_REDIS_URL)`)
  } else console.log(`  skipped: no RabbitMQ at ${RABBITMQ_URL} (set BENCH_RABBITMQ_URL)`)
  const figures: Figure[] = []
  for (const setup of setups) {
    const { latencies, rate, cpu } = await measure(setup, options)
    const [p50, p99] = [percentile(latencies, 50), percentile(latencies, 99)]
    console.log(`  ${setup.name}: ${cpu}`)
    console.log(
      `game sessions ${setup.name}: p50 ${round(p50, 2)} ms, p99 ${round(p99, 2)} ms one at a time; ${formatNumber(rate)} sessions/s with ${IN_FLIGHT} in flight (targets p50 < 50 ms, >= 500/s)`,
    )
    const tag = setup.tag
    figures.push(
      { label: `${tag} p50 POST->event`, value: p50, unit: 'ms', target: { op: '<', value: 50 } },
      { label: `${tag} p99 POST->event`, value: p99, unit: 'ms' },
      { label: `${tag} sustained`, value: rate, unit: 'sessions/s', target: { op: '>=', value: 500 } },
    )
  }
  return { bench: 'game-sessions', figures }
}

if (isMain(import.meta.url)) await runAsScript(runGameSessions)
