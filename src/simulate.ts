// `pulsebase simulate`: the recommender against simulated meditators, through a real server on a
// throw-away SQLite data dir: sessions in over HTTP, a queued training job, a recommendation out,
// judged by the heart rate the simulator says that configuration settles at.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { randomConfig, settledHeartRate, simulatedUserSessions, toSessionBody } from './domains/meditation/simulator.js'

// The responses are this server's own documented JSON; reading them loosely keeps the loop short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LooseJson = any

async function call(
  base: string,
  method: string,
  path: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: LooseJson }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token !== undefined && { authorization: `Bearer ${token}` }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: response.status, body: await response.json() }
}

async function simulateOne(base: string, seed: number, periods: number): Promise<{ line: string; isWin: boolean }> {
  const account = await call(base, 'POST', '/v1/auth/register', {
    email: `sim-${seed}@example.com`,
    password: 'simulated meditator',
  })
  const token = account.body.accessToken as string
  const simulated = simulatedUserSessions(seed, periods)
  for (const session of simulated.sessions)
    await call(base, 'POST', '/v1/meditation/sessions', toSessionBody(session), token)
  let job = await call(base, 'POST', '/v1/training-jobs', { kind: 'meditation' }, token)
  if (job.status !== 202) return { line: `seed ${seed}: ${job.body.error?.message as string}`, isWin: false }
  while (job.body.state === 'queued' || job.body.state === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 100))
    job = await call(base, 'GET', `/v1/training-jobs/${job.body.id as string}`, undefined, token)
  }
  if (job.body.state !== 'succeeded')
    return { line: `seed ${seed}: training ${job.body.state as string}: ${job.body.error as string}`, isWin: false }
  const model = (await call(base, 'GET', '/v1/models?limit=1', undefined, token)).body.models[0]
  const rec = (await call(base, 'POST', '/v1/recommendations/meditation', {}, token)).body
  const settled = settledHeartRate(simulated.user, rec)
  const randoms = Array.from({ length: 501 }, () =>
    settledHeartRate(simulated.user, randomConfig(simulated.random)),
  ).sort((a, b) => a - b)
  const median = randoms[250] as number
  const line =
    `seed ${seed}: ${job.body.epochs.length} epochs in ${job.body.durationMs} ms, held-out MAE ${model.metrics.heldOutMae.toFixed(2)} bpm (persistence ${model.metrics.persistenceMae.toFixed(2)}); ` +
    `recommends ${rec.visualization} ${rec.beatFrequency} Hz x${rec.breathingMultiplier}, settles at ${settled.toFixed(1)} bpm vs random median ${median.toFixed(1)} (best ${(randoms[0] as number).toFixed(1)})`
  return { line, isWin: settled < median }
}

/** Options of `pulsebase simulate`, already checked by the command line. */
export interface SimulateOptions {
  readonly users: number
  readonly periods: number
  readonly seed: number
}

export async function simulateCommand({ users, periods, seed }: SimulateOptions): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pulsebase-simulate-'))
  const config = loadConfig({
    PULSEBASE_DATA_DIR: dataDir,
    PULSEBASE_LOG_LEVEL: 'warn',
    PULSEBASE_HOST: '127.0.0.1',
    PULSEBASE_MEDITATION_MIN_PERIODS: String(Math.min(40, periods)),
    PULSEBASE_ML_TRAINING_THREADS: process.env.PULSEBASE_ML_TRAINING_THREADS,
  })
  const app = await buildApp(config, { migrate: true })
  try {
    const base = await app.http.listen({ host: '127.0.0.1', port: 0 })
    await app.startWorker()
    let wins = 0
    for (let i = 0; i < users; i += 1) {
      const { line, isWin } = await simulateOne(base, seed + i, periods)
      if (isWin) wins += 1
      console.log(line)
    }
    console.log(`recommendation beat the median random configuration for ${wins} of ${users} simulated users`)
    return 0
  } finally {
    await app.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
