import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { fitLogistic, logisticProbabilities } from './logistic-regression.js'

// Overlapping classes (not separable), so the penalised optimum is finite and its gradient checkable.
function dataset(classes: number, count: number) {
  let seed = 7
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1
  const labels = Array.from({ length: count }, (_, i) => i % classes)
  const rows = labels.map((label) => [label * 0.8 + random() * 1.5, (label === 1 ? 1 : -0.5) + random() * 2, random()])
  return { rows, labels }
}

/** The gradient of scikit-learn's objective C·Σ cross-entropy + ½‖W‖² (intercepts unpenalised) at the fitted model. */
function objectiveGradient(rows: number[][], labels: number[], classes: number, c: number) {
  const model = fitLogistic(rows, labels, classes, { c })
  const fitted = model.weights.length
  const weights = model.weights.map((w) => w.map((v) => v))
  const intercepts = model.intercepts.map(() => 0)
  rows.forEach((row, i) => {
    const p = logisticProbabilities(model, row)
    for (let k = 0; k < fitted; k += 1) {
      const cls = classes === 2 ? 1 : k
      const error = c * ((p[cls] as number) - (labels[i] === cls ? 1 : 0))
      row.forEach((x, j) => ((weights[k] as number[])[j] = ((weights[k] as number[])[j] as number) + error * x))
      intercepts[k] = (intercepts[k] as number) + error
    }
  })
  return { model, gradient: [...weights.flat(), ...intercepts] }
}

describe('logistic regression (scikit-learn defaults)', () => {
  test('three classes: multinomial, at the penalised optimum, probabilities summing to 1', () => {
    const { rows, labels } = dataset(3, 150)
    const { model, gradient } = objectiveGradient(rows, labels, 3, 1)
    assert.equal(model.weights.length, 3)
    assert.ok(
      Math.max(...gradient.map(Math.abs)) < 1e-3,
      `largest gradient component ${Math.max(...gradient.map(Math.abs))}`,
    )
    assert.ok(
      model.weights.flat().some((w) => Math.abs(w) > 0.1),
      'the weights moved from zero',
    )
    for (const row of rows.slice(0, 10))
      assert.ok(Math.abs(logisticProbabilities(model, row).reduce((a, b) => a + b, 0) - 1) < 1e-12)
  })

  test('two classes: one sigmoid, at the optimum; a stronger penalty (smaller C) shrinks the weights', () => {
    const { rows, labels } = dataset(2, 120)
    const loose = objectiveGradient(rows, labels, 2, 1)
    const tight = objectiveGradient(rows, labels, 2, 0.01)
    assert.equal(loose.model.weights.length, 1)
    assert.ok(Math.max(...loose.gradient.map(Math.abs)) < 1e-3)
    assert.ok(Math.max(...tight.gradient.map(Math.abs)) < 1e-3)
    const norm = (w: number[][]) => Math.hypot(...w.flat())
    assert.ok(norm(tight.model.weights) < norm(loose.model.weights) / 2)
    const p = logisticProbabilities(loose.model, rows[0] as number[])
    assert.equal(p.length, 2)
  })
})
