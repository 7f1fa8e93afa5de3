// Shared by the sensor benches: CSI frames of 106 values (the seed's 53 subcarriers), devices, and
// the raw better-sqlite3 baseline of the same blobs.
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Sqlite from 'better-sqlite3'
import { Kysely, Migrator, SqliteDialect } from 'kysely'
import { labelledCsiFrames, syntheticCsi } from '../../src/domains/sensors/synthetic-csi.js'
import { migrationProvider } from '../../src/platform/db/migrations/index.js'
import { registerUser } from './accounts.js'
import { awaitTraining, call } from './meditation.js'
import { trackDir } from './children.js'
import { isInWindow, type Window } from './window.js'

export const SUBCARRIERS = 53
export const FRAME_VALUES = 2 * SUBCARRIERS

/** A pool of distinct synthetic CSI frames (as JSON channel text) that the benches cycle through. */
export function channelPool(size = 64): string[] {
  const csi = syntheticCsi({ mode: 'separable', seed: 11 })
  return Array.from({ length: size }, (_, i) => {
    const frame = csi.frame(15 * (i % 7), i * 10)
    return `{"magnitude":[${frame.magnitude.join(',')}],"phase":[${frame.phase.join(',')}]}`
  })
}

/** The frames of a batch as JSON text: `count` frames 1 ms apart from `firstTs`, kind on each unless `withKind` is false (MQTT's topic names it). */
export function framesJson(pool: readonly string[], firstTs: number, count: number, withKind = true): string {
  const parts: string[] = new Array(count)
  for (let i = 0; i < count; i += 1)
    parts[i] =
      `{${withKind ? '"kind":"csi",' : ''}"timestamp":${firstTs + i},"channels":${pool[(firstTs + i) % pool.length]}}`
  return parts.join(',')
}

async function postCreated(url: string, body: unknown, token: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  })
  if (response.status !== 201) throw new Error(`POST ${url} answered ${response.status}: ${await response.text()}`)
  return (await response.json()) as Record<string, unknown>
}

/** A fresh user with `count` Pi devices; their ids and keys, and the user's token. */
export async function enrollPis(
  httpUrl: string,
  count: number,
): Promise<{ token: string; devices: { id: string; apiKey: string }[] }> {
  const token = await registerUser(httpUrl)
  const devices: { id: string; apiKey: string }[] = []
  for (let i = 0; i < count; i += 1) {
    const created = await postCreated(`${httpUrl}/v1/devices`, { name: `bench pi ${i}`, kind: 'raspberry-pi' }, token)
    devices.push({ id: (created.device as { id: string }).id, apiKey: created.apiKey as string })
  }
  return { token, devices }
}

/** The seed's training file in size: 2,839 frames with its label counts (0:417, 15:400, 30:440, 45:376, 60:404, 75:389, 90:413). */
export function seedSizeCsv(): { csv: string; rows: number } {
  const counts: Record<string, number> = { 0: 417, 15: 400, 30: 440, 45: 376, 60: 404, 75: 389, 90: 413 }
  const frames = labelledCsiFrames({ mode: 'separable', seed: 5, perAngle: 440, startMs: 0 })
  const taken: Record<string, number> = {}
  const rows = frames.filter((f) => (taken[f.label] = (taken[f.label] ?? 0) + 1) <= (counts[f.label] as number))
  const header = [
    'Label',
    ...Array.from({ length: SUBCARRIERS }, (_, i) => `CH${i + 6}_mag`),
    ...Array.from({ length: SUBCARRIERS }, (_, i) => `CH${i + 6}_phase`),
  ].join(',')
  return {
    csv: `${header}\n${rows.map((f) => [f.label, ...f.channels.magnitude, ...f.channels.phase].join(',')).join('\n')}\n`,
    rows: rows.length,
  }
}

/**
 * Raw better-sqlite3 inserts of the same 424-byte float32 blobs into `sensor_frames`, made by the
 * server's own migrations on a fresh file with the pragmas of src/platform/db/dialect.ts: one
 * prepared `INSERT … VALUES (?,?,?) x batch ON CONFLICT DO NOTHING` per transaction, taking turns
 * over `streams` streams. Counts the rows committed in the window.
 */
export async function rawInsertFrames(window: Window, batchSize: number, streams: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pulsebase-bench-frames-'))
  const removeDir = trackDir(dir)
  const db = new Sqlite(join(dir, 'baseline.sqlite'))
  for (const pragma of ['journal_mode = WAL', 'synchronous = NORMAL', 'busy_timeout = 5000', 'foreign_keys = ON'])
    db.pragma(pragma)
  try {
    const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) })
    const { error } = await new Migrator({ db: kysely, provider: migrationProvider }).migrateToLatest()
    if (error) throw error
    const now = Date.now()
    const userId = randomUUID()
    db.prepare(
      "INSERT INTO users (id, email, password_hash, role, display_name, settings, created_at, updated_at) VALUES (?, 'raw@example.com', 'x', 'user', NULL, '{}', ?, ?)",
    ).run(userId, now, now)
    const streamIds = Array.from({ length: streams }, (_, i) => {
      const [deviceId, streamId] = [randomUUID(), randomUUID()]
      db.prepare(
        "INSERT INTO devices (id, user_id, name, kind, key_hash, key_prefix, created_at) VALUES (?, ?, 'pi', 'raspberry-pi', ?, 'pbd_', ?)",
      ).run(deviceId, userId, `hash-${i}`, now)
      db.prepare(
        "INSERT INTO sensor_streams (id, user_id, device_id, kind, layout, created_at) VALUES (?, ?, ?, 'csi', '[]', ?)",
      ).run(streamId, userId, deviceId, now)
      return streamId
    })
    const blobs = Array.from({ length: 64 }, (_, i) =>
      Buffer.from(new Float32Array(FRAME_VALUES).map((_, j) => (i * j) % 97).buffer),
    )
    const insert = db.prepare(
      `INSERT INTO sensor_frames (stream_id, ts, data) VALUES ${Array.from({ length: batchSize }, () => '(?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
    )
    const commit = db.transaction((params: unknown[]) => insert.run(params))
    const nextTs = streamIds.map(() => now - 30 * 86_400_000)
    const params: unknown[] = new Array(batchSize * 3)
    let rows = 0
    for (let batch = 0; Date.now() < window.measureTo; batch += 1) {
      const s = batch % streams
      let ts = nextTs[s] as number
      for (let at = 0; at < params.length; at += 3, ts += 1) {
        params[at] = streamIds[s]
        params[at + 1] = ts
        params[at + 2] = blobs[ts % blobs.length]
      }
      nextTs[s] = ts
      commit(params)
      if (isInWindow(window, Date.now())) rows += batchSize
    }
    return rows
  } finally {
    db.close()
    removeDir()
  }
}

/** Imports the seed-size dataset for the token's user and trains a classifier with `settings`; resolves to the finished job. */
export async function trainSeedSize(
  httpUrl: string,
  token: string,
  settings: Record<string, unknown>,
): Promise<{ modelId: string; durationMs: number; epochs: number; accuracy: number }> {
  const dataset = await postCreated(`${httpUrl}/v1/sensor-datasets`, { name: 'seed size' }, token)
  const imported = await fetch(`${httpUrl}/v1/sensor-datasets/${dataset.id as string}/import`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
    body: seedSizeCsv().csv,
  })
  if (imported.status !== 201) throw new Error(`import answered ${imported.status}: ${await imported.text()}`)
  const queued = await call(httpUrl, 'POST', `/v1/sensor-datasets/${dataset.id as string}/train`, settings, token)
  if (queued.status !== 202) throw new Error(`train answered ${queued.status}: ${JSON.stringify(queued.body)}`)
  const job = await awaitTraining(httpUrl, token, queued.body.id as string)
  const model = (await call(httpUrl, 'GET', `/v1/sensor-models/${job.modelId as string}`, undefined, token)).body
  return {
    modelId: job.modelId,
    durationMs: job.durationMs,
    epochs: job.epochs.length,
    accuracy: model.metrics.accuracy,
  }
}
