// `pulsebase simulate --sensors`: a simulated door sensor against a real server on a throw-away
// SQLite data dir. A device streams synthetic CSI while a labelled recording runs for each door
// angle; the dataset's quality report is read; a classifier is trained with live progress; then
// fresh frames are classified live and the predictions compared with the angles that made them.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { DOOR_ANGLES, type SyntheticCsi, syntheticCsi, type SyntheticMode } from './domains/sensors/synthetic-csi.js'

// The responses are this server's own documented JSON; reading them loosely keeps the script short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Call = (method: string, path: string, body?: unknown, token?: string) => Promise<{ status: number; body: any }>

function caller(base: string): Call {
  return async (method, path, body, token) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(token !== undefined && { authorization: `Bearer ${token}` }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: response.status, body: response.status === 204 ? null : await response.json() }
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function record(
  call: Call,
  token: string,
  key: string,
  deviceId: string,
  csi: SyntheticCsi,
  options: { mode: SyntheticMode; perAngle: number },
): Promise<string> {
  const dataset = (await call('POST', '/v1/sensor-datasets', { name: `simulated door (${options.mode})` }, token)).body
  let t = Date.now() - DOOR_ANGLES.length * options.perAngle * 20 - 60_000
  for (const angle of DOOR_ANGLES) {
    const recording = (
      await call(
        'POST',
        `/v1/sensor-datasets/${dataset.id}/recordings`,
        { deviceId, kind: 'csi', label: String(angle) },
        token,
      )
    ).body
    const frames = Array.from({ length: options.perAngle }, () => ({
      kind: 'csi',
      timestamp: (t += 20),
      channels: csi.frame(angle, t),
    }))
    await call('POST', '/v1/sensor-frames', { frames }, key)
    await call('POST', `/v1/sensor-datasets/${dataset.id}/recordings/${recording.id}/stop`, undefined, token)
  }
  return dataset.id as string
}

async function train(
  call: Call,
  token: string,
  datasetId: string,
): Promise<{ modelId: string | undefined; line: string }> {
  const queued = await call('POST', `/v1/sensor-datasets/${datasetId}/train`, {}, token)
  if (queued.status !== 202)
    return { modelId: undefined, line: `training refused: ${queued.body.error.message as string}` }
  let job = queued.body
  while (job.state === 'queued' || job.state === 'running') {
    await sleep(200)
    job = (await call('GET', `/v1/training-jobs/${job.id as string}`, undefined, token)).body
  }
  if (job.state !== 'succeeded')
    return { modelId: undefined, line: `training ${job.state as string}: ${job.error as string}` }
  const model = (await call('GET', `/v1/sensor-models/${job.modelId as string}`, undefined, token)).body
  const m = model.metrics
  const recall = m.perLabel.map((p: { label: string; recall: number }) => `${p.label}°:${pct(p.recall)}`).join(' ')
  return {
    modelId: model.id,
    line: `trained in ${job.durationMs} ms (${job.epochs.length} epochs): held-out accuracy ${pct(m.accuracy)} vs majority baseline ${pct(m.majorityBaseline)}; heads ${Object.entries(
      m.heads as Record<string, number>,
    )
      .map(([h, a]) => `${h} ${pct(a)}`)
      .join(', ')}; recall ${recall}`,
  }
}

/** Fresh frames (same room, new noise) from the device, classified live; the latest prediction is read back after each. */
async function classifyLive(
  call: Call,
  token: string,
  key: string,
  deviceId: string,
  modelId: string,
  csi: SyntheticCsi,
): Promise<string> {
  await call('PUT', `/v1/live-classifiers/${deviceId}/csi`, { modelId }, token)
  let right = 0
  const count = 20
  for (let i = 0; i < count; i += 1) {
    const angle = DOOR_ANGLES[(i * 3) % DOOR_ANGLES.length] as number
    const timestamp = Date.now() - 1000 + i
    await call(
      'POST',
      '/v1/sensor-frames',
      { frames: [{ kind: 'csi', timestamp, channels: csi.frame(angle, timestamp) }] },
      key,
    )
    let latest
    for (let tries = 0; tries < 100; tries += 1) {
      latest = (await call('GET', `/v1/live-classifiers/${deviceId}/csi`, undefined, token)).body.latest
      if (latest !== null && Date.parse(latest.timestamp) === timestamp) break
      await sleep(50)
    }
    if (latest?.label === String(angle)) right += 1
  }
  return `live: ${right} of ${count} fresh frames classified as the angle that made them`
}

export interface SimulateSensorsOptions {
  readonly mode: SyntheticMode
  /** Frames recorded per door angle. */
  readonly perAngle: number
  readonly seed: number
}

export async function simulateSensors({ mode, perAngle, seed }: SimulateSensorsOptions): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pulsebase-simulate-'))
  const config = loadConfig({
    PULSEBASE_DATA_DIR: dataDir,
    PULSEBASE_LOG_LEVEL: 'warn',
    PULSEBASE_HOST: '127.0.0.1',
    PULSEBASE_ML_TRAINING_THREADS: process.env.PULSEBASE_ML_TRAINING_THREADS,
  })
  const app = await buildApp(config, { migrate: true })
  try {
    const call = caller(await app.http.listen({ host: '127.0.0.1', port: 0 }))
    await app.startWorker()
    const token = (
      await call('POST', '/v1/auth/register', { email: 'door@example.com', password: 'simulated door sensor' })
    ).body.accessToken as string
    const { device, apiKey } = (await call('POST', '/v1/devices', { name: 'door esp32', kind: 'esp32' }, token)).body
    const csi = syntheticCsi({ mode, seed })
    const datasetId = await record(call, token, apiKey, device.id, csi, { mode, perAngle })
    const quality = (await call('GET', `/v1/sensor-datasets/${datasetId}/quality`, undefined, token)).body
    console.log(`recorded ${quality.frames} frames at ${DOOR_ANGLES.length} door angles (${mode}): ${quality.summary}`)
    console.log(
      `separability: mean Fisher ratio ${quality.separability.meanFisherRatio.toFixed(3)}, mean overlap ${quality.separability.meanOverlap.toFixed(3)}`,
    )
    const trained = await train(call, token, datasetId)
    console.log(trained.line)
    if (trained.modelId !== undefined)
      console.log(await classifyLive(call, token, apiKey, device.id, trained.modelId, csi))
    return 0
  } finally {
    await app.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
