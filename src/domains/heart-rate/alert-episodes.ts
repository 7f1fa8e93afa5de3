import { randomUUID } from 'node:crypto'
import type { HeartRateAlertsTable } from '../../platform/db/schema.js'

export type AlertRow = HeartRateAlertsTable

export interface EpisodeSample {
  readonly ts: number
  readonly bpm: number
  readonly deviceId: string
  readonly alert: 'LOW' | 'HIGH' | null
}

export interface EpisodeChanges {
  /** Rows to insert (opened by these samples). */
  readonly opened: AlertRow[]
  /** Rows that existed before and changed (grew or closed). */
  readonly updated: AlertRow[]
}

/**
 * Runs a user's new samples (in time order) through the alert episode rules: a sample beyond a
 * threshold opens an episode unless one of the same kind is open; one of the other kind closes
 * the open episode and opens its own; `clearAfter` in-range samples in a row close it.
 */
export function applySamples(
  userId: string,
  open: AlertRow | undefined, samples: readonly EpisodeSample[],
  clearAfter: number,
  nowMs: number,
): EpisodeChanges {
  const opened: AlertRow[] = []
  const touched = new Set<AlertRow>()
  let current = open === undefined ? undefined : { ...open }
  const close = (row: AlertRow, at: number) => {
    row.closed_at = at
    row.updated_at = nowMs
    touched.add(row)
  }
  for (const sample of samples) {
    if (sample.alert === null) {
      if (current === undefined) continue
      current.in_range_streak += 1
      current.updated_at = nowMs
      touched.add(current)
      if (current.in_range_streak >= clearAfter) {
        close(current, sample.ts)
        current = undefined
      }
      continue
    }
    if (current !== undefined && current.kind === sample.alert) {
      current.in_range_streak = 0
      current.sample_count += 1
      current.last_alert_at = Math.max(current.last_alert_at, sample.ts)
      current.peak_bpm = sample.alert === 'HIGH' ? Math.max(current.peak_bpm, sample.bpm) : Math.min(current.peak_bpm, sample.bpm)
      current.updated_at = nowMs
      touched.add(current)
      continue
    }
    if (current !== undefined) close(current, sample.ts)
    current = {
      id: randomUUID(),
      user_id: userId,
      device_id: sample.deviceId,
      kind: sample.alert,
      opened_at: sample.ts,
      last_alert_at: sample.ts,
      closed_at: null,
      peak_bpm: sample.bpm,
      sample_count: 1,
      in_range_streak: 0,
      acknowledged_at: null,
      updated_at: nowMs,
    }
    opened.push(current)
  }
  const openedIds = new Set(opened.map((row) => row.id))
  return { opened, updated: [...touched].filter((row) => !openedIds.has(row.id)) }
}
