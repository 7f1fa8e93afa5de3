// Gaussian naive Bayes as scikit-learn's GaussianNB computes it: per class the prior, and per
// feature the mean and variance, every variance widened by 1e-9 x the largest feature variance
// (`var_smoothing`); the class score is log prior + sum of log normal densities. (ml-naivebayes
// 4.0.0's GaussianNB scores classes wrongly, so this small model is our own.)

export interface GaussianNbModel {
  readonly name: 'GaussianNB'
  readonly priors: number[]
  readonly means: number[][]
  readonly variances: number[][]
}

export function fitGaussianNb(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  classes: number,
): GaussianNbModel {
  const width = rows[0]?.length ?? 0
  const counts = new Array<number>(classes).fill(0)
  const means = Array.from({ length: classes }, () => new Array<number>(width).fill(0))
  const squares = Array.from({ length: classes }, () => new Array<number>(width).fill(0))
  rows.forEach((row, r) => {
    const c = labels[r] as number
    counts[c] = (counts[c] as number) + 1
    row.forEach((x, j) => {
      ;(means[c] as number[])[j] = ((means[c] as number[])[j] as number) + x
      ;(squares[c] as number[])[j] = ((squares[c] as number[])[j] as number) + x * x
    })
  })
  const variances = means.map((sums, c) =>
    sums.map((sum, j) => {
      const n = Math.max(counts[c] as number, 1)
      const mean = sum / n
      ;(means[c] as number[])[j] = mean
      return Math.max(((squares[c] as number[])[j] as number) / n - mean * mean, 0)
    }),
  )
  // The smoothing uses the variance of each feature over all rows.
  const all = Array.from({ length: width }, (_, j) => {
    const values = rows.map((row) => row[j] as number)
    const mean = values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1)
    return values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(values.length, 1)
  })
  const epsilon = 1e-9 * Math.max(0, ...all)
  return {
    name: 'GaussianNB',
    priors: counts.map((n) => n / Math.max(rows.length, 1)),
    means,
    variances: variances.map((v) => v.map((x) => x + epsilon)),
  }
}

/** Class probabilities of one row (softmax of the joint log likelihoods). */
export function gaussianNbProbabilities(model: GaussianNbModel, row: readonly number[]): number[] {
  const scores = model.priors.map((prior, c) => {
    if (prior === 0) return Number.NEGATIVE_INFINITY
    let score = Math.log(prior)
    row.forEach((x, j) => {
      const variance = (model.variances[c] as number[])[j] as number
      const mean = (model.means[c] as number[])[j] as number
      score += -0.5 * Math.log(2 * Math.PI * variance) - (x - mean) ** 2 / (2 * variance)
    })
    return score
  })
  const top = Math.max(...scores)
  const exps = scores.map((s) => Math.exp(s - top))
  const total = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / total)
}
