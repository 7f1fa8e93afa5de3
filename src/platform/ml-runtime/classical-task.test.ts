import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isArtifactNeeded } from './artifact-files.js'
import {
  predictClassical,
  type TrainClassicalResult,
  trainClassical,
  type TrainClassicalTask,
} from './classical-task.js'

const QUIET = { progress() {}, isStopRequested: () => false, ask: async () => true }

/** Predictions of the model as saved in the trained artifact (loaded afresh, as an inference thread does). */
function predictSaved(trained: TrainClassicalTask, result: TrainClassicalResult, rows: number[][]): number[] {
  const answer = predictClassical({
    op: 'predict-classical',
    artifact: trained.artifact,
    files: result.files ?? [],
    inputs: Float32Array.from(rows.flat()),
  })
  assert.ok(!isArtifactNeeded(answer))
  return answer.values
}

/** Rows train-then-test, width 2; the last `validationCount` rows are held out. */
function task(
  algorithm: TrainClassicalTask['algorithm'],
  rows: number[][],
  targets: number[],
  validationCount: number,
  options: TrainClassicalTask['options'] = {},
): TrainClassicalTask {
  return {
    op: 'train-classical',
    algorithm,
    options,
    classes: Math.max(...targets) + 1,
    width: 2,
    inputs: Float32Array.from(rows.flat()),
    targets: Float32Array.from(targets),
    validationCount,
    seed: 3,
    artifact: `test/${algorithm}-${rows.length}`,
    meta: null,
  }
}

describe('classical models', () => {
  test('k-NN: vote shares are the probabilities and a tied vote goes to the lowest class, also after loading the saved model', async () => {
    // The query (0, 0) has two class-2 rows nearest and two class-1 rows further out: 2 votes each with k = 4.
    const rows = [
      [1, 0],
      [0, 1],
      [3, 0],
      [0, 3],
      [9, 9],
      [0, 0],
    ]
    const targets = [2, 2, 1, 1, 0, 0]
    const trained = task('knn', rows, targets, 1, { k: 4 })
    const result = await trainClassical(trained, QUIET)
    assert.deepEqual(result.validationOutputs, [0, 0.5, 0.5])
    assert.deepEqual(predictSaved(trained, result, [[0, 0]]), [0, 0.5, 0.5])
  })

  test("random forest: the probabilities are every tree's vote shares and sum to 1", async () => {
    const rows = Array.from({ length: 60 }, (_, i) => [i % 3 === 0 ? i : -i, (i * 7) % 11])
    const targets = rows.map((_, i) => i % 3)
    const result = await trainClassical(task('randomForest', rows, targets, 12, { nEstimators: 7 }), QUIET)
    assert.equal(result.validationOutputs.length, 12 * 3)
    for (let r = 0; r < 12; r += 1) {
      const shares = result.validationOutputs.slice(r * 3, r * 3 + 3)
      assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-9, `row ${r}: ${shares.join(', ')}`)
      for (const share of shares)
        assert.ok(Math.abs(share * 7 - Math.round(share * 7)) < 1e-9, `row ${r}: ${share} is not a count of 7 trees`)
    }
  })

  test('logistic regression: standardized inside the model, the same answers after loading it', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => [1000 + (i % 2) * 50 + (i % 7), (i % 5) / 100])
    const targets = rows.map((_, i) => i % 2)
    const trained = task('logisticRegression', rows, targets, 8)
    const result = await trainClassical(trained, QUIET)
    assert.equal(result.epochs[0]?.valAccuracy, 1)
    predictSaved(trained, result, rows.slice(32)).forEach((v, i) =>
      assert.ok(Math.abs(v - (result.validationOutputs[i] as number)) < 1e-6),
    )
  })
})
