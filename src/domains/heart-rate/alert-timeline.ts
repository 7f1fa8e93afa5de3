// Keeps a user's alert episodes equal to what the episode rules give over their samples in time
// order, inside the transaction that stores the samples. New samples after everything seen so far
// extend the open episode in place (the live case, a few statements); samples that land earlier
// (backfill, out-of-order batches, a late device) replay the stretch of the timeline they touch.
import type { DatabaseKind } from '../../platform/db/database.js'
import { recordChange } from '../sync/sync.repository.js'
import {
  type AlertRow,
  applySamples,
  compareSamples,
  EpisodeMachine,
  type EpisodeSample,
  reconcileEpisodes,
} from './alert-episodes.js'
import * as repo from './heart-rate.repository.js'

type Db = Parameters<typeof repo.lockEpisodeState>[0]

/** The sync feed's kind for alert episodes. */
export const ALERT_SYNC_KIND = 'alert'

export interface TimelineChanges {
  /** Episodes new in this write. */
  readonly opened: readonly AlertRow[]
  /** The new episodes that began before the latest sample stored earlier: late data, not a live alarm. */
  readonly backfilled: ReadonlySet<string>
  /** Episodes that were open before this write and are closed now. */
  readonly closed: readonly AlertRow[]
  /** Other stored episodes this write changed (grew, moved, reopened). */
  readonly updated: readonly AlertRow[]
  /** Stored episodes late samples merged into another. */
  readonly removed: readonly AlertRow[]
}

export const NO_CHANGES: TimelineChanges = { opened: [], backfilled: new Set(), closed: [], updated: [], removed: [] }

export interface TimelineWrite {
  readonly kind: DatabaseKind
  readonly clearAfter: number
  readonly nowMs: number
}

const REPLAY_PAGE = 2000

/**
 * Locks the episode state of these users (in id order, so two writers never deadlock) and returns
 * the latest sample time each one's episodes have seen. Call before storing the samples: every read
 * after the locks sees what earlier writers of these users committed.
 */
export async function lockTimelines(
  trx: Db,
  kind: DatabaseKind,
  userIds: Iterable<string>,
): Promise<Map<string, number | null>> {
  const seen = new Map<string, number | null>()
  for (const userId of [...new Set(userIds)].sort()) seen.set(userId, await repo.lockEpisodeState(trx, kind, userId))
  return seen
}

/**
 * Brings one user's episodes up to date with `fresh`, the samples this write stored (any order),
 * given `lastSeen` from `lockTimelines`. Writes the episodes, the sync feed entries and the new
 * state; the caller commits.
 */
export async function advanceTimeline(
  trx: Db,
  write: TimelineWrite,
  userId: string,
  lastSeen: number | null,
  fresh: readonly EpisodeSample[],
): Promise<TimelineChanges> {
  if (fresh.length === 0) return NO_CHANGES
  const samples = [...fresh].sort(compareSamples)
  const first = samples[0] as EpisodeSample
  const last = samples[samples.length - 1] as EpisodeSample
  const changes =
    lastSeen === null || first.ts > lastSeen
      ? await extend(trx, write, userId, samples)
      : (await changeNoEpisode(trx, userId, samples, first.ts, last.ts))
        ? NO_CHANGES
        : await replay(trx, write, userId, first.ts, last.ts, lastSeen)
  await repo.setEpisodeLastTs(trx, userId, Math.max(lastSeen ?? last.ts, last.ts))
  await recordChanges(trx, write, userId, changes)
  return changes
}

/**
 * True when late samples cannot change any episode, so no replay is needed: an in-range sample
 * only counts toward closing an open episode (EpisodeMachine), so in-range samples landing where
 * no episode was open at any of their times leave every episode as it was. Out-of-order batches of
 * normal readings from several devices (the common case) skip re-reading the merged timeline.
 */
async function changeNoEpisode(
  trx: Db,
  userId: string,
  samples: readonly EpisodeSample[],
  first: number,
  last: number,
): Promise<boolean> {
  if (samples.some((sample) => sample.alert !== null)) return false
  return !(await repo.hasEpisodeOverlapping(trx, userId, first, last))
}

/** Every sample is later than anything seen: the open episode continues where it stood. */
async function extend(
  trx: Db,
  write: TimelineWrite,
  userId: string,
  samples: readonly EpisodeSample[],
): Promise<TimelineChanges> {
  const open = await repo.findOpenAlert(trx, userId)
  const { opened, updated } = applySamples(userId, open, samples, write.clearAfter, write.nowMs)
  await repo.insertAlerts(trx, opened)
  for (const row of updated) await repo.updateAlert(trx, row)
  return {
    opened,
    backfilled: new Set(),
    closed: updated.filter((row) => row.closed_at !== null),
    updated: updated.filter((row) => row.closed_at === null),
    removed: [],
  }
}

/** Where a replay can start from no open episode: before every episode that was open at `at`. */
async function anchorBefore(trx: Db, userId: string, at: number): Promise<number> {
  let anchor = at
  for (;;) {
    const spanning = await repo.findEpisodeSpanning(trx, userId, anchor)
    if (spanning === undefined) return anchor
    anchor = Number(spanning.opened_at)
  }
}

const spans = (row: AlertRow, ts: number) =>
  Number(row.opened_at) <= ts && (row.closed_at === null || Number(row.closed_at) > ts)

/**
 * Replays the samples from the anchor in time order until the replay and the stored episodes agree
 * again (past the last new sample, both with no episode open at a change of time), then swaps the
 * stored episodes of that stretch for the replayed ones, keeping ids where they overlap.
 */
async function replay(
  trx: Db,
  write: TimelineWrite,
  userId: string,
  firstNew: number,
  lastNew: number,
  lastSeen: number,
): Promise<TimelineChanges> {
  const anchor = await anchorBefore(trx, userId, firstNew)
  const stored = await repo.episodesFrom(trx, userId, anchor)
  const machine = new EpisodeMachine(userId, undefined, write.clearAfter, write.nowMs)
  let end = Number.POSITIVE_INFINITY
  let previous: repo.SampleRow | undefined
  // Every stream from the anchor on, read lazily: the replay usually stops soon after the new samples.
  const pages = repo.readSamplePages(trx, userId, { from: anchor, to: Number.MAX_SAFE_INTEGER }, REPLAY_PAGE)
  replaying: for await (const page of pages) {
    for (const row of page) {
      if (
        previous !== undefined &&
        row.ts > previous.ts &&
        previous.ts >= lastNew &&
        machine.current === undefined &&
        !stored.some((e) => spans(e, previous!.ts))
      ) {
        end = previous.ts
        break replaying
      }
      machine.feed({ ts: row.ts, bpm: row.bpm, deviceId: row.device_id, alert: row.alert })
      previous = row
    }
  }
  const window = stored.filter((row) => Number(row.opened_at) <= end)
  const { inserted, updated, removed } = reconcileEpisodes(window, machine.opened)
  await repo.deleteAlerts(
    trx,
    userId,
    removed.map((row) => row.id),
  )
  await repo.insertAlerts(trx, inserted)
  for (const { after: row } of updated) await repo.updateAlert(trx, { ...row, updated_at: write.nowMs })
  const isClosing = ({ before, after: row }: { before: AlertRow; after: AlertRow }) =>
    before.closed_at === null && row.closed_at !== null
  return {
    opened: inserted,
    backfilled: new Set(inserted.filter((row) => Number(row.opened_at) < lastSeen).map((row) => row.id)),
    closed: updated.filter(isClosing).map((u) => u.after),
    updated: updated.filter((u) => !isClosing(u)).map((u) => u.after),
    removed,
  }
}

/** One sync entry per episode change, in the transaction that made it. */
async function recordChanges(trx: Db, write: TimelineWrite, userId: string, changes: TimelineChanges): Promise<void> {
  const entries: Array<[AlertRow, string]> = [
    ...changes.opened.map((row): [AlertRow, string] => [row, changes.backfilled.has(row.id) ? 'backfilled' : 'opened']),
    ...changes.opened
      .filter((row) => row.closed_at !== null && !changes.backfilled.has(row.id))
      .map((row): [AlertRow, string] => [row, 'closed']),
    ...changes.closed.map((row): [AlertRow, string] => [row, 'closed']),
    ...changes.removed.map((row): [AlertRow, string] => [row, 'removed']),
  ]
  for (const [row, change] of entries) {
    await recordChange(trx, write.kind, { userId, kind: ALERT_SYNC_KIND, entityId: row.id, change }, write.nowMs)
  }
}
