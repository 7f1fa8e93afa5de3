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

/**
 * Artefact detection and correction over one segment: the 20 % rule of Malik et al. ("Heart rate
 * variability in relation to prognosis after myocardial infarction: selection of optimal
 * processing techniques", European Heart Journal 10(12):1060-1074, 1989), the rule the Task Force
 * standard (1996) cites for editing RR series. An interval more than 20 % away from the reference
 * (the median of the last five accepted intervals, or of the whole segment at its start) is an
 * artefact, corrected by its kind, as Lipponen and Tarvainen (J Med Eng Technol 43(3):173-181,
 * 2019) classify them:
 * - about n times the reference (n >= 2): n - 1 missed beats; split into n equal intervals;
 * - short, and with the next interval about one reference: an extra (false) beat; merged;
 * - anything else (an ectopic beat and its compensatory pause, noise): left out, and the
 *   successive differences on either side of it are not taken.
 */
export function cleanSegment(rr: RrSegment): CleanedSegment {
  const intervals: Array<number | null> = []
  // Only the last REFERENCE_WINDOW accepted intervals matter for the reference.
  const recent: number[] = []
  let correctedBeats = 0
  const start = median(rr)
  const reference = () => (recent.length === 0 ? start : median(recent))
  const accept = (value: number) => {
    intervals.push(value)
    recent.push(value)
    if (recent.length > REFERENCE_WINDOW) recent.shift()
  }
  for (let i = 0; i < rr.length; i++) {
    const value = rr[i] as number
    const ref = reference()
    if (isNear(value, ref)) {
      accept(value)
      continue
    }
    correctedBeats += 1
    const multiple = Math.round(value / ref)
    const next = rr[i + 1]
    if (multiple >= 2 && isNear(value, multiple * ref)) {
      for (let k = 0; k < multiple; k++) accept(value / multiple)
    } else if (value < ref && next !== undefined && isNear(value + next, ref)) {
      accept(value + next)
      i += 1
    } else if (intervals.at(-1) !== null) {
      intervals.push(null)
    }
  }
  return { intervals, correctedBeats }
}

function validateSegment(segment: RrSegment, s: number): void {
  segment.forEach((value, i) => {
    if (!Number.isFinite(value) || value <= 0) throw new AppError('invalid_argument', `RR interval ${i} of segment ${s} must be a positive number of milliseconds`)
  })
}

/** Count, mean and sum of squared deviations of NN intervals, merged segment by segment. */
interface Moments {
  n: number
  mean: number
  m2: number
}

// Each segment's moments in two passes (mean first, then squared deviations: summing raw squares
// loses precision when the values are large next to their spread), merged with the pairwise update
// of Chan, Golub and LeVeque ("Algorithms for computing the sample variance", 1983).
function mergeMoments(total: Moments, values: readonly number[]): void {
  if (values.length === 0) return
  let sum = 0
  for (const value of values) sum += value
  const mean = sum / values.length
  let m2 = 0
  for (const value of values) m2 += (value - mean) ** 2
  const n = total.n + values.length
  const delta = mean - total.mean
  total.m2 += m2 + (delta * delta * total.n * values.length) / n
  total.mean += (delta * values.length) / n
  total.n = n
}

/** HRV over segments fed one at a time: memory holds one segment, not the range. */
export interface HrvAccumulator {
  /** Takes the next continuous segment; throws invalid_argument for an interval that is not a positive number. */
  addSegment(segment: RrSegment): void
  result(): HrvResult
}

export function hrvAccumulator(): HrvAccumulator {
  const moments: Moments = { n: 0, mean: 0, m2: 0 }
  let [segments, correctedBeats, differences, squares, above50] = [0, 0, 0, 0, 0]
  let index = 0
  return {
    addSegment(segment) {
      validateSegment(segment, index++)
      if (segment.length === 0) return
      const cleaned = cleanSegment(segment)
      segments += 1
      correctedBeats += cleaned.correctedBeats
      mergeMoments(moments, cleaned.intervals.filter((v): v is number => v !== null))
      for (const d of successiveDifferences(cleaned)) {
        differences += 1
        squares += d * d
        if (Math.abs(d) > 50) above50 += 1
      }
    },
    result: () => ({
      intervalCount: moments.n,
      correctedBeats,
      segments,
      rmssdMs: differences === 0 ? null : round2(Math.sqrt(squares / differences)),
      sdnnMs: moments.n < 2 ? null : round2(Math.sqrt(moments.m2 / (moments.n - 1))),
      pnn50: differences === 0 ? null : round2((above50 / differences) * 100),
    }),
  }
}

/** Successive differences between adjacent NN intervals of a segment (never across a left-out beat). */
function successiveDifferences({ intervals }: CleanedSegment): number[] {
  const differences: number[] = []
  for (let i = 1; i < intervals.length; i++) {
    const [a, b] = [intervals[i - 1], intervals[i]]
    if (a !== null && a !== undefined && b !== null && b !== undefined) differences.push(b - a)
  }
  return differences
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
  let previousTs: number | undefined
  return {
    add(sample) {
      const rr = sample.rrIntervalsMs ?? []
      const covered = rr.reduce((sum, v) => sum + v, 0)
      const isContinuous = previousTs !== undefined && rr.length > 0 && sample.ts - previousTs <= covered + STAMP_SLACK_MS
      if (!isContinuous && current.length > 0) {
        onSegment(current)
        current = []
      }
      for (const v of rr) current.push(v)
      previousTs = rr.length > 0 ? sample.ts : undefined
    },
    end() {
      if (current.length > 0) onSegment(current)
      current = []
    },
  }
}
