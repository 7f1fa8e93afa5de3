// Is a labelled dataset usable? Per-label statistics per channel, how well each channel separates
// the labels, and a cross-validated baseline classifier next to always guessing the largest label:
// the analysis the CSI seed's `csi_algorithm` started (per-bin mean/variance overlap), finished.
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { seededRandom } from './synthetic-csi.js'

export interface LabelledRows {
  /** One label per row. */
  readonly labels: readonly string[]
  /** rows x width, row-major. */
  readonly values: Float32Array
  readonly width: number
}

export interface ChannelStats {
  readonly name: string
  /** Fisher's ratio: sum_c n_c (mean_c - mean)^2 / sum_c n_c var_c. 0: the channel says nothing of the label. */
  readonly fisherRatio: number
  /** Mean Bhattacharyya coefficient of the label pairs' normal fits: 1 identical distributions, 0 disjoint. */
  readonly overlap: number
  readonly byLabel: Record<string, { mean: number; variance: number }>
}

export type Verdict = 'separable' | 'partly separable' | 'indistinguishable from chance' | 'too little data'

export interface Quality {
  readonly frames: number
  readonly labels: { label: string; count: number }[]
  readonly majorityRate: number
  readonly baseline: { method: 'gaussian-naive-bayes'; folds: number; accuracy: number }
  readonly separability: { meanFisherRatio: number; maxFisherRatio: number; meanOverlap: number }
  readonly channels: ChannelStats[]
  readonly verdict: Verdict
  readonly summary: string
}

const FOLDS = 5
/** Accuracy this many standard errors above the majority rate is not chance (binomial, one-sided, ~0.1 %). */
const CHANCE_Z = 3
const SEPARABLE_ACCURACY = 0.9
const YIELD_EVERY = 2000

/** Label order for reports: numeric labels by value (door angles), others alphabetically. */
export function sortLabels(labels: Iterable<string>): string[] {
  const unique = [...new Set(labels)]
  const isNumeric = unique.every((l) => l.trim() !== '' && Number.isFinite(Number(l)))
  return unique.sort(isNumeric ? (a, b) => Number(a) - Number(b) : undefined)
}

interface ClassMoments {
  count: number
  /** Per channel. */
  mean: Float64Array
  variance: Float64Array
}

/** Mean and (population) variance per channel of the rows with each class, over `rows` (all when omitted). */
function momentsByClass(
  data: LabelledRows,
  classIndices: Int32Array,
  classes: number,
  rows?: readonly number[],
): ClassMoments[] {
  const { width, values } = data
  const sums = Array.from({ length: classes }, () => ({
    count: 0,
    sum: new Float64Array(width),
    squares: new Float64Array(width),
  }))
  const each = (row: number) => {
    const acc = sums[classIndices[row] as number] as (typeof sums)[number]
    acc.count += 1
    const base = row * width
    for (let j = 0; j < width; j += 1) {
      const x = values[base + j] as number
      acc.sum[j] = (acc.sum[j] as number) + x
      acc.squares[j] = (acc.squares[j] as number) + x * x
    }
  }
  if (rows === undefined) for (let row = 0; row < classIndices.length; row += 1) each(row)
  else for (const row of rows) each(row)
  return sums.map(({ count, sum, squares }) => {
    const mean = sum.map((s) => (count > 0 ? s / count : 0))
    const variance = squares.map((sq, j) => (count > 0 ? Math.max(0, sq / count - (mean[j] as number) ** 2) : 0))
    return { count, mean, variance }
  })
}

function bhattacharyya(m1: number, v1: number, m2: number, v2: number): number {
  const sum = v1 + v2
  if (sum <= 1e-12) return Math.abs(m1 - m2) < 1e-9 ? 1 : 0
  return Math.sqrt((2 * Math.sqrt(v1 * v2)) / sum) * Math.exp(-((m1 - m2) ** 2) / (4 * sum))
}

function channelStats(
  moments: readonly ClassMoments[],
  names: readonly string[],
  labels: readonly string[],
  total: number,
): ChannelStats[] {
  return names.map((name, j) => {
    const overall = moments.reduce((s, m) => s + m.count * (m.mean[j] as number), 0) / total
    const between = moments.reduce((s, m) => s + m.count * ((m.mean[j] as number) - overall) ** 2, 0)
    const within = moments.reduce((s, m) => s + m.count * (m.variance[j] as number), 0)
    let pairs = 0
    let overlapSum = 0
    for (let a = 0; a < moments.length; a += 1) {
      for (let b = a + 1; b < moments.length; b += 1) {
        const [ma, mb] = [moments[a] as ClassMoments, moments[b] as ClassMoments]
        overlapSum += bhattacharyya(
          ma.mean[j] as number,
          ma.variance[j] as number,
          mb.mean[j] as number,
          mb.variance[j] as number,
        )
        pairs += 1
      }
    }
    const byLabel = Object.fromEntries(
      labels.map((label, c) => [
        label,
        {
          mean: (moments[c] as ClassMoments).mean[j] as number,
          variance: (moments[c] as ClassMoments).variance[j] as number,
        },
      ]),
    )
    // A channel constant within every label but differing between them is as separable as it gets: a large, finite ratio.
    return {
      name,
      fisherRatio: between / Math.max(within, 1e-12),
      overlap: pairs > 0 ? overlapSum / pairs : 1,
      byLabel,
    }
  })
}

/** Stratified folds: each class's rows shuffled (seeded) and dealt round-robin. */
function stratifiedFolds(classIndices: Int32Array, classes: number, folds: number, seed: number): number[][] {
  const random = seededRandom(seed)
  const out: number[][] = Array.from({ length: folds }, () => [])
  for (let c = 0; c < classes; c += 1) {
    const rows = [...classIndices.keys()].filter((row) => classIndices[row] === c)
    for (let i = rows.length - 1; i > 0; i -= 1) {
      const k = Math.floor(random() * (i + 1))
      ;[rows[i], rows[k]] = [rows[k] as number, rows[i] as number]
    }
    rows.forEach((row, i) => (out[i % folds] as number[]).push(row))
  }
  return out
}

/** Gaussian naive Bayes accuracy over stratified k-fold cross-validation (variance smoothed as scikit-learn does: 1e-9 of the largest). */
async function crossValidatedAccuracy(
  data: LabelledRows,
  classIndices: Int32Array,
  classes: number,
  folds: number,
): Promise<number> {
  const { width, values } = data
  const foldRows = stratifiedFolds(classIndices, classes, folds, 7)
  let correct = 0
  for (let f = 0; f < folds; f += 1) {
    const test = new Set(foldRows[f])
    const train = [...classIndices.keys()].filter((row) => !test.has(row))
    const moments = momentsByClass(data, classIndices, classes, train)
    const smoothing = 1e-9 * Math.max(1e-12, ...moments.flatMap((m) => Array.from(m.variance)))
    const model = moments.map((m) => {
      const variance = m.variance.map((v) => v + smoothing)
      const logNorm = variance.reduce((s, v) => s + Math.log(2 * Math.PI * v), 0)
      return { mean: m.mean, variance, base: Math.log(Math.max(m.count, 1) / train.length) - logNorm / 2 }
    })
    let seen = 0
    for (const row of test) {
      let best = -1
      let bestScore = Number.NEGATIVE_INFINITY
      model.forEach((m, c) => {
        let score = m.base
        for (let j = 0; j < width; j += 1)
          score -= ((values[row * width + j] as number) - (m.mean[j] as number)) ** 2 / (2 * (m.variance[j] as number))
        if (score > bestScore) [bestScore, best] = [score, c]
      })
      if (best === classIndices[row]) correct += 1
      if (++seen % YIELD_EVERY === 0) await yieldToLoop()
    }
  }
  return correct / classIndices.length
}

function computeVerdict(accuracy: number, majority: number, frames: number): { verdict: Verdict; summary: string } {
  const stdError = Math.sqrt((majority * (1 - majority)) / frames)
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`
  if (accuracy - majority < CHANCE_Z * stdError) {
    return {
      verdict: 'indistinguishable from chance',
      summary: `Labels are indistinguishable from chance: a cross-validated classifier scores ${pct(accuracy)}, no better than always guessing the largest label (${pct(majority)}). Record again, or check the labels.`,
    }
  }
  if (accuracy >= SEPARABLE_ACCURACY)
    return {
      verdict: 'separable',
      summary: `Labels are separable: a cross-validated baseline classifier scores ${pct(accuracy)} against ${pct(majority)} for guessing the largest label.`,
    }
  return {
    verdict: 'partly separable',
    summary: `Labels are partly separable: ${pct(accuracy)} cross-validated against ${pct(majority)} for guessing; some labels overlap (see the per-channel overlap).`,
  }
}

/** The quality report of labelled rows; yields to the event loop while it classifies. */
export async function assessQuality(data: LabelledRows, channelNames: readonly string[]): Promise<Quality> {
  const labels = sortLabels(data.labels)
  const index = new Map(labels.map((label, i) => [label, i]))
  const classIndices = Int32Array.from(data.labels, (label) => index.get(label) as number)
  const frames = data.labels.length
  const moments = momentsByClass(data, classIndices, labels.length)
  const counts = labels.map((label, c) => ({ label, count: (moments[c] as ClassMoments).count }))
  const majorityRate = frames === 0 ? 0 : Math.max(...counts.map((c) => c.count)) / frames
  const channels = channelStats(moments, channelNames, labels, Math.max(frames, 1))
  const ratios = channels.map((c) => c.fisherRatio)
  const separability = {
    meanFisherRatio: ratios.length > 0 ? ratios.reduce((a, b) => a + b, 0) / ratios.length : 0,
    maxFisherRatio: ratios.length > 0 ? Math.max(...ratios) : 0,
    meanOverlap: channels.length > 0 ? channels.reduce((s, c) => s + c.overlap, 0) / channels.length : 1,
  }
  const smallest = Math.min(...counts.map((c) => c.count))
  if (labels.length < 2 || smallest < 2 || frames < 10) {
    const summary = `Too little data to judge: ${frames} frames in ${labels.length} label(s); it takes at least 2 labels, 2 frames of each and 10 in all.`
    return {
      frames,
      labels: counts,
      majorityRate,
      baseline: { method: 'gaussian-naive-bayes', folds: 0, accuracy: 0 },
      separability,
      channels,
      verdict: 'too little data',
      summary,
    }
  }
  const folds = Math.min(FOLDS, smallest)
  const accuracy = await crossValidatedAccuracy(data, classIndices, labels.length, folds)
  return {
    frames,
    labels: counts,
    majorityRate,
    baseline: { method: 'gaussian-naive-bayes', folds, accuracy },
    separability,
    channels,
    ...computeVerdict(accuracy, majorityRate, frames),
  }
}
