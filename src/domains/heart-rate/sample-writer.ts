import type { Kysely, Transaction } from 'kysely'
import { createGroupCommit } from '../../platform/db/group-commit.js'
import type { DatabaseKind } from '../../platform/db/database.js'
import type { Database } from '../../platform/db/schema.js'
import type { EpisodeSample } from './alert-episodes.js'
import { advanceTimeline, lockTimelines, NO_CHANGES, type TimelineChanges } from './alert-timeline.js'
import * as repo from './heart-rate.repository.js'
import type { CheckedSample } from './sample-checks.js'
import type { Clock } from '../../platform/time/clock.js'

export interface WriteRequest {
  readonly userId: string
  /** '' for a person's own upload. */
  readonly deviceId: string
  readonly samples: readonly CheckedSample[]
}

export interface WriteOutcome {
  /** Aligned with the request's samples: true when that (device, timestamp) was stored before. */
  readonly alreadyStored: readonly boolean[]
  /** How the write changed this request's user's alert episodes (shared by that user's requests in one flush). */
  readonly alerts: TimelineChanges
  /** True for one request per user in a flush: the one whose caller announces the alert changes. */
  readonly isAnnouncer: boolean
}

export interface SampleWriter {
  /** Resolves once the samples are committed. */
  write(request: WriteRequest): Promise<WriteOutcome>
  /** Stores the samples inside the caller's transaction (which commits them), with the same checks on alert episodes. */
  writeIn(trx: Transaction<Database>, request: WriteRequest): Promise<WriteOutcome>
  /** Waits for the writes in flight. */
  drain(): Promise<void>
}

export interface SampleWriterOptions {
  readonly db: Kysely<Database>
  readonly kind: DatabaseKind
  readonly alertClearSamples: number
  /** The platform's clock: stamps `updated_at` of the episodes a write changes. */
  readonly now: Clock
}

// A flush takes waiting requests up to this many samples, so one commit covers many callers ...
const MAX_FLUSH_SAMPLES = 20_000
// ... and at most this many requests. Answering callers in small waves, with I/O let through between
// commits, keeps clients and server working at the same time; one wave of every waiting caller
// makes them take turns (bench/grpc-unary: about 3,800 -> 4,500 req/s on 2 cores).
const MAX_FLUSH_REQUESTS = 20

/**
 * Group commit (platform/db/group-commit.ts): requests that arrive while a transaction is in flight
 * wait and are written together in the next one, so under load thousands of one-sample calls become
 * a few transactions; when idle a request is written at once.
 */
export function createSampleWriter(options: SampleWriterOptions): SampleWriter {
  const { now } = options
  const group = createGroupCommit<WriteRequest, WriteOutcome>({
    maxItems: MAX_FLUSH_SAMPLES,
    maxRequests: MAX_FLUSH_REQUESTS,
    sizeOf: (request) => request.samples.length,
    commit: (requests) => options.db.transaction().execute((trx) => writeSamples(trx, options, requests, now())),
  })
  return {
    write: (request) => group.write(request),
    async writeIn(trx, request) {
      return (await writeSamples(trx, options, [request], now()))[0] as WriteOutcome
    },
    drain: () => group.drain(),
  }
}

const toStreamKey = (userId: string, deviceId: string) => `${userId}/${deviceId}`

/** Timestamps per (user, device): numbers in a set per stream, not a string per sample. */
function timestampsByStream() {
  const streams = new Map<string, Set<number>>()
  return (userId: string, deviceId: string): Set<number> => {
    const key = toStreamKey(userId, deviceId)
    let set = streams.get(key)
    if (set === undefined) {
      set = new Set()
      streams.set(key, set)
    }
    return set
  }
}

/** A set that has every number: the inserted times of a stream whose queued rows all went in. */
const ALL: Pick<Set<number>, 'has'> = { has: () => true }

/** Strictly increasing times: no time twice, which a single in-order request of a stream proves without a set. */
function isAscending(samples: readonly CheckedSample[]): boolean {
  for (let i = 1; i < samples.length; i++)
    if ((samples[i] as CheckedSample).ts <= (samples[i - 1] as CheckedSample).ts) return false
  return true
}

/** RR intervals as stored: a JSON array of ms (finite numbers, so `join` writes them as JSON does). */
const rrText = (rr: readonly number[] | null): string | null => (rr === null ? null : `[${rr.join(',')}]`)

/**
 * The rows to insert for `requests`, in order. A key sent twice in one flush is inserted once; the
 * later copy counts as already stored (`firstCopy` false). Only a stream with several requests in
 * the flush, or one request out of time order, is checked with a set of its times.
 */
function queueRows(requests: readonly WriteRequest[]) {
  const requestsPerStream = new Map<string, number>()
  for (const { userId, deviceId } of requests) {
    const key = toStreamKey(userId, deviceId)
    requestsPerStream.set(key, (requestsPerStream.get(key) ?? 0) + 1)
  }
  const queuedIn = timestampsByStream()
  const queuedPerStream = new Map<string, number>()
  const rows: repo.SampleRow[] = []
  const firstCopy: boolean[][] = requests.map(({ userId, deviceId, samples }) => {
    const key = toStreamKey(userId, deviceId)
    const isAlone = requestsPerStream.get(key) === 1 && isAscending(samples)
    const queued = isAlone ? undefined : queuedIn(userId, deviceId)
    const before = rows.length
    const first = samples.map((sample) => {
      if (queued !== undefined) {
        if (queued.has(sample.ts)) return false
        queued.add(sample.ts)
      }
      const { ts, bpm, alert } = sample
      rows.push({ user_id: userId, device_id: deviceId, ts, bpm, rr_intervals: rrText(sample.rrIntervalsMs), alert })
      return true
    })
    queuedPerStream.set(key, (queuedPerStream.get(key) ?? 0) + rows.length - before)
    return first
  })
  return { rows, firstCopy, queuedPerStream }
}

/**
 * The times inserted per stream, from what the repository answered; a stream whose queued rows all
 * went in (the usual case) needs no set of them: `ALL` has every time.
 */
function insertedTimes(parts: readonly repo.InsertedSamples[], queuedPerStream: ReadonlyMap<string, number>) {
  const counts = new Map<string, number>()
  for (const part of parts) {
    const key = toStreamKey(part.userId, part.deviceId)
    counts.set(key, (counts.get(key) ?? 0) + part.timestamps.length)
  }
  const insertedIn = timestampsByStream()
  for (const part of parts) {
    const key = toStreamKey(part.userId, part.deviceId)
    if (counts.get(key) === queuedPerStream.get(key)) continue
    const inserted = insertedIn(part.userId, part.deviceId)
    for (const ts of part.timestamps) inserted.add(ts)
  }
  return (userId: string, deviceId: string): Pick<Set<number>, 'has'> => {
    const key = toStreamKey(userId, deviceId)
    return counts.get(key) === queuedPerStream.get(key) ? ALL : insertedIn(userId, deviceId)
  }
}

/**
 * Stores the samples of `requests` and brings their users' alert episodes up to date, inside `trx`
 * (the caller commits): the group-commit writer's flush, and the way a domain that records samples
 * in a transaction of its own (meditation sessions) stores them. One outcome per request, in order.
 */
export async function writeSamples(
  trx: Transaction<Database>,
  options: Pick<SampleWriterOptions, 'kind' | 'alertClearSamples'>,
  requests: readonly WriteRequest[],
  nowMs: number,
): Promise<WriteOutcome[]> {
  const lastSeen = await lockTimelines(
    trx,
    options.kind,
    requests.map((request) => request.userId),
  )
  const { rows, firstCopy, queuedPerStream } = queueRows(requests)
  const insertedIn = insertedTimes(await repo.insertSamples(trx, options.kind, rows), queuedPerStream)
  const fresh = new Map<string, EpisodeSample[]>() // user -> samples new in this flush
  const alreadyStored = requests.map((request, r) => {
    const inserted = insertedIn(request.userId, request.deviceId)
    const first = firstCopy[r] ?? []
    let list = fresh.get(request.userId)
    if (list === undefined) {
      list = []
      fresh.set(request.userId, list)
    }
    const { deviceId } = request
    return request.samples.map((sample, i) => {
      const isNew = first[i] === true && inserted.has(sample.ts)
      if (isNew) list.push({ ts: sample.ts, bpm: sample.bpm, deviceId, alert: sample.alert })
      return !isNew
    })
  })
  const write = { kind: options.kind, clearAfter: options.alertClearSamples, nowMs }
  const alertsByUser = new Map<string, TimelineChanges>()
  for (const [userId, samples] of fresh) {
    if (samples.length > 0)
      alertsByUser.set(userId, await advanceTimeline(trx, write, userId, lastSeen.get(userId) ?? null, samples))
  }
  const announced = new Set<string>()
  return requests.map((request, i) => {
    const isAnnouncer = !announced.has(request.userId)
    announced.add(request.userId)
    return {
      alreadyStored: alreadyStored[i] ?? [],
      alerts: alertsByUser.get(request.userId) ?? NO_CHANGES,
      isAnnouncer,
    }
  })
}
