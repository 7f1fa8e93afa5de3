import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { AppError } from '../../errors.js'
import { cleanSegment, computeHrv, continuousSegments, hrvAccumulator, segmentCleaner } from './hrv.js'

const clean = (extra: { correctedBeats?: number; segments?: number } = {}) => ({
  correctedBeats: 0,
  segments: 1,
  ...extra,
})

describe('HRV figures', () => {
  test('a small known series, computed by hand', () => {
    // [800, 810, 790, 860, 800]
    // successive differences 10, -20, 70, -60; squares 100 + 400 + 4900 + 3600 = 9000
    //   RMSSD = sqrt(9000 / 4) = sqrt(2250) = 47.434 -> 47.43
    //   pNN50: |70| and |60| are above 50 -> 2 of 4 = 50 %
    // mean 4060 / 5 = 812; deviations -12, -2, -22, 48, -12; squares 144 + 4 + 484 + 2304 + 144 = 3080
    //   SDNN = sqrt(3080 / (5 - 1)) = sqrt(770) = 27.749 -> 27.75
    assert.deepEqual(computeHrv([[800, 810, 790, 860, 800]]), {
      intervalCount: 5,
      ...clean(),
      rmssdMs: 47.43,
      sdnnMs: 27.75,
      pnn50: 50,
    })
  })

  test('two intervals are enough; a difference of exactly 50 ms is not counted by pNN50', () => {
    // [800, 900]: difference 100 -> RMSSD 100, pNN50 100; mean 850, SDNN = sqrt((50² + 50²) / 1) = 70.711 -> 70.71
    assert.deepEqual(computeHrv([[800, 900]]), {
      intervalCount: 2,
      ...clean(),
      rmssdMs: 100,
      sdnnMs: 70.71,
      pnn50: 100,
    })
    // [800, 850, 800]: differences 50, -50 -> RMSSD 50, pNN50 0;
    // mean 816.67, SDNN = sqrt((16.67² + 33.33² + 16.67²) / 2) = sqrt(833.33) = 28.868 -> 28.87
    assert.deepEqual(computeHrv([[800, 850, 800]]), {
      intervalCount: 3,
      ...clean(),
      rmssdMs: 50,
      sdnnMs: 28.87,
      pnn50: 0,
    })
  })

  test('fewer than two intervals give null figures', () => {
    assert.deepEqual(computeHrv([]), {
      intervalCount: 0,
      ...clean({ segments: 0 }),
      rmssdMs: null,
      sdnnMs: null,
      pnn50: null,
    })
    assert.deepEqual(computeHrv([[812]]), { intervalCount: 1, ...clean(), rmssdMs: null, sdnnMs: null, pnn50: null })
  })

  test('one missed beat (1610 ms = two beats of 805) is split, not differenced raw', () => {
    // The recording: [812,798,805,820], [1610,801,795], [810,806,799]. Raw, it gives RMSSD
    // 377 ms, SDNN 255 ms, pNN50 22 %. Corrected: 812 798 805 820 805 805 801 795 810 806 799;
    // differences -14 7 15 -15 0 -4 -6 15 -4 -7 (squares sum 1037) -> RMSSD sqrt(103.7) = 10.18;
    // mean 8856 / 11 = 805.09, squared deviations sum 500.9 -> SDNN sqrt(50.09) = 7.08; pNN50 0.
    const segment = [812, 798, 805, 820, 1610, 801, 795, 810, 806, 799]
    assert.deepEqual(computeHrv([segment]), {
      intervalCount: 11,
      correctedBeats: 1,
      segments: 1,
      rmssdMs: 10.18,
      sdnnMs: 7.08,
      pnn50: 0,
    })
  })

  test('an extra (false) beat splitting one interval in two is merged back', () => {
    // 300 + 500 = 800 is one beat: the NN series is 800 810 800 805 790.
    const result = computeHrv([[800, 810, 300, 500, 805, 790]])
    assert.deepEqual([result.intervalCount, result.correctedBeats], [5, 1])
    // differences 10 -10 5 -15 -> RMSSD sqrt(450 / 4) = 10.61
    assert.equal(result.rmssdMs, 10.61)
  })

  test('an ectopic beat and its pause are left out, with no difference taken across them', () => {
    const cleaned = cleanSegment([800, 810, 500, 1100, 805, 790])
    assert.deepEqual(cleaned, { intervals: [800, 810, null, 805, 790], correctedBeats: 2 })
    // differences 10 and -15 only -> RMSSD sqrt(325 / 2) = 12.75
    assert.equal(computeHrv([[800, 810, 500, 1100, 805, 790]]).rmssdMs, 12.75)
  })

  test('a sudden lasting change of rate invents no beats: after five intervals in a row the reference follows it', () => {
    // 120 bpm for 300 beats, then 63 bpm. Each 950 is about twice the 500 reference, so the first
    // ones are read as missed beats and split; split beats no longer pull the reference down (they
    // did, and every later interval was split again, into more and more beats), and after five
    // intervals in a row that were not accepted as they are the reference starts again from them.
    const segment = [...Array.from({ length: 300 }, () => 500), ...Array.from({ length: 300 }, () => 950)]
    const cleaned = cleanSegment(segment)
    assert.equal(cleaned.correctedBeats, 5)
    assert.deepEqual(new Set(cleaned.intervals.slice(0, 300)), new Set([500]))
    assert.deepEqual(cleaned.intervals.slice(300, 310), [475, 475, 475, 475, 475, 475, 475, 475, 475, 475])
    assert.deepEqual(new Set(cleaned.intervals.slice(310)), new Set([950]))
    assert.equal(cleaned.intervals.length, 605)
  })

  test('a rate that keeps changing fast gives gaps, never more beats than were recorded', () => {
    // One interval a second, the rate rising 7 bpm a beat from 60 to 120 and starting again.
    const segment = Array.from({ length: 6000 }, (_, i) => Math.round(60_000 / (60 + ((i * 7) % 61))))
    const result = computeHrv([segment])
    assert.ok(result.intervalCount <= segment.length, `${result.intervalCount} NN intervals from ${segment.length}`)
  })

  test('an artefact at the very start is judged against the median of the segment start', () => {
    assert.deepEqual(cleanSegment([1600, 800, 810, 805]).intervals, [800, 800, 800, 810, 805])
  })

  test('differences never cross from one segment to the next', () => {
    // [800, 900] and [700, 760]: differences 100 and 60 only (not 900 -> 700).
    const result = computeHrv([
      [800, 900],
      [700, 760],
    ])
    assert.deepEqual([result.segments, result.rmssdMs, result.pnn50], [2, 82.46, 100])
  })

  test('large values next to a small spread keep their precision (two-pass mean)', () => {
    const offset = 1e9
    const result = computeHrv([[800, 810, 790, 860, 800].map((v) => v + offset)])
    assert.deepEqual([result.rmssdMs, result.sdnnMs, result.pnn50], [47.43, 27.75, 50])
  })

  test('a million intervals', () => {
    // Alternating 800, 900: every difference is ±100 -> RMSSD 100, pNN50 100;
    // mean 850, SDNN = sqrt(1e6 * 50² / (1e6 - 1)) = 50.000025 -> 50
    const values = Array.from({ length: 1_000_000 }, (_, i) => (i % 2 === 0 ? 800 : 900))
    assert.deepEqual(computeHrv([values]), {
      intervalCount: 1_000_000,
      ...clean(),
      rmssdMs: 100,
      sdnnMs: 50,
      pnn50: 100,
    })
  })

  test('a long recording is cleaned in a bounded window, artefacts across the window edges included', () => {
    // 3,000 intervals of 800 with an extra beat (300 + 500) astride each cleaning chunk's edge
    // (positions 1023/1024 and 2047/2048) and a missed beat (1600) at 1500: two merges and a split.
    const values = Array.from({ length: 3000 }, () => 800)
    values.splice(1023, 2, 300, 500)
    values.splice(2047, 2, 300, 500)
    values[1500] = 1600
    assert.deepEqual(computeHrv([values]), {
      intervalCount: 2999,
      correctedBeats: 3,
      segments: 1,
      rmssdMs: 0,
      sdnnMs: 0,
      pnn50: 0,
    })
    let held = 0
    const cleaner = segmentCleaner({ nn: () => (held += 1), gap: () => assert.fail('no beat is left out') })
    for (const [i, value] of values.entries()) {
      cleaner.add(value)
      // What the cleaner has handed on trails what it was given by less than its window (1,024).
      assert.ok(i + 1 - held < 1024 + 2, `at ${i} it held ${i + 1 - held}`)
    }
    assert.equal(cleaner.end(), 3)
  })

  test('intervals fed one by one give what whole segments give', () => {
    const segments = [
      [812, 798, 805, 820, 1610, 801, 795],
      [810, 300, 500, 806, 799],
      [800, 810, 500, 1100, 805, 790],
    ]
    const streamed = hrvAccumulator()
    for (const segment of segments) {
      for (const value of segment) streamed.addInterval(value)
      streamed.endSegment()
    }
    assert.deepEqual(streamed.result(), computeHrv(segments))
  })

  test('non-positive or non-finite intervals throw invalid_argument', () => {
    for (const bad of [0, -800, Number.NaN, Infinity]) {
      assert.throws(
        () => computeHrv([[800, bad]]),
        (error: unknown) => error instanceof AppError && error.code === 'invalid_argument',
      )
    }
  })
})

describe('continuity of a recording', () => {
  test('samples whose intervals cover the time between them make one segment', () => {
    const t0 = Date.UTC(2026, 10, 23, 10)
    const samples = [
      { ts: t0, rrIntervalsMs: [812, 798, 805, 820] },
      { ts: t0 + 3000, rrIntervalsMs: [1610, 801, 795] },
      { ts: t0 + 6000, rrIntervalsMs: [810, 806, 799] },
    ]
    assert.deepEqual(continuousSegments(samples), [[812, 798, 805, 820, 1610, 801, 795, 810, 806, 799]])
  })

  test('a pause longer than the intervals cover, or a sample without intervals, starts a new segment', () => {
    const t0 = Date.UTC(2026, 10, 23, 10)
    const samples = [
      { ts: t0, rrIntervalsMs: [800, 810] },
      { ts: t0 + 60_000, rrIntervalsMs: [790, 800] }, // a minute later, 1.6 s of beats: a gap
      { ts: t0 + 61_000, rrIntervalsMs: null },
      { ts: t0 + 62_000, rrIntervalsMs: [805] },
      { ts: t0 + 63_000, rrIntervalsMs: [795] },
    ]
    assert.deepEqual(continuousSegments(samples), [
      [800, 810],
      [790, 800],
      [805, 795],
    ])
  })
})
