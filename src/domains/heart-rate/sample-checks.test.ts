import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { classifyAlert, checkSample, PLAUSIBLE_BPM } from './sample-checks.js'

const NOW = Date.UTC(2026, 10, 23, 12)
const SKEW = 60_000
const THRESHOLDS = { lowAlert: 50, highAlert: 150 }
const T = NOW - 3_600_000

/** Each case: the raw sample, then its reason, or `stored` with the alert the thresholds give. */
const CASES: Array<[string, unknown, string]> = [
  ['an ordinary sample', { timestamp: T, bpm: 72 }, 'stored'],
  ['RFC 3339 with Z', { timestamp: '2026-11-23T10:00:00Z', bpm: 72 }, 'stored'],
  ['RFC 3339 with an offset', { timestamp: '2026-11-23T15:45:00+05:45', bpm: 72 }, 'stored'],
  ['epoch milliseconds as a string', { timestamp: String(T), bpm: 72 }, 'stored'],
  ['RR intervals at the limits', { timestamp: T, bpm: 72, rrIntervalsMs: [200, 3000] }, 'stored'],
  ['the lowest plausible bpm is stored, with LOW', { timestamp: T, bpm: PLAUSIBLE_BPM.min }, 'stored:LOW'],
  ['an athlete at 38 bpm is stored, with LOW', { timestamp: T, bpm: 38 }, 'stored:LOW'],
  ['197 bpm in a sprint is stored, with HIGH', { timestamp: T, bpm: 197 }, 'stored:HIGH'],
  ['the highest plausible bpm is stored', { timestamp: T, bpm: PLAUSIBLE_BPM.max }, 'stored:HIGH'],
  ['a fractional bpm', { timestamp: T, bpm: 72.5 }, 'stored'],
  ['not an object', 'fast', 'sample_invalid'],
  ['an array', [T, 72], 'sample_invalid'],
  ['null', null, 'sample_invalid'],
  ['no bpm', { timestamp: T }, 'bpm_not_a_number'],
  ['bpm as a string', { timestamp: T, bpm: '72' }, 'bpm_not_a_number'],
  ['bpm NaN', { timestamp: T, bpm: Number.NaN }, 'bpm_not_a_number'],
  ['bpm infinite', { timestamp: T, bpm: Infinity }, 'bpm_not_a_number'],
  ['the sensor sentinel 0', { timestamp: T, bpm: 0 }, 'bpm_out_of_range'],
  ['the sensor sentinel 255', { timestamp: T, bpm: 255 }, 'bpm_out_of_range'],
  ['just under the plausible range', { timestamp: T, bpm: 19.9 }, 'bpm_out_of_range'],
  ['just over the plausible range', { timestamp: T, bpm: 250.1 }, 'bpm_out_of_range'],
  ['negative', { timestamp: T, bpm: -5 }, 'bpm_out_of_range'],
  ['bpm is checked before the timestamp', { timestamp: 'nonsense', bpm: 300 }, 'bpm_out_of_range'],
  ['no timestamp', { bpm: 72 }, 'timestamp_invalid'],
  ['a day that does not exist', { timestamp: '2026-02-29T10:00:00Z', bpm: 72 }, 'timestamp_invalid'],
  ['no zone', { timestamp: '2026-11-23T10:00:00', bpm: 72 }, 'timestamp_invalid'],
  ['no seconds', { timestamp: '2026-11-23T10:00Z', bpm: 72 }, 'timestamp_invalid'],
  ['a date only', { timestamp: '2026-11-23', bpm: 72 }, 'timestamp_invalid'],
  ['a fractional epoch', { timestamp: T + 0.5, bpm: 72 }, 'timestamp_invalid'],
  ['words', { timestamp: 'yesterday', bpm: 72 }, 'timestamp_invalid'],
  ['before 2000 (seconds sent as milliseconds)', { timestamp: 1_795_428_000, bpm: 72 }, 'timestamp_before_2000'],
  ['1999', { timestamp: '1999-12-31T23:59:59Z', bpm: 72 }, 'timestamp_before_2000'],
  ['just within the clock skew', { timestamp: NOW + SKEW, bpm: 72 }, 'stored'],
  ['beyond the clock skew', { timestamp: NOW + SKEW + 1, bpm: 72 }, 'timestamp_in_future'],
  ['RR intervals not a list', { timestamp: T, bpm: 72, rrIntervalsMs: 800 }, 'rr_intervals_invalid'],
  ['an RR interval too short', { timestamp: T, bpm: 72, rrIntervalsMs: [800, 199] }, 'rr_intervals_invalid'],
  ['an RR interval too long', { timestamp: T, bpm: 72, rrIntervalsMs: [3001] }, 'rr_intervals_invalid'],
  ['an RR interval not a number', { timestamp: T, bpm: 72, rrIntervalsMs: ['800'] }, 'rr_intervals_invalid'],
  [
    'too many RR intervals',
    { timestamp: T, bpm: 72, rrIntervalsMs: Array.from({ length: 301 }, () => 800) },
    'rr_intervals_invalid',
  ],
]

describe('sample checks', () => {
  for (const [name, raw, expected] of CASES) {
    test(`${name}: ${expected}`, () => {
      const check = checkSample(raw, THRESHOLDS, NOW, SKEW)
      const outcome = check.ok
        ? `stored${check.sample.alert === null ? '' : `:${check.sample.alert}`}`
        : check.rejection.reason
      assert.equal(outcome, expected)
      if (!check.ok) assert.ok(check.rejection.message.length > 15, check.rejection.message)
    })
  }

  test('a stored sample carries its instant, bpm and intervals', () => {
    const check = checkSample(
      { timestamp: '2026-11-23T15:45:00+05:45', bpm: 72, rrIntervalsMs: [830, 842] },
      THRESHOLDS,
      NOW,
      SKEW,
    )
    assert.deepEqual(check, {
      ok: true,
      sample: { ts: Date.UTC(2026, 10, 23, 10), bpm: 72, rrIntervalsMs: [830, 842], alert: null },
    })
  })

  test('alerts come from the thresholds, exclusive at both ends', () => {
    const cases: Array<[number, string | null]> = [
      [49.9, 'LOW'],
      [50, null],
      [150, null],
      [150.1, 'HIGH'],
    ]
    for (const [bpm, alert] of cases) assert.equal(classifyAlert(bpm, THRESHOLDS), alert, `bpm ${bpm}`)
    assert.equal(classifyAlert(45, { lowAlert: 40, highAlert: 180 }), null)
  })
})
