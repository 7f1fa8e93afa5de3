// Time-domain HRV (Task Force of the ESC and NASPE, "Heart rate variability: standards of
// measurement, physiological interpretation and clinical use", Circulation 93(5):1043-1065, 1996)
// over RR intervals cleaned of artefacts first: the standard's measures are defined on NN
// (normal-to-normal) intervals, and one missed beat makes RMSSD many times too large.
import { AppError } from '../../errors.js'
import type { Hrv } from './heart-rate.schema.js'

export type HrvResult = Hrv

/** A continuous stretch of recording: successive differences are taken within a segment only. */
export type RrSegment = readonly number[]

/** How far an interval may differ from the reference (the 20 % rule) before it is an artefact. */
const TOLERANCE = 0.2
/** Accepted intervals the reference is the median of. */
const REFERENCE_WINDOW = 5
const round2 = (value: number) => Math.round(value * 100) / 100

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

const isNear = (value: number, target: number) => Math.abs(value - target) <= TOLERANCE * target

export interface CleanedSegment {
  /** NN intervals, in order, with `null` where a beat was left out (no difference is taken across it). */
  readonly intervals: ReadonlyArray<number | null>
  readonly correctedBeats: number
}

/** What the cleaner hands on, in order: an accepted NN interval, or a left-out beat (no difference is taken across it). */
export interface NnSink {
  nn(value: number): void
  gap(): void
}

/**
 * The start reference of a segment is the median of its first START_WINDOW intervals (all of them
 * when it is shorter), so a recording of any length is cleaned holding a bounded window.
 */
const START_WINDOW = 256
/** Intervals in a row not accepted as they are after which the reference starts again from them. */
const REFERENCE_RESET = 5
/** Intervals buffered before they are cleaned (one more than is cleaned is kept, as the rule looks one ahead). */
const CLEAN_CHUNK = 1024

/**
 * The last REFERENCE_WINDOW accepted intervals in a ring, and their median, kept up to date on each
 * push (insertion sort of at most five values in a scratch array: no allocation, no splice). The
 * median is asked for once per interval cleaned, so it is computed on push and read for free.
 */
function referenceWindow(): { push(value: number): void; clear(): void; size(): number; median(): number } {
  const ring = new Float64Array(REFERENCE_WINDOW)
  const sorted = new Float64Array(REFERENCE_WINDOW)
  let [count, next, current] = [0, 0, 0]
  return {
    push(value) {
      ring[next] = value
      next = (next + 1) % REFERENCE_WINDOW
      if (count < REFERENCE_WINDOW) count += 1
      for (let k = 0; k < count; k++) {
        const v = ring[k] as number
        let i = k
        while (i > 0 && (sorted[i - 1] as number) > v) {
          sorted[i] = sorted[i - 1] as number
          i -= 1
        }
        sorted[i] = v
      }
      const mid = count >> 1
      current = count % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
    },
    clear() {
      ;[count, next, current] = [0, 0, 0]
    },
    size: () => count,
    median: () => current,
  }
}

/**
 * Artefact detection and correction over one segment fed interval by interval: the 20 % rule of
 * Malik et al. ("Heart rate variability in relation to prognosis after myocardial infarction:
 * selection of optimal processing techniques", European Heart Journal 10(12):1060-1074, 1989), the
 * rule the Task Force standard (1996) cites for editing RR series. An interval more than 20 % away
 * from the reference (the median of the last five accepted intervals, or at the segment's start the
 * median of its first START_WINDOW intervals) is an artefact, corrected by its kind, as Lipponen and
 * Tarvainen (J Med Eng Technol 43(3):173-181, 2019) classify them:
 * - about n times the reference (n >= 2): n - 1 missed beats; split into n equal intervals;
 * - short, and with the next interval about one reference: an extra (false) beat; merged;
 * - anything else (an ectopic beat and its compensatory pause, noise): left out, and the
 *   successive differences on either side of it are not taken.
 * Only intervals accepted as they are move the reference: corrected ones would drag it after the
 * artefact (split beats halve it, and the next intervals were split again, and again: a sudden
 * lasting change of rate turned one recorded interval into nine). When REFERENCE_RESET intervals
 * in a row are not accepted, the reference is what is off, not the data: it starts again from
 * those intervals (their median), as at a segment's start.
 * Memory holds at most CLEAN_CHUNK intervals, however long the segment. `end` returns the corrections.
 */
export function segmentCleaner(sink: NnSink): { add(value: number): void; end(): number } {
  const pending: number[] = []
  const recent = referenceWindow()
  /** The intervals of the current run of ones not accepted as they are (at most REFERENCE_RESET). */
  const rejected: number[] = []
  let start: number | undefined
  let [correctedBeats, isAfterGap] = [0, false]
  const emit = (value: number) => {
    sink.nn(value)
    isAfterGap = false
  }
  const accept = (value: number) => {
    emit(value)
    recent.push(value)
    rejected.length = 0
  }
  const clean = (isFinal: boolean) => {
    if (start === undefined) {
      if (!isFinal && pending.length < START_WINDOW) return
      start = median(pending.slice(0, START_WINDOW))
    }
    const limit = isFinal ? pending.length : pending.length - 1
    let i = 0
    for (; i < limit; i++) {
      const value = pending[i] as number
      const ref = recent.size() === 0 ? start : recent.median()
      if (isNear(value, ref)) {
        accept(value)
        continue
      }
      correctedBeats += 1
      const multiple = Math.round(value / ref)
      const next = pending[i + 1]
      if (multiple >= 2 && isNear(value, multiple * ref)) {
        for (let k = 0; k < multiple; k++) emit(value / multiple)
      } else if (value < ref && next !== undefined && isNear(value + next, ref)) {
        emit(value + next)
        i += 1
      } else if (!isAfterGap) {
        sink.gap()
        isAfterGap = true
      }
      rejected.push(value)
      if (rejected.length === REFERENCE_RESET) {
        recent.clear()
        for (const kept of rejected) recent.push(kept)
        rejected.length = 0
      }
    }
    // What is left (at most the one interval the rule looks ahead to) moves to the front, in place.
    pending.copyWithin(0, i)
    pending.length -= i
  }
  return {
    add(value) {
      pending.push(value)
      if (pending.length >= CLEAN_CHUNK) clean(false)
    },
    end() {
      if (pending.length > 0) clean(true)
      return correctedBeats
    },
  }
}

/** `segmentCleaner` over a whole segment at once: its NN intervals, with `null` where a beat was left out. */
export function cleanSegment(rr: RrSegment): CleanedSegment {
  const intervals: Array<number | null> = []
  const cleaner = segmentCleaner({ nn: (value) => intervals.push(value), gap: () => intervals.push(null) })
  for (const value of rr) cleaner.add(value)
  return { intervals, correctedBeats: cleaner.end() }
}

function validateSegment(segment: RrSegment, s: number): void {
  segment.forEach((value, i) => validateInterval(value, i, s))
}

function validateInterval(value: number, i: number, s: number): void {
  if (!Number.isFinite(value) || value <= 0)
    throw new AppError('invalid_argument', `RR interval ${i} of segment ${s} must be a positive number of milliseconds`)
}

/** Count, mean and sum of squared deviations of NN intervals, merged chunk by chunk. */
interface Moments {
  n: number
  mean: number
  m2: number
}

// Each chunk's moments in two passes (mean first, then squared deviations: summing raw squares
// loses precision when the values are large next to their spread), merged with the pairwise update
// of Chan, Golub and LeVeque ("Algorithms for computing the sample variance", 1983).
function mergeMoments(total: Moments, values: ArrayLike<number>, length = values.length): void {
  if (length === 0) return
  let sum = 0
  for (let i = 0; i < length; i++) sum += values[i] as number
  const mean = sum / length
  let m2 = 0
  for (let i = 0; i < length; i++) m2 += ((values[i] as number) - mean) ** 2
  const n = total.n + length
  const delta = mean - total.mean
  total.m2 += m2 + (delta * delta * total.n * length) / n
  total.mean += (delta * length) / n
  total.n = n
}

/** NN intervals held before their moments are merged into the running ones. */
const MOMENT_CHUNK = 4096

/** HRV over RR intervals fed in order, segment by segment: memory holds a bounded window, not a segment. */
export interface HrvAccumulator {
  /** Takes a whole continuous segment; throws invalid_argument for an interval that is not a positive number. */
  addSegment(segment: RrSegment): void
  /** The next interval of the current segment (one is started when none is open). */
  addInterval(value: number): void
  /** Ends the current segment (nothing when none is open). */
  endSegment(): void
  result(): HrvResult
}

export function hrvAccumulator(): HrvAccumulator {
  const moments: Moments = { n: 0, mean: 0, m2: 0 }
  const chunk = new Float64Array(MOMENT_CHUNK)
  let chunkLength = 0
  let [segments, correctedBeats, differences, squares, above50] = [0, 0, 0, 0, 0]
  let [index, position] = [0, 0]
  let previous: number | null = null
  const sink: NnSink = {
    nn(value) {
      if (previous !== null) {
        const d = value - previous
        differences += 1
        squares += d * d
        if (Math.abs(d) > 50) above50 += 1
      }
      previous = value
      chunk[chunkLength++] = value
      if (chunkLength === MOMENT_CHUNK) {
        mergeMoments(moments, chunk, chunkLength)
        chunkLength = 0
      }
    },
    gap: () => (previous = null),
  }
  let cleaner: ReturnType<typeof segmentCleaner> | undefined
  const endSegment = () => {
    if (cleaner === undefined) return
    correctedBeats += cleaner.end()
    cleaner = undefined
    previous = null
    index += 1
  }
  const addInterval = (value: number) => {
    if (cleaner === undefined) {
      cleaner = segmentCleaner(sink)
      segments += 1
      position = 0
    }
    validateInterval(value, position++, index)
    cleaner.add(value)
  }
  return {
    addSegment(segment) {
      validateSegment(segment, index)
      if (segment.length === 0) {
        index += 1
        return
      }
      for (const value of segment) addInterval(value)
      endSegment()
    },
    addInterval,
    endSegment,
    result: () => {
      mergeMoments(moments, chunk, chunkLength)
      chunkLength = 0
      return {
        intervalCount: moments.n,
        correctedBeats,
        segments,
        rmssdMs: differences === 0 ? null : round2(Math.sqrt(squares / differences)),
        sdnnMs: moments.n < 2 ? null : round2(Math.sqrt(moments.m2 / (moments.n - 1))),
        pnn50: differences === 0 ? null : round2((above50 / differences) * 100),
      }
    },
  }
}

/**
 * RMSSD and SDNN (ms) and pNN50 (% of successive differences above 50 ms) of RR intervals given
 * as continuous segments, after artefact correction (`cleanSegment`). Figures are null when there
 * are fewer than two NN intervals (SDNN) or no successive difference (RMSSD, pNN50).
 */
export function computeHrv(segments: readonly RrSegment[]): HrvResult {
  segments.forEach(validateSegment)
  const accumulator = hrvAccumulator()
  for (const segment of segments) accumulator.addSegment(segment)
  return accumulator.result()
}

export interface RrSample {
  /** Epoch ms the sample was taken (its RR intervals end about then). */
  readonly ts: number
  readonly rrIntervalsMs: readonly number[] | null
}

/** Timestamp resolution the continuity check allows for (many devices stamp whole seconds). */
const STAMP_SLACK_MS = 2000

/**
 * Cuts samples (in time order) into continuous segments of RR intervals. A sample's intervals are
 * the beats before its timestamp, so two samples are continuous when the time between them is no
 * more than the later one's intervals cover, plus the timestamp slack; a sample without intervals,
 * or a longer pause, starts a new segment (the Task Force standard takes differences only between
 * adjacent intervals of an uninterrupted recording).
 */
export function continuousSegments(samples: readonly RrSample[]): number[][] {
  const segments: number[][] = []
  const segmenter = rrSegmenter((segment) => segments.push(segment))
  for (const sample of samples) segmenter.add(sample)
  segmenter.end()
  return segments
}

/** `continuousSegments` over samples fed one at a time (in time order): each segment is handed on once it ends. */
export function rrSegmenter(onSegment: (segment: number[]) => void): { add(sample: RrSample): void; end(): void } {
  let current: number[] = []
  return rrIntervalStream({
    interval: (value) => current.push(value),
    endSegment: () => {
      if (current.length > 0) onSegment(current)
      current = []
    },
  })
}

/** Where `rrIntervalStream` hands the intervals: one by one, and the end of each continuous segment. */
export interface IntervalSink {
  interval(value: number): void
  endSegment(): void
}

/** The cut of `continuousSegments`, streamed: intervals go on one by one, so no segment is held. */
export function rrIntervalStream(sink: IntervalSink): {
  add(sample: RrSample): void
  /** `add` of the sample at `ts` whose intervals are `values[start]` to `values[end - 1]` (no array of its own). */
  addIntervals(ts: number, values: ArrayLike<number>, start: number, end: number): void
  end(): void
} {
  let previousTs: number | undefined
  const addIntervals = (ts: number, values: ArrayLike<number>, start: number, end: number) => {
    let covered = 0
    for (let i = start; i < end; i++) covered += values[i] as number
    const hasIntervals = end > start
    const isContinuous = previousTs !== undefined && hasIntervals && ts - previousTs <= covered + STAMP_SLACK_MS
    if (!isContinuous && previousTs !== undefined) sink.endSegment()
    for (let i = start; i < end; i++) sink.interval(values[i] as number)
    previousTs = hasIntervals ? ts : undefined
  }
  return {
    add(sample) {
      const rr = sample.rrIntervalsMs ?? []
      addIntervals(sample.ts, rr, 0, rr.length)
    },
    addIntervals,
    end() {
      if (previousTs !== undefined) sink.endSegment()
      previousTs = undefined
    },
  }
}
