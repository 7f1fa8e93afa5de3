import type { Analysis, Channel, ChannelAnalysis, Progress } from './game-sessions.schema.js'

/** Summary of the same game's earlier processed sessions, as the repository aggregates it. */
export interface PreviousSessions {
  readonly count: number
  readonly meanScore: number | null
  /** Earlier sessions with a lower score, plus half of those with an equal one. */
  readonly beaten: number
  readonly meanRangeOfMotion: number | null
}

/** A percent, a score or a change of one, as published: two decimals. */
export const round2 = (n: number) => Math.round(n * 100) / 100
/** A sensor statistic, as published: six significant digits (sensor units vary by orders of magnitude). */
const significant6 = (n: number) => (Number.isFinite(n) ? Number(n.toPrecision(6)) : n)
const orNull = <T>(value: T | null, round: (v: T) => T) => (value === null ? null : round(value))

/** Per-axis statistics in two passes (sums, then squared deviations from the mean) for accuracy. */
export function analyseChannel(channel: Channel): ChannelAnalysis {
  const dims = channel.samples[0]?.v.length ?? 0
  const n = channel.samples.length
  const sum = new Array<number>(dims).fill(0)
  const min = new Array<number>(dims).fill(Number.POSITIVE_INFINITY)
  const max = new Array<number>(dims).fill(Number.NEGATIVE_INFINITY)
  let first = Number.POSITIVE_INFINITY
  let last = Number.NEGATIVE_INFINITY
  for (const { t, v } of channel.samples) {
    if (t < first) first = t
    if (t > last) last = t
    for (let i = 0; i < dims; i++) {
      const x = v[i] as number
      sum[i] = (sum[i] as number) + x
      if (x < (min[i] as number)) min[i] = x
      if (x > (max[i] as number)) max[i] = x
    }
  }
  const mean = sum.map((s) => s / n)
  const squares = new Array<number>(dims).fill(0)
  for (const { v } of channel.samples) {
    for (let i = 0; i < dims; i++) squares[i] = (squares[i] as number) + ((v[i] as number) - (mean[i] as number)) ** 2
  }
  return {
    name: channel.name,
    sampleCount: n,
    durationMs: n > 0 ? last - first : 0,
    mean: mean.map(significant6),
    min,
    max,
    standardDeviation: squares.map((s) => significant6(Math.sqrt(s / n))),
    rangeOfMotion: max.map((hi, i) => significant6(hi - (min[i] as number))),
  }
}

export function meanRangeOfMotion(channels: readonly ChannelAnalysis[]): number {
  const ranges = channels.flatMap((c) => c.rangeOfMotion)
  return ranges.length === 0 ? 0 : significant6(ranges.reduce((a, b) => a + b, 0) / ranges.length)
}

export function computeProgress(score: number, rangeOfMotion: number, previous: PreviousSessions): Progress {
  const hasPrevious = previous.count > 0
  return {
    previousSessions: previous.count,
    previousMeanScore: orNull(previous.meanScore, round2),
    scoreChange: hasPrevious && previous.meanScore !== null ? round2(score - previous.meanScore) : null,
    progressScore: hasPrevious ? round2((100 * previous.beaten) / previous.count) : null,
    rangeOfMotionChange:
      hasPrevious && previous.meanRangeOfMotion !== null
        ? significant6(rangeOfMotion - previous.meanRangeOfMotion)
        : null,
  }
}

export function analyse(channels: readonly Channel[], score: number, previous: PreviousSessions): Analysis {
  const analysed = channels.map(analyseChannel)
  const rangeOfMotion = meanRangeOfMotion(analysed)
  return { channels: analysed, rangeOfMotion, progress: computeProgress(score, rangeOfMotion, previous) }
}

/** Least-squares slope of y over its index; null with fewer than two points. */
export function computeSlope(values: readonly number[]): number | null {
  const n = values.length
  if (n < 2) return null
  const meanX = (n - 1) / 2
  const meanY = values.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  values.forEach((y, x) => {
    num += (x - meanX) * (y - meanY)
    den += (x - meanX) ** 2
  })
  return num / den
}
