import { AppError } from '../../errors.js'
import type { Zones } from './heart-rate.schema.js'

export interface TimedBpm {
  readonly timestampMs: number
  readonly bpm: number
}

/** One training zone as intensity fractions, `from` inclusive and `to` exclusive. */
export interface ZoneBand {
  readonly zone: number
  readonly from: number
  readonly to: number
}

export const FIVE_ZONES: readonly ZoneBand[] = Object.freeze([
  Object.freeze({ zone: 1, from: 0.5, to: 0.6 }),
  Object.freeze({ zone: 2, from: 0.6, to: 0.7 }),
  Object.freeze({ zone: 3, from: 0.7, to: 0.8 }),
  Object.freeze({ zone: 4, from: 0.8, to: 0.9 }),
  Object.freeze({ zone: 5, from: 0.9, to: 1.0 }),
])

/** The bands of the seed heart-rate service, kept so its figures can be reproduced. */
export const SEED_THREE_ZONES: readonly ZoneBand[] = Object.freeze([
  Object.freeze({ zone: 1, from: 0.5, to: 0.6 }),
  Object.freeze({ zone: 2, from: 0.6, to: 0.7 }),
  Object.freeze({ zone: 3, from: 0.7, to: 0.9 }),
])

export type ZoneMethod =
  | { readonly kind: 'percent-of-max'; readonly maxHeartRate: number }
  | { readonly kind: 'karvonen'; readonly maxHeartRate: number; readonly restingHeartRate: number }

export interface ZoneOptions {
  readonly bands: readonly ZoneBand[]
  readonly method: ZoneMethod
  /** Intervals longer than this are left out (a sensor gap); Infinity keeps every interval. */
  readonly maxGapMs: number
  /** When true, intensities at or above the last band's upper bound count in the last band (e.g. above max HR -> zone 5). */
  readonly isLastBandOpenEnded: boolean
}

export interface ZoneTime {
  readonly zone: number
  readonly lowerBpm: number
  readonly upperBpm: number
  readonly seconds: number
}

/** Zone times in seconds and the mean bpm, rounded to 2 decimals (the public `Zones` shape). */
export type ZoneResult = Zones

const invalid = (message: string) => new AppError('invalid_argument', message)

/**
 * The age-predicted maximum heart rate in bpm, 220 - age in years (Fox, Naughton and Haskell,
 * "Physical activity and the prevention of coronary heart disease", Ann Clin Res 3:404-432, 1971).
 * Throws invalid_argument outside 0-219.
 */
export function maxHeartRateFromAge(age: number): number {
  if (!Number.isFinite(age) || age < 0 || age >= 220) throw invalid('age must be a number from 0 to below 220')
  return 220 - age
}

function validateMethod(method: ZoneMethod): void {
  if (!Number.isFinite(method.maxHeartRate) || method.maxHeartRate <= 0) {
    throw invalid('maxHeartRate must be a positive number')
  }
  if (method.kind !== 'karvonen') return
  if (!Number.isFinite(method.restingHeartRate) || method.restingHeartRate <= 0) {
    throw invalid('restingHeartRate must be a positive number')
  }
  if (method.restingHeartRate >= method.maxHeartRate) throw invalid('maxHeartRate must be above restingHeartRate')
}

// Contiguous bands leave no intensity between two zones, so every counted interval has one home.
function validateBands(bands: readonly ZoneBand[]): void {
  if (bands.length === 0) throw invalid('bands must not be empty')
  bands.forEach((band, i) => {
    if (!Number.isFinite(band.from) || !Number.isFinite(band.to) || band.from >= band.to) {
      throw invalid(`band ${i} must have finite bounds with from below to`)
    }
    const previous = bands[i - 1]
    if (previous && previous.to !== band.from) throw invalid(`band ${i} must start where band ${i - 1} ends`)
  })
}

function validateOptions(options: ZoneOptions): void {
  validateMethod(options.method)
  validateBands(options.bands)
  if (Number.isNaN(options.maxGapMs) || options.maxGapMs <= 0) throw invalid('maxGapMs must be positive (or Infinity)')
}

function validateSamples(samples: readonly TimedBpm[]): void {
  samples.forEach((sample, i) => {
    if (!Number.isFinite(sample.timestampMs) || !Number.isFinite(sample.bpm)) {
      throw invalid(`sample ${i} must have a finite timestampMs and bpm`)
    }
  })
}

function computeIntensity(bpm: number, method: ZoneMethod): number {
  if (method.kind === 'percent-of-max') return bpm / method.maxHeartRate
  return (bpm - method.restingHeartRate) / (method.maxHeartRate - method.restingHeartRate)
}

function bpmAt(fraction: number, method: ZoneMethod): number {
  const rest = method.kind === 'karvonen' ? method.restingHeartRate : 0
  return Math.round((rest + fraction * (method.maxHeartRate - rest)) * 10) / 10
}

/** Index into the bands, -1 below the first band, `bands.length` above the last. */
function bandIndex(intensity: number, options: ZoneOptions): number {
  const { bands } = options
  if (intensity < bands[0]!.from) return -1
  const index = bands.findIndex((band) => intensity >= band.from && intensity < band.to)
  if (index >= 0) return index
  return options.isLastBandOpenEnded ? bands.length - 1 : bands.length
}

interface Tally {
  readonly bandMs: number[]
  belowMs: number
  aboveMs: number
  countedMs: number
  gapMs: number
  intervalCount: number
}

/** Adds the interval from `a` to `b` to the tally (placed by the mean of its ends; a gap is left out). */
function tallyInterval(tally: Tally, a: TimedBpm, b: TimedBpm, options: ZoneOptions): void {
  const dt = b.timestampMs - a.timestampMs
  if (dt <= 0) return
  if (dt > options.maxGapMs) {
    tally.gapMs += dt
    return
  }
  tallyIntervals(tally, a.bpm + b.bpm, 1, dt, options)
}

/** Adds `count` counted intervals of `ms` in all whose ends' bpm add up to `bpmPair`. */
function tallyIntervals(tally: Tally, bpmPair: number, count: number, ms: number, options: ZoneOptions): void {
  const index = bandIndex(computeIntensity(bpmPair / 2, options.method), options)
  if (index < 0) tally.belowMs += ms
  else if (index >= options.bands.length) tally.aboveMs += ms
  else tally.bandMs[index]! += ms
  tally.countedMs += ms
  tally.intervalCount += count
}

const round2 = (value: number) => Math.round(value * 100) / 100
const toSeconds = (ms: number) => round2(ms / 1000)

/** Zone times over samples fed in time order, in constant memory (one sample and the sums held). */
export interface ZoneAccumulator {
  /** Takes the next sample (timestamps ascending); throws invalid_argument for a non-finite one. */
  add(sample: TimedBpm): void
  /** Joins a stretch summed elsewhere (rollups): the interval from the previous sample to `first` is counted, and `last` becomes the previous sample. */
  link(first: TimedBpm, last: TimedBpm): void
  /** Intervals summed elsewhere, none longer than the gap limit: `count` of them, `ms` in all, whose ends' bpm add up to `bpmPair`. */
  addIntervals(bpmPair: number, count: number, ms: number): void
  /** Samples counted elsewhere, for the mean: how many, and the sum of their bpm. */
  addSamples(count: number, bpmSum: number): void
  result(): ZoneResult
}

/** Zone times as `computeZones` gives them, over samples given one by one in time order. Throws invalid_argument for bad options at once. */
export function zoneAccumulator(options: ZoneOptions): ZoneAccumulator {
  validateOptions(options)
  const tally: Tally = {
    bandMs: options.bands.map(() => 0),
    belowMs: 0,
    aboveMs: 0,
    countedMs: 0,
    gapMs: 0,
    intervalCount: 0,
  }
  let previous: TimedBpm | undefined
  let [count, bpmSum] = [0, 0]
  return {
    add(sample) {
      if (!Number.isFinite(sample.timestampMs) || !Number.isFinite(sample.bpm))
        throw invalid(`sample ${count} must have a finite timestampMs and bpm`)
      if (previous !== undefined) tallyInterval(tally, previous, sample, options)
      previous = sample
      count += 1
      bpmSum += sample.bpm
    },
    link(first, last) {
      if (previous !== undefined) tallyInterval(tally, previous, first, options)
      previous = last
    },
    addIntervals: (bpmPair, n, ms) => tallyIntervals(tally, bpmPair, n, ms, options),
    addSamples(n, sum) {
      count += n
      bpmSum += sum
    },
    result: () => zoneResult(tally, options, count === 0 ? 0 : bpmSum / count),
  }
}

function zoneResult(tally: Tally, options: ZoneOptions, averageBpm: number): ZoneResult {
  const { method } = options
  return {
    method: method.kind,
    maxHeartRate: method.maxHeartRate,
    restingHeartRate: method.kind === 'karvonen' ? method.restingHeartRate : null,
    zones: options.bands.map((band, i) => ({
      zone: band.zone,
      lowerBpm: bpmAt(band.from, method),
      upperBpm: bpmAt(band.to, method),
      seconds: toSeconds(tally.bandMs[i]!),
    })),
    belowZonesSeconds: toSeconds(tally.belowMs),
    aboveZonesSeconds: toSeconds(tally.aboveMs),
    totalSeconds: toSeconds(tally.countedMs),
    excludedGapSeconds: toSeconds(tally.gapMs),
    intervalCount: tally.intervalCount,
    averageBpm: round2(averageBpm),
  }
}

/**
 * Time spent in each heart-rate zone. Each interval between consecutive samples (by timestamp)
 * is placed by the mean of its two ends; milliseconds are summed and turned into seconds once.
 */
export function computeZones(samples: readonly TimedBpm[], options: ZoneOptions): ZoneResult {
  validateOptions(options)
  validateSamples(samples)
  const accumulator = zoneAccumulator(options)
  for (const sample of [...samples].sort((a, b) => a.timestampMs - b.timestampMs)) accumulator.add(sample)
  return accumulator.result()
}
