import { randomBytes } from 'node:crypto'
import type { App } from '../../src/app.js'
import type { Client } from './app.js'
import { pollDefined } from './poll.js'
import { RABBITMQ } from './services.js'

export const RABBITMQ_URL = RABBITMQ.url

/** Queue settings for an app on the shared broker: its own queue names, so test files never steal each other's jobs. */
export function rabbitEnv(url = RABBITMQ_URL): Record<string, string> {
  return { PULSEBASE_QUEUE_URL: url, PULSEBASE_QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}.` }
}

/** Samples whose statistics are known: axis d of sample i reads (i mod 10) * (d + 1). */
export function samples(start: number, count: number, dims: number, stepMs = 10) {
  return Array.from({ length: count }, (_, i) => ({
    t: start + i * stepMs,
    v: Array.from({ length: dims }, (_, d) => (i % 10) * (d + 1)),
  }))
}

/** A finished two-channel glove game, ending a minute ago unless `endedAt` says otherwise. */
export function gameSession(overrides: Record<string, unknown> = {}, samplesPerChannel = 100) {
  const endedAt = typeof overrides.endedAt === 'number' ? overrides.endedAt : Date.now() - 60_000
  const start = endedAt - 30_000
  const stepMs = Math.min(10, 30_000 / samplesPerChannel) // every sample inside the session
  return {
    gameId: 'tap-speed',
    gameName: 'Tap speed',
    score: 42,
    startedAt: new Date(start).toISOString(),
    endedAt: new Date(endedAt).toISOString(),
    channels: [
      { name: 'flex', samples: samples(start, samplesPerChannel, 5, stepMs) },
      { name: 'imu', samples: samples(start, samplesPerChannel, 3, stepMs) },
    ],
    ...overrides,
    ...(typeof overrides.endedAt === 'number' && { endedAt: new Date(endedAt).toISOString() }),
  }
}

export async function processedSession(api: Client, token: string, id: string) {
  return pollDefined(async () => {
    const reply = await api.get(`/v1/game-sessions/${id}`, token)
    return reply.body.state === 'processing' ? undefined : reply.body
  }, 'the session to leave processing')
}

/** Deliveries of one job (by its unprefixed name) this app's worker has finished with `outcome`. */
export async function handledJobs(app: App, job: string, outcome = 'ok'): Promise<number> {
  const { values } = await app.metrics.queueProcessed.get()
  return values
    .filter((v) => String(v.labels.queue).endsWith(job) && v.labels.outcome === outcome)
    .reduce((n, v) => n + v.value, 0)
}
