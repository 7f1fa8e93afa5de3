// Zones over a stored range from the zone rollups (migration 0019), reading samples only where the
// rollups cannot answer exactly: the ragged ends of the range (less than an hour each), hours in
// which more than one of the user's devices has samples (the merged timeline's intervals cross
// devices), and hours holding an interval longer than the gap limit (which intervals are gaps depends
// on the query). Intervals between hours are joined from each hour's first and last sample.
import type { Kysely } from 'kysely'
import type { Database } from '../../platform/db/schema.js'
import { readRollupTotals } from './rollups.repository.js'
import { type ZoneOptions, type ZoneResult, type TimedBpm, zoneAccumulator } from './zones.js'
import { HOUR_MS, type HourSpan, readHourSpans, readIntervalSums } from './zone-rollups.repository.js'

/** [from, to) in epoch ms. */
export interface MsRange {
  readonly from: number
  readonly to: number
}

/** Samples of the user's streams over a range, merged in time order, a bounded page at a time. */
export type SamplePages = (range: MsRange) => AsyncIterable<readonly TimedBpm[]>

/** Hours answered from the samples when `isRaw`; else the one stream's span links it into the timeline. */
interface HourPlan {
  readonly hourStart: number
  readonly span: HourSpan | undefined
}

function planHours(spans: readonly HourSpan[], maxGapMs: number): HourPlan[] {
  const plans: HourPlan[] = []
  for (const span of spans) {
    const last = plans.at(-1)
    if (last?.hourStart === span.hourStart) plans[plans.length - 1] = { hourStart: span.hourStart, span: undefined }
    else plans.push({ hourStart: span.hourStart, span: span.longestIntervalMs <= maxGapMs ? span : undefined })
  }
  return plans
}

/**
 * Zone times over the streams' samples in `range`, as `zoneAccumulator` gives them over every sample
 * in time order (the same sums; bpm sums may differ in the last bits from another summation order).
 * Memory holds one page of samples and one row per hour of the range.
 */
export async function readZonesFromRollups(
  db: Kysely<Database>,
  streamIds: readonly number[],
  range: MsRange,
  options: ZoneOptions,
  pages: SamplePages,
): Promise<ZoneResult> {
  const accumulator = zoneAccumulator(options)
  const feed = async (from: number, to: number) => {
    if (from >= to) return
    for await (const page of pages({ from, to })) for (const sample of page) accumulator.add(sample)
  }
  const [inner, end] = [Math.ceil(range.from / HOUR_MS) * HOUR_MS, Math.floor(range.to / HOUR_MS) * HOUR_MS]
  if (inner >= end) {
    await feed(range.from, range.to)
    return accumulator.result()
  }
  const plans = planHours(await readHourSpans(db, streamIds, inner, end), options.maxGapMs)
  await feed(range.from, inner)
  let rawFrom: number | undefined
  for (const { hourStart, span } of plans) {
    if (span === undefined) {
      rawFrom ??= hourStart
      continue
    }
    if (rawFrom !== undefined) await feed(rawFrom, hourStart)
    rawFrom = undefined
    accumulator.link({ timestampMs: span.firstTs, bpm: span.firstBpm }, { timestampMs: span.lastTs, bpm: span.lastBpm })
  }
  if (rawFrom !== undefined) await feed(rawFrom, end)
  await feed(end, range.to)
  // The hours read from the samples were counted there: their sums are taken off the totals.
  const rawHours = plans.filter((plan) => plan.span === undefined).map((plan) => plan.hourStart)
  await addRollupSums(db, streamIds, inner, end, rawHours, accumulator)
  return accumulator.result()
}

type Accumulator = ReturnType<typeof zoneAccumulator>

async function addRollupSums(
  db: Kysely<Database>,
  streamIds: readonly number[],
  from: number,
  to: number,
  rawHours: readonly number[],
  accumulator: Accumulator,
): Promise<void> {
  const pairs = new Map<number, { count: number; ms: number }>()
  const take = (rows: ReadonlyArray<{ bpmPair: number; count: number; ms: number }>, sign: 1 | -1) => {
    for (const { bpmPair, count, ms } of rows) {
      const pair = pairs.get(bpmPair) ?? { count: 0, ms: 0 }
      pairs.set(bpmPair, { count: pair.count + sign * count, ms: pair.ms + sign * ms })
    }
  }
  take(await readIntervalSums(db, streamIds, from, to), 1)
  const totals = await readRollupTotals(db, streamIds, HOUR_MS, from, to)
  for (let i = 0; i < rawHours.length; i += 500) {
    const hours = rawHours.slice(i, i + 500)
    take(await readIntervalSums(db, streamIds, from, to, hours), -1)
    const raw = await readRollupTotals(db, streamIds, HOUR_MS, from, to, hours)
    totals.count -= raw.count
    totals.sum -= raw.sum
  }
  for (const [bpmPair, { count, ms }] of [...pairs].sort((a, b) => a[0] - b[0]))
    if (count > 0) accumulator.addIntervals(bpmPair, count, ms)
  accumulator.addSamples(totals.count, totals.sum)
}
