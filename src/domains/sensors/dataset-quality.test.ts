import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { assessQuality, sortLabels } from './dataset-quality.js'
import { labelledCsiFrames } from './synthetic-csi.js'

function makeRows(mode: 'separable' | 'inseparable', perAngle: number, seed = 3) {
  const frames = labelledCsiFrames({ mode, seed, perAngle, startMs: 0, intervalMs: 100 })
  const width = 106
  const values = new Float32Array(frames.length * width)
  frames.forEach((f, i) => values.set([...f.channels.magnitude, ...f.channels.phase], i * width))
  const names = [
    ...Array.from({ length: 53 }, (_, i) => `magnitude_${i}`),
    ...Array.from({ length: 53 }, (_, i) => `phase_${i}`),
  ]
  return { data: { labels: frames.map((f) => f.label), values, width }, names }
}

describe('dataset quality report', () => {
  test('separable synthetic CSI: high Fisher ratios, little overlap, a baseline far above the majority rate', async () => {
    const { data, names } = makeRows('separable', 40)
    const report = await assessQuality(data, names)
    assert.deepEqual(
      report.labels.map((l) => [l.label, l.count]),
      ['0', '15', '30', '45', '60', '75', '90'].map((l) => [l, 40]),
    )
    assert.ok(Math.abs(report.majorityRate - 1 / 7) < 1e-9)
    assert.equal(report.baseline.folds, 5)
    assert.ok(report.baseline.accuracy > 0.9, `accuracy ${report.baseline.accuracy}`)
    assert.equal(report.verdict, 'separable')
    assert.match(report.summary, /^Labels are separable/)
    assert.ok(report.separability.maxFisherRatio > 1, `max Fisher ${report.separability.maxFisherRatio}`)
    assert.ok(report.separability.meanOverlap < 0.8, `overlap ${report.separability.meanOverlap}`)
    assert.equal(report.channels.length, 106)
    assert.deepEqual(Object.keys(report.channels[0]!.byLabel), ['0', '15', '30', '45', '60', '75', '90'])
  })

  test('inseparable synthetic CSI is flagged as indistinguishable from chance', async () => {
    const { data, names } = makeRows('inseparable', 40)
    const report = await assessQuality(data, names)
    assert.equal(
      report.verdict,
      'indistinguishable from chance',
      `accuracy ${report.baseline.accuracy}, majority ${report.majorityRate}`,
    )
    assert.ok(report.separability.meanFisherRatio < 0.1, `mean Fisher ${report.separability.meanFisherRatio}`)
    assert.ok(report.separability.meanOverlap > 0.95, `overlap ${report.separability.meanOverlap}`)
  })

  test('the statistics are the textbook ones on a tiny hand-made set', async () => {
    // Channel 0 separates a from b perfectly; channel 1 is the same for both.
    const values = Float32Array.from([0, 5, 2, 7, 10, 5, 12, 7])
    const report = await assessQuality({ labels: ['a', 'a', 'b', 'b'], values, width: 2 }, ['x', 'y'])
    assert.equal(report.verdict, 'too little data')
    assert.deepEqual(report.channels[0]!.byLabel, { a: { mean: 1, variance: 1 }, b: { mean: 11, variance: 1 } })
    // between = 2*(1-6)^2 + 2*(11-6)^2 = 100; within = 2*1 + 2*1 = 4
    assert.equal(report.channels[0]!.fisherRatio, 25)
    assert.equal(report.channels[1]!.fisherRatio, 0)
    assert.equal(report.channels[1]!.overlap, 1)
  })

  test('labels sort as numbers when they all are numbers', () => {
    assert.deepEqual(sortLabels(['90', '15', '0', '15']), ['0', '15', '90'])
    assert.deepEqual(sortLabels(['open', 'closed']), ['closed', 'open'])
  })
})
