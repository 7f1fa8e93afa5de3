// A run's held-out results, from its outputs: for classification accuracy, the confusion matrix and
// one-vs-rest ROC curves with their AUC per class; for regression R², MAE and MSE; for both the
// per-epoch history and the time to train. Formulas: scikit-learn's `roc_curve` (thresholds at
// each distinct score, intermediate collinear points dropped), `auc` (trapezoids), `r2_score`.
import type { EpochReport } from '../../platform/ml-runtime/ml-tasks.js'
import type { ProblemType } from './model-spec.schema.js'
import type { RunResults } from './playground.schema.js'

/** Points of one ROC curve at most; the curve is thinned evenly beyond it (the AUC is of the full curve). */
const MAX_ROC_POINTS = 200

/** (fpr, tpr) for every distinct score threshold, highest first, starting at (0, 0). */
export function rocCurve(
  scores: readonly number[],
  positives: readonly boolean[],
): { fpr: number[]; tpr: number[]; auc: number } {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0])
  const p = positives.filter(Boolean).length
  const n = positives.length - p
  const fpr = [0]
  const tpr = [0]
  let [tp, fp] = [0, 0]
  order.forEach(([score, i], k) => {
    if (positives[i]) tp += 1
    else fp += 1
    if (k === order.length - 1 || (order[k + 1] as readonly [number, number])[0] !== score) {
      fpr.push(n === 0 ? 0 : fp / n)
      tpr.push(p === 0 ? 0 : tp / p)
    }
  })
  let auc = 0
  for (let k = 1; k < fpr.length; k += 1)
    auc += (((fpr[k] as number) - (fpr[k - 1] as number)) * ((tpr[k] as number) + (tpr[k - 1] as number))) / 2
  return { ...thin(fpr, tpr), auc }
}

/** Drops points on a straight line between their neighbours, then keeps at most MAX_ROC_POINTS (first and last always). */
function thin(fpr: number[], tpr: number[]): { fpr: number[]; tpr: number[] } {
  const keep = fpr.map(
    (_, k) =>
      k === 0 ||
      k === fpr.length - 1 ||
      ((fpr[k] as number) - (fpr[k - 1] as number)) * ((tpr[k + 1] as number) - (tpr[k] as number)) !==
        ((tpr[k] as number) - (tpr[k - 1] as number)) * ((fpr[k + 1] as number) - (fpr[k] as number)),
  )
  let indices = keep.flatMap((isKept, k) => (isKept ? [k] : []))
  if (indices.length > MAX_ROC_POINTS)
    indices = Array.from(
      { length: MAX_ROC_POINTS },
      (_, i) => indices[Math.round((i * (indices.length - 1)) / (MAX_ROC_POINTS - 1))] as number,
    )
  return { fpr: indices.map((k) => fpr[k] as number), tpr: indices.map((k) => tpr[k] as number) }
}

/** Per-class probabilities, rows x classes; a single sigmoid output p becomes [1 - p, p]. */
function probabilityRows(outputs: readonly number[], rows: number, classes: number): number[][] {
  const width = rows === 0 ? classes : outputs.length / rows
  return Array.from({ length: rows }, (_, r) =>
    width === 1 ? [1 - (outputs[r] as number), outputs[r] as number] : outputs.slice(r * width, (r + 1) * width),
  )
}

function classification(outputs: readonly number[], actual: Float32Array, labels: readonly string[]) {
  const classes = labels.length
  const probabilities = probabilityRows(outputs, actual.length, classes)
  const confusion = labels.map(() => new Array<number>(classes).fill(0))
  let correct = 0
  probabilities.forEach((p, r) => {
    const predicted = p.indexOf(Math.max(...p))
    const truth = actual[r] as number
    ;(confusion[truth] as number[])[predicted] = ((confusion[truth] as number[])[predicted] as number) + 1
    if (predicted === truth) correct += 1
  })
  const roc = labels.map((label, c) => ({
    label,
    ...rocCurve(
      probabilities.map((p) => p[c] as number),
      Array.from(actual, (t) => t === c),
    ),
  }))
  return { accuracy: actual.length > 0 ? correct / actual.length : null, confusionMatrix: confusion, roc }
}

function regression(outputs: readonly number[], actual: Float32Array) {
  const n = actual.length
  if (n === 0) return { r2: null, mae: null, mse: null }
  const mean = actual.reduce((a, b) => a + b, 0) / n
  let [abs, squares, total] = [0, 0, 0]
  actual.forEach((y, i) => {
    const error = (outputs[i] as number) - y
    abs += Math.abs(error)
    squares += error * error
    total += (y - mean) ** 2
  })
  return { r2: total === 0 ? null : 1 - squares / total, mae: abs / n, mse: squares / n }
}

/** The stored results of a run (see RunResults). */
export function runResults(
  problemType: ProblemType,
  labels: readonly string[] | null,
  outputs: readonly number[],
  actual: Float32Array,
  epochs: readonly EpochReport[],
  trainingExamples: number,
): RunResults {
  const history = epochs.map((e) => ({
    epoch: e.epoch,
    trainLoss: e.loss,
    testLoss: e.valLoss,
    trainAccuracy: e.accuracy ?? null,
    testAccuracy: e.valAccuracy ?? null,
    seconds: (e as { seconds?: number }).seconds ?? 0,
  }))
  const base = {
    problemType,
    labels: labels === null ? null : [...labels],
    epochs: history,
    trainingExamples,
    testExamples: actual.length,
    trainSeconds: history.reduce((sum, e) => sum + e.seconds, 0),
  }
  if (problemType === 'classification' && labels !== null)
    return { ...base, ...classification(outputs, actual, labels), r2: null, mae: null, mse: null }
  return { ...base, accuracy: null, confusionMatrix: null, roc: null, ...regression(outputs, actual) }
}

/** The seed's `dl_results.csv`: epoch, train_time, train_loss, test_loss[, train_acc, val/test acc]. */
export function resultsCsv(results: RunResults): string {
  const isClassification = results.problemType === 'classification'
  const header = [
    'epoch',
    'train_time',
    'train_loss',
    'test_loss',
    ...(isClassification ? ['train_acc', 'val/test acc'] : []),
  ]
  const cell = (v: number | null) => (v === null ? '' : String(v))
  const lines = results.epochs.map((e) =>
    [e.epoch, e.seconds, e.trainLoss, e.testLoss, ...(isClassification ? [e.trainAccuracy, e.testAccuracy] : [])]
      .map(cell)
      .join(','),
  )
  return `${[header.join(','), ...lines].join('\n')}\n`
}
