// Logistic regression as scikit-learn's LogisticRegression fits it by default: multinomial
// (softmax) for three or more classes, one sigmoid for two, L2 penalty with C = 1 on the weights and
// none on the intercepts, minimised by L-BFGS. The objective is convex with a single minimum, so
// any solver that converges lands on the same model as scikit-learn's lbfgs. (ml-logistic-regression
// 2.0.0 is one-vs-rest gradient descent without an intercept or a penalty: a different model.)

export interface LogisticModel {
  readonly name: 'MultinomialLogisticRegression'
  readonly classes: number
  /** One row of weights per fitted class (class 1 only for two classes; class 0's logit is then 0). */
  readonly weights: number[][]
  readonly intercepts: number[]
}

export interface LogisticOptions {
  /** Inverse penalty strength, as scikit-learn's `C`; default 1. */
  readonly c?: number | undefined
  /** L-BFGS iterations at most; default 1,000. */
  readonly maxIterations?: number | undefined
  /** First step tried by each line search; default 1. */
  readonly learningRate?: number | undefined
  /** Stop when no gradient component is larger; default 1e-6. */
  readonly tolerance?: number | undefined
}

const MEMORY = 10

/** Logits per class of one row (0 for class 0 of a binary model). */
function computeLogits(
  model: Pick<LogisticModel, 'classes' | 'weights' | 'intercepts'>,
  row: readonly number[],
): number[] {
  const fitted = model.weights.map((w, k) =>
    row.reduce((sum, x, j) => sum + x * (w[j] as number), model.intercepts[k] as number),
  )
  return model.classes === 2 ? [0, fitted[0] as number] : fitted
}

function softmax(logits: number[]): number[] {
  const top = Math.max(...logits)
  const e = logits.map((z) => Math.exp(z - top))
  const total = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / total)
}

/** Class probabilities of one row. */
export function logisticProbabilities(model: LogisticModel, row: readonly number[]): number[] {
  return softmax(computeLogits(model, row))
}

const dot = (a: Float64Array, b: Float64Array): number => a.reduce((sum, v, i) => sum + v * (b[i] as number), 0)

/**
 * Fits on rows (ideally standardized) and class indices 0..classes-1. The minimised objective is
 * scikit-learn's divided by the row count: mean cross-entropy + ||W||² / (2 C n).
 */
export function fitLogistic(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  classes: number,
  options: LogisticOptions = {},
): LogisticModel {
  const n = Math.max(rows.length, 1)
  const width = rows[0]?.length ?? 0
  const fitted = classes === 2 ? 1 : classes
  const stride = width + 1
  const penalty = 1 / ((options.c ?? 1) * n)
  const unpack = (theta: Float64Array) => ({
    classes,
    weights: Array.from({ length: fitted }, (_, k) => Array.from(theta.subarray(k * stride, k * stride + width))),
    intercepts: Array.from({ length: fitted }, (_, k) => theta[k * stride + width] as number),
  })
  const evaluate = (theta: Float64Array): { loss: number; gradient: Float64Array } => {
    const model = unpack(theta)
    const gradient = new Float64Array(theta.length)
    let loss = 0
    rows.forEach((row, i) => {
      const p = softmax(computeLogits(model, row))
      const label = labels[i] as number
      loss -= Math.log(Math.max(p[label] as number, 1e-300))
      for (let k = 0; k < fitted; k += 1) {
        const cls = classes === 2 ? 1 : k
        const error = ((p[cls] as number) - (label === cls ? 1 : 0)) / n
        for (let j = 0; j < width; j += 1)
          gradient[k * stride + j] = (gradient[k * stride + j] as number) + error * (row[j] as number)
        gradient[k * stride + width] = (gradient[k * stride + width] as number) + error
      }
    })
    loss /= n
    for (let k = 0; k < fitted; k += 1) {
      for (let j = 0; j < width; j += 1) {
        const w = theta[k * stride + j] as number
        loss += (penalty * w * w) / 2
        gradient[k * stride + j] = (gradient[k * stride + j] as number) + penalty * w
      }
    }
    return { loss, gradient }
  }
  const theta = minimize(evaluate, new Float64Array(fitted * stride), options)
  return { name: 'MultinomialLogisticRegression', ...unpack(theta) }
}

/** L-BFGS with a backtracking (Armijo) line search. */
function minimize(
  evaluate: (theta: Float64Array) => { loss: number; gradient: Float64Array },
  start: Float64Array,
  options: LogisticOptions,
): Float64Array {
  const tolerance = options.tolerance ?? 1e-6
  const firstStep = options.learningRate ?? 1
  let theta = start
  let { loss, gradient } = evaluate(theta)
  const steps: { s: Float64Array; y: Float64Array; rho: number }[] = []
  for (let iteration = 0; iteration < (options.maxIterations ?? 1000); iteration += 1) {
    if (gradient.every((g) => Math.abs(g) <= tolerance)) break
    // Two-loop recursion: direction = -H·g.
    const q = Float64Array.from(gradient)
    const alphas: number[] = []
    for (let m = steps.length - 1; m >= 0; m -= 1) {
      const { s, y, rho } = steps[m] as (typeof steps)[number]
      const alpha = rho * dot(s, q)
      alphas[m] = alpha
      q.forEach((v, i) => (q[i] = v - alpha * (y[i] as number)))
    }
    const last = steps.at(-1)
    const scale =
      last === undefined
        ? 1 / Math.max(Math.sqrt(dot(gradient, gradient)), 1)
        : dot(last.s, last.y) / dot(last.y, last.y)
    q.forEach((v, i) => (q[i] = v * scale))
    for (let m = 0; m < steps.length; m += 1) {
      const { s, y, rho } = steps[m] as (typeof steps)[number]
      const beta = rho * dot(y, q)
      q.forEach((v, i) => (q[i] = v + (s[i] as number) * ((alphas[m] as number) - beta)))
    }
    const direction = q.map((v) => -v)
    let slope = dot(direction, gradient)
    if (slope >= 0) {
      // Not a descent direction (curvature lost): restart from steepest descent.
      steps.length = 0
      direction.forEach((_, i) => (direction[i] = -(gradient[i] as number)))
      slope = dot(direction, gradient)
    }
    let step = firstStep
    let next = theta.map((v, i) => v + step * (direction[i] as number))
    let trial = evaluate(next)
    while (trial.loss > loss + 1e-4 * step * slope && step > 1e-12) {
      step /= 2
      next = theta.map((v, i) => v + step * (direction[i] as number))
      trial = evaluate(next)
    }
    const s = next.map((v, i) => v - (theta[i] as number))
    const y = trial.gradient.map((v, i) => v - (gradient[i] as number))
    const sy = dot(s, y)
    if (sy > 1e-12) {
      steps.push({ s, y, rho: 1 / sy })
      if (steps.length > MEMORY) steps.shift()
    }
    const improvement = loss - trial.loss
    theta = next
    loss = trial.loss
    gradient = trial.gradient
    if (step <= 1e-12 || improvement <= 0) break
  }
  return theta
}
