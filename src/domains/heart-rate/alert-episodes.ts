// The alert episode rules as pure functions over a user's samples in time order: no database, no
// clock. `alert-timeline.ts` feeds them from storage, in sample time, whatever order samples arrive in.
import { randomUUID } from 'node:crypto'
import type { HeartRateAlertsTable } from '../../platform/db/schema.js'

export type AlertRow = HeartRateAlertsTable

export interface EpisodeSample {
  /** Epoch milliseconds. */
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

/** Samples in the order episodes see them: time, then device (so every path agrees on ties). */
export function compareSamples(
  a: Pick<EpisodeSample, 'ts' | 'deviceId'>,
  b: Pick<EpisodeSample, 'ts' | 'deviceId'>,
): number {
  return a.ts - b.ts || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0)
}

/**
 * The episode state machine of one user, fed samples in time order:
 * - a sample beyond a threshold opens an episode of its kind unless one of that kind is open;
 * - one of the other kind closes the open episode (at its time) and opens its own;
 * - a further sample of the open kind grows it (count, peak, last alert) and resets the in-range streak;
 * - an in-range sample adds to the streak, and the `clearAfter`-th in a row closes the episode at its time.
 * `nowMs` only stamps `updated_at`.
 */
export class EpisodeMachine {
  readonly opened: AlertRow[] = []
  readonly touched = new Set<AlertRow>()
  #current: AlertRow | undefined

  constructor(
    readonly userId: string,
    open: AlertRow | undefined,
    readonly clearAfter: number,
    readonly nowMs: number,
  ) {
    this.#current = open === undefined ? undefined : { ...open }
  }

  /** The open episode after the samples fed so far. */
  get current(): AlertRow | undefined {
    return this.#current
  }

  feed(sample: EpisodeSample): void {
    const current = this.#current
    if (sample.alert === null) {
      if (current === undefined) return
      current.in_range_streak += 1
      this.#touch(current)
      if (current.in_range_streak >= this.clearAfter) this.#close(current, sample.ts)
      return
    }
    if (current !== undefined && current.kind === sample.alert) {
      current.in_range_streak = 0
      current.sample_count += 1
      current.last_alert_at = Math.max(current.last_alert_at, sample.ts)
      current.peak_bpm =
        sample.alert === 'HIGH' ? Math.max(current.peak_bpm, sample.bpm) : Math.min(current.peak_bpm, sample.bpm)
      this.#touch(current)
      return
    }
    if (current !== undefined) this.#close(current, sample.ts)
    this.#open(sample, sample.alert)
  }

  changes(): EpisodeChanges {
    const openedIds = new Set(this.opened.map((row) => row.id))
    return { opened: this.opened, updated: [...this.touched].filter((row) => !openedIds.has(row.id)) }
  }

  #touch(row: AlertRow): void {
    row.updated_at = this.nowMs
    this.touched.add(row)
  }

  #close(row: AlertRow, at: number): void {
    row.closed_at = at
    this.#touch(row)
    this.#current = undefined
  }

  #open(sample: EpisodeSample, kind: 'LOW' | 'HIGH'): void {
    const row: AlertRow = {
      id: randomUUID(),
      user_id: this.userId,
      device_id: sample.deviceId,
      kind,
      opened_at: sample.ts,
      last_alert_at: sample.ts,
      closed_at: null,
      peak_bpm: sample.bpm,
      sample_count: 1,
      in_range_streak: 0,
      acknowledged_at: null,
      updated_at: this.nowMs,
    }
    this.opened.push(row)
    this.#current = row
  }
}

/** Runs a user's samples (in time order) through the episode rules, starting from the open episode. */
export function applySamples(
  userId: string,
  open: AlertRow | undefined,
  samples: readonly EpisodeSample[],
  clearAfter: number,
  nowMs: number,
): EpisodeChanges {
  const machine = new EpisodeMachine(userId, open, clearAfter, nowMs)
  for (const sample of samples) machine.feed(sample)
  return machine.changes()
}

export interface Reconciled {
  /** Replayed episodes with no stored counterpart. */
  readonly inserted: AlertRow[]
  /** Stored episodes the replay changed, as they are now (id and acknowledgement kept). */
  readonly updated: Array<{ readonly before: AlertRow; readonly after: AlertRow }>
  /** Stored episodes the replay no longer has (merged into another, or gone). */
  readonly removed: AlertRow[]
}

const SAME_FIELDS = [
  'device_id',
  'kind',
  'opened_at',
  'last_alert_at',
  'closed_at',
  'peak_bpm',
  'sample_count',
  'in_range_streak',
] as const
const isSame = (a: AlertRow, b: AlertRow) =>
  SAME_FIELDS.every((field) => Number(a[field] ?? -1) === Number(b[field] ?? -1) || a[field] === b[field])
const overlaps = (a: AlertRow, b: AlertRow) =>
  a.kind === b.kind && Number(a.opened_at) <= Number(b.last_alert_at) && Number(b.opened_at) <= Number(a.last_alert_at)

/**
 * Matches the episodes a replay produced against those stored for the same stretch of time. A
 * replayed episode takes over the first unmatched stored one of its kind that it overlaps, so an
 * episode keeps its id and acknowledgement when late samples extend or move it.
 */
export function reconcileEpisodes(stored: readonly AlertRow[], replayed: readonly AlertRow[]): Reconciled {
  const unmatched = new Set(stored)
  const inserted: AlertRow[] = []
  const updated: Array<{ before: AlertRow; after: AlertRow }> = []
  for (const episode of replayed) {
    const match = [...unmatched].find((old) => overlaps(old, episode))
    if (match === undefined) {
      inserted.push(episode)
      continue
    }
    unmatched.delete(match)
    const after = { ...episode, id: match.id, acknowledged_at: match.acknowledged_at }
    if (!isSame(match, after)) updated.push({ before: match, after })
  }
  return { inserted, updated, removed: [...unmatched] }
}
