import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AppError } from '../../errors.js'
import {
  computeZones,
  FIVE_ZONES,
  maxHeartRateFromAge,
  SEED_THREE_ZONES,
  type TimedBpm,
  type ZoneOptions,
} from './zones.js'

const MAX_AT_30 = maxHeartRateFromAge(30) // 190
const percentOfMax = (bands = FIVE_ZONES, extra: Partial<ZoneOptions> = {}): ZoneOptions => ({
  bands,
  method: { kind: 'percent-of-max', maxHeartRate: MAX_AT_30 },
  maxGapMs: Infinity,
  isLastBandOpenEnded: false,
  ...extra,
})
/** Samples one minute apart, starting at 0. */
const everyMinute = (...bpms: number[]): TimedBpm[] => bpms.map((bpm, i) => ({ timestampMs: i * 60_000, bpm }))
const secondsByZone = (result: ReturnType<typeof computeZones>) => result.zones.map((z) => z.seconds)
const isInvalidArgument = (error: unknown) => error instanceof AppError && error.code === 'invalid_argument'

test('maxHeartRateFromAge is 220 minus the age and refuses impossible ages', () => {
  assert.equal(maxHeartRateFromAge(30), 190)
  assert.equal(maxHeartRateFromAge(0), 220)
  for (const age of [-1, 220, Number.NaN, Infinity]) assert.throws(() => maxHeartRateFromAge(age), isInvalidArgument)
})

test('the seed three bands: age 30, 100/120/140/160 bpm a minute apart', () => {
  // Pair means 110, 130, 150 over max 190: .579 (zone 1), .684 (zone 2), .789 (zone 3).
  const result = computeZones(everyMinute(100, 120, 140, 160), percentOfMax(SEED_THREE_ZONES))
  assert.deepEqual(result, {
    method: 'percent-of-max',
    maxHeartRate: 190,
    restingHeartRate: null,
    zones: [
      { zone: 1, lowerBpm: 95, upperBpm: 114, seconds: 60 },
      { zone: 2, lowerBpm: 114, upperBpm: 133, seconds: 60 },
      { zone: 3, lowerBpm: 133, upperBpm: 171, seconds: 60 },
    ],
    belowZonesSeconds: 0,
    aboveZonesSeconds: 0,
    totalSeconds: 180,
    excludedGapSeconds: 0,
    intervalCount: 3,
    averageBpm: 130, // (100 + 120 + 140 + 160) / 4
  })
})

test('five zones of max 190 place each minute by the mean of its ends, including below and above', () => {
  // Pair means: 85 (.447 below), 95 (.5 zone 1, on its lower bound), 115 (.605 zone 2),
  // 135 (.711 zone 3), 155 (.816 zone 4), 175 (.921 zone 5), 190 (1.0: at the last upper bound, above).
  const samples = everyMinute(80, 90, 100, 130, 140, 170, 180, 200)
  const result = computeZones(samples, percentOfMax())
  assert.deepEqual(
    result.zones.map(({ lowerBpm, upperBpm }) => [lowerBpm, upperBpm]),
    [
      [95, 114],
      [114, 133],
      [133, 152],
      [152, 171],
      [171, 190],
    ],
  )
  assert.deepEqual(secondsByZone(result), [60, 60, 60, 60, 60])
  assert.equal(result.belowZonesSeconds, 60)
  assert.equal(result.aboveZonesSeconds, 60)
  assert.equal(result.totalSeconds, 420)
  assert.equal(result.intervalCount, 7)
  assert.equal(result.averageBpm, 136.25) // 1090 / 8

  const openEnded = computeZones(samples, percentOfMax(FIVE_ZONES, { isLastBandOpenEnded: true }))
  assert.deepEqual(secondsByZone(openEnded), [60, 60, 60, 60, 120])
  assert.equal(openEnded.aboveZonesSeconds, 0)
  assert.equal(openEnded.belowZonesSeconds, 60, 'open-ended applies only above the last band')
  assert.equal(openEnded.totalSeconds, 420)
})

test('an interval longer than maxGapMs is excluded, one exactly at it counts', () => {
  // 0 -> 60 s counts (mean 110, zone 1); 60 -> 300 s is a 240 s gap; 300 -> 420 s is exactly 120 s and counts (mean 130, zone 2).
  const samples = [
    { timestampMs: 0, bpm: 100 },
    { timestampMs: 60_000, bpm: 120 },
    { timestampMs: 300_000, bpm: 120 },
    { timestampMs: 420_000, bpm: 140 },
  ]
  const result = computeZones(samples, percentOfMax(SEED_THREE_ZONES, { maxGapMs: 120_000 }))
  assert.deepEqual(secondsByZone(result), [60, 120, 0])
  assert.equal(result.excludedGapSeconds, 240)
  assert.equal(result.totalSeconds, 180)
  assert.equal(result.intervalCount, 2)
  assert.equal(result.averageBpm, 120) // 480 / 4: gap samples still count in the average
})

test('samples are sorted by time (stably, without touching the input) and zero-length intervals are skipped', () => {
  // Sorted: 100@0, 160@0, 120@60s. The 0 ms pair is skipped; the stable order makes the next pair
  // 160 -> 120 (mean 140, .737 zone 3). An unstable sort would pair 100 -> 120 (mean 110, zone 1).
  const samples: TimedBpm[] = [
    { timestampMs: 60_000, bpm: 120 },
    { timestampMs: 0, bpm: 100 },
    { timestampMs: 0, bpm: 160 },
  ]
  const copy = structuredClone(samples)
  const result = computeZones(samples, percentOfMax(SEED_THREE_ZONES))
  assert.deepEqual(secondsByZone(result), [0, 0, 60])
  assert.equal(result.totalSeconds, 60)
  assert.equal(result.intervalCount, 1)
  assert.equal(result.excludedGapSeconds, 0)
  assert.deepEqual(samples, copy)
})

test('karvonen uses the heart-rate reserve for intensities and bpm bounds', () => {
  // max 190, rest 60, reserve 130. Pair means 125 (65/130 = .5 zone 1), 140 (80/130 = .615 zone 2),
  // 160 (100/130 = .769 zone 3), 110 (50/130 = .385 below).
  const options: ZoneOptions = {
    ...percentOfMax(),
    method: { kind: 'karvonen', maxHeartRate: 190, restingHeartRate: 60 },
  }
  const result = computeZones(everyMinute(120, 130, 150, 170, 50), options)
  assert.equal(result.method, 'karvonen')
  assert.equal(result.restingHeartRate, 60)
  assert.deepEqual(
    result.zones.map(({ lowerBpm, upperBpm }) => [lowerBpm, upperBpm]),
    [
      [125, 138],
      [138, 151],
      [151, 164],
      [164, 177],
      [177, 190],
    ],
  )
  assert.deepEqual(secondsByZone(result), [60, 60, 60, 0, 0])
  assert.equal(result.belowZonesSeconds, 60)
  assert.equal(result.totalSeconds, 240)

  // rest 61, reserve 129: zone 1 is 61 + .5 * 129 = 125.5 to 61 + .6 * 129 = 138.4 (rounded to one decimal).
  const odd = computeZones([], { ...options, method: { kind: 'karvonen', maxHeartRate: 190, restingHeartRate: 61 } })
  assert.deepEqual(odd.zones[0], { zone: 1, lowerBpm: 125.5, upperBpm: 138.4, seconds: 0 })
})

test('seconds are milliseconds over 1000, kept fractional', () => {
  const samples = [
    { timestampMs: 0, bpm: 100 },
    { timestampMs: 1_500, bpm: 120 },
    { timestampMs: 1_750, bpm: 120 },
  ]
  const result = computeZones(samples, percentOfMax(SEED_THREE_ZONES))
  assert.deepEqual(secondsByZone(result), [1.5, 0.25, 0])
  assert.equal(result.totalSeconds, 1.75)
})

test('no samples or one sample give zeros, with the average of what was given', () => {
  const none = computeZones([], percentOfMax())
  assert.equal(none.totalSeconds, 0)
  assert.equal(none.intervalCount, 0)
  assert.equal(none.averageBpm, 0)
  const one = computeZones([{ timestampMs: 5, bpm: 72 }], percentOfMax())
  assert.equal(one.totalSeconds, 0)
  assert.equal(one.averageBpm, 72)
})

test('invalid options and samples throw invalid_argument', () => {
  const karvonen = (maxHeartRate: number, restingHeartRate: number): ZoneOptions => ({
    ...percentOfMax(),
    method: { kind: 'karvonen', maxHeartRate, restingHeartRate },
  })
  const bad: ZoneOptions[] = [
    percentOfMax(FIVE_ZONES, { method: { kind: 'percent-of-max', maxHeartRate: 0 } }),
    percentOfMax(FIVE_ZONES, { method: { kind: 'percent-of-max', maxHeartRate: Number.NaN } }),
    karvonen(190, 0),
    karvonen(190, 190),
    karvonen(150, 160),
    percentOfMax([]),
    percentOfMax([{ zone: 1, from: 0.6, to: 0.5 }]),
    percentOfMax([
      { zone: 1, from: 0.5, to: 0.6 },
      { zone: 2, from: 0.65, to: 0.7 },
    ]),
    percentOfMax(FIVE_ZONES, { maxGapMs: 0 }),
    percentOfMax(FIVE_ZONES, { maxGapMs: Number.NaN }),
  ]
  for (const options of bad) assert.throws(() => computeZones([], options), isInvalidArgument, JSON.stringify(options))
  assert.throws(() => computeZones([{ timestampMs: Number.NaN, bpm: 70 }], percentOfMax()), isInvalidArgument)
  assert.throws(() => computeZones([{ timestampMs: 0, bpm: Infinity }], percentOfMax()), isInvalidArgument)
})
