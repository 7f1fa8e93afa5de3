import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AppError } from '../../errors.js'
import { computeHrv } from './hrv.js'

test('a small known series, computed by hand', () => {
  // [800, 810, 790, 860, 800]
  // successive differences 10, -20, 70, -60; squares 100 + 400 + 4900 + 3600 = 9000
  //   RMSSD = sqrt(9000 / 4) = sqrt(2250) = 47.434 -> 47.43
  //   pNN50: |70| and |60| are above 50 -> 2 of 4 = 50 %
  // mean 4060 / 5 = 812; deviations -12, -2, -22, 48, -12; squares 144 + 4 + 484 + 2304 + 144 = 3080
  //   SDNN = sqrt(3080 / (5 - 1)) = sqrt(770) = 27.749 -> 27.75
  assert.deepEqual(computeHrv([800, 810, 790, 860, 800]), { intervalCount: 5, rmssdMs: 47.43, sdnnMs: 27.75, pnn50: 50 })
})

test('two intervals are enough; a difference of exactly 50 ms is not counted by pNN50', () => {
  // [800, 900]: difference 100 -> RMSSD 100, pNN50 100; mean 850, SDNN = sqrt((50² + 50²) / 1) = 70.711 -> 70.71
  assert.deepEqual(computeHrv([800, 900]), { intervalCount: 2, rmssdMs: 100, sdnnMs: 70.71, pnn50: 100 })
  // [800, 850, 800]: differences 50, -50 -> RMSSD 50, pNN50 0;
  // mean 816.67, SDNN = sqrt((16.67² + 33.33² + 16.67²) / 2) = sqrt(833.33) = 28.868 -> 28.87
  assert.deepEqual(computeHrv([800, 850, 800]), { intervalCount: 3, rmssdMs: 50, sdnnMs: 28.87, pnn50: 0 })
})

test('fewer than two intervals give null figures', () => {
  assert.deepEqual(computeHrv([]), { intervalCount: 0, rmssdMs: null, sdnnMs: null, pnn50: null })
  assert.deepEqual(computeHrv([812]), { intervalCount: 1, rmssdMs: null, sdnnMs: null, pnn50: null })
})

test('large values next to a small spread keep their precision (two-pass mean)', () => {
  // The same spread as the hand-computed series; summing raw squares (~1e18) would lose it.
  const offset = 1e9
  const result = computeHrv([800, 810, 790, 860, 800].map((v) => v + offset))
  assert.deepEqual(result, { intervalCount: 5, rmssdMs: 47.43, sdnnMs: 27.75, pnn50: 50 })
})

test('a million intervals', () => {
  // Alternating 800, 900: every difference is ±100 -> RMSSD 100, pNN50 100;
  // mean 850, SDNN = sqrt(1e6 * 50² / (1e6 - 1)) = 50.000025 -> 50
  const values = Array.from({ length: 1_000_000 }, (_, i) => (i % 2 === 0 ? 800 : 900))
  assert.deepEqual(computeHrv(values), { intervalCount: 1_000_000, rmssdMs: 100, sdnnMs: 50, pnn50: 100 })
})

test('non-positive or non-finite intervals throw invalid_argument', () => {
  for (const bad of [0, -800, Number.NaN, Infinity]) {
    assert.throws(
      () => computeHrv([800, bad]),
      (error: unknown) => error instanceof AppError && error.code === 'invalid_argument',
    )
  }
})
