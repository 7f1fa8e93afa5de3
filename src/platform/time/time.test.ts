import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { checkDateTime, parseDateTime, parseInstant } from './date-time.js'
import { instantOfWallClock, localBoundaries, resolveTimeZone, startOfLocal, type TimeZone } from './time-zone.js'

const HOUR = 3_600_000
const zone = (name: string): TimeZone => {
  const resolved = resolveTimeZone(name)
  assert.ok(resolved, name)
  return resolved
}

describe('RFC 3339 date-times', () => {
  const cases: Array<[string, number | undefined]> = [
    ['2026-11-23T10:00:00Z', Date.UTC(2026, 10, 23, 10)],
    ['2026-11-23t10:00:00z', Date.UTC(2026, 10, 23, 10)],
    ['2026-11-23 10:00:00Z', Date.UTC(2026, 10, 23, 10)],
    ['2026-11-23T10:00:00.123456789+05:45', Date.UTC(2026, 10, 23, 4, 15, 0, 123)],
    ['2026-11-23T10:00:00-08:00', Date.UTC(2026, 10, 23, 18)],
    ['2024-02-29T10:00:00Z', Date.UTC(2024, 1, 29, 10)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['2026-02-29T10:00:00Z', undefined], // not a leap year: no rolling over into 1 March
    ['1900-02-29T10:00:00Z', undefined],
    ['2026-04-31T10:00:00Z', undefined],
    ['2026-13-01T10:00:00Z', undefined],
    ['2026-00-01T10:00:00Z', undefined],
    ['2026-11-23T24:00:00Z', undefined],
    ['2026-11-23T10:60:00Z', undefined],
    ['2026-12-31T23:59:60Z', undefined], // a leap second cannot be held in epoch ms
    ['2026-11-23T10:00Z', undefined], // RFC 3339 requires seconds
    ['2026-11-23T10:00:00', undefined], // no zone: not an instant
    ['2026-11-23T10:00:00+24:00', undefined],
    ['2026-11-23T10:00:00+0100', undefined],
    ['2026-11-23', undefined],
    ['yesterday', undefined],
    [' 2026-11-23T10:00:00Z', undefined],
  ]
  for (const [text, expected] of cases) {
    test(`${JSON.stringify(text)} -> ${expected === undefined ? 'refused' : new Date(expected).toISOString()}`, () => {
      assert.equal(parseDateTime(text), expected)
    })
  }

  test('a zone-less local time keeps its wall clock and says it has no zone', () => {
    const check = checkDateTime('2026-11-30T15:09:00.000')
    assert.deepEqual(check, { ok: true, parts: { wallMs: Date.UTC(2026, 10, 30, 15, 9), offsetMinutes: undefined } })
  })

  test('the problem names what is wrong', () => {
    assert.deepEqual(checkDateTime('2026-02-29T10:00:00Z'), {
      ok: false,
      problem: 'names 2026-02-29, a day that does not exist',
    })
  })

  test('instants: date-times with a zone, or whole non-negative epoch milliseconds', () => {
    assert.equal(parseInstant(1_795_428_000_000), 1_795_428_000_000)
    assert.equal(parseInstant('1795428000000'), 1_795_428_000_000)
    assert.equal(parseInstant(1.5), undefined)
    assert.equal(parseInstant(-1), undefined)
    assert.equal(parseInstant(Number.NaN), undefined)
    assert.equal(parseInstant('12e5'), undefined)
    assert.equal(parseInstant(null), undefined)
    assert.equal(parseInstant('2026-02-29T10:00:00Z'), undefined)
  })
})

describe('time zones', () => {
  test('IANA names, UTC and fixed offsets in quarter hours resolve; anything else does not', () => {
    assert.equal(zone('Asia/Kolkata').offsetAt(Date.UTC(2026, 5, 1)), 5.5 * HOUR)
    assert.equal(zone('Asia/Kathmandu').offsetAt(Date.UTC(2026, 5, 1)), 5.75 * HOUR)
    assert.equal(zone('+05:45').offsetAt(0), 5.75 * HOUR)
    assert.equal(zone('-09:30').fixedOffsetMs, -9.5 * HOUR)
    assert.equal(zone('UTC').fixedOffsetMs, 0)
    assert.equal(zone('America/Los_Angeles').offsetAt(Date.UTC(2026, 0, 15)), -8 * HOUR)
    assert.equal(zone('America/Los_Angeles').offsetAt(Date.UTC(2026, 6, 15)), -7 * HOUR)
    for (const bad of ['Mars/Olympus_Mons', '+05:07', '+15:00', '', '../etc/passwd', 'UTC; drop table'])
      assert.equal(resolveTimeZone(bad), undefined, bad)
  })

  test('a wall-clock time DST skips moves forward; one it repeats is its first occurrence', () => {
    const la = zone('America/Los_Angeles')
    // 2026-03-08 02:30 does not exist in Los Angeles; 2026-11-01 01:30 happens twice.
    assert.equal(instantOfWallClock(Date.UTC(2026, 2, 8, 2, 30), la), Date.UTC(2026, 2, 8, 10, 30))
    assert.equal(instantOfWallClock(Date.UTC(2026, 10, 1, 1, 30), la), Date.UTC(2026, 10, 1, 8, 30))
    assert.equal(instantOfWallClock(Date.UTC(2026, 10, 1, 12), zone('Asia/Kathmandu')), Date.UTC(2026, 10, 1, 6, 15))
  })

  test('local days are 23 and 25 hours long at the DST changes', () => {
    const la = zone('America/Los_Angeles')
    const days = localBoundaries(Date.UTC(2026, 2, 7, 12), Date.UTC(2026, 2, 10), 'day', la, 10)
    assert.deepEqual(
      days.map((d) => new Date(d).toISOString()),
      ['2026-03-07T08:00:00.000Z', '2026-03-08T08:00:00.000Z', '2026-03-09T07:00:00.000Z'],
    )
    assert.equal(((days[2] as number) - (days[1] as number)) / HOUR, 23)
    const autumn = localBoundaries(Date.UTC(2026, 10, 1, 7), Date.UTC(2026, 10, 2, 9), 'day', la, 10)
    assert.equal(((autumn[1] as number) - (autumn[0] as number)) / HOUR, 25)
  })

  test('local hours: the repeated hour counts twice, the skipped one not at all, quarter-hour zones start at :15', () => {
    const la = zone('America/Los_Angeles')
    const autumn = localBoundaries(Date.UTC(2026, 10, 1, 7), Date.UTC(2026, 10, 1, 12), 'hour', la, 10)
    assert.deepEqual(
      autumn.map((h) => new Date(h).toISOString().slice(11, 16)),
      ['07:00', '08:00', '09:00', '10:00', '11:00'],
    )
    const spring = localBoundaries(Date.UTC(2026, 2, 8, 8), Date.UTC(2026, 2, 8, 8) + 24 * HOUR, 'hour', la, 30)
    assert.equal(spring.length, 24)
    assert.equal(localBoundaries(Date.UTC(2026, 2, 9, 7), Date.UTC(2026, 2, 10, 7), 'hour', la, 30).length, 24)
    const kathmandu = localBoundaries(
      Date.UTC(2026, 5, 1, 0),
      Date.UTC(2026, 5, 1, 3),
      'hour',
      zone('Asia/Kathmandu'),
      10,
    )
    assert.deepEqual(
      kathmandu.map((h) => new Date(h).toISOString().slice(11, 16)),
      ['23:15', '00:15', '01:15', '02:15'],
    )
    // Lord Howe moves its clocks by 30 minutes: an hour start still falls on a whole local hour.
    const lordHowe = zone('Australia/Lord_Howe')
    const hours = localBoundaries(Date.UTC(2026, 3, 4, 13), Date.UTC(2026, 3, 4, 18), 'hour', lordHowe, 10)
    for (const h of hours) assert.equal((h + lordHowe.offsetAt(h)) % HOUR, 0)
  })

  test('the start of the local day holding an instant', () => {
    assert.equal(startOfLocal(Date.UTC(2026, 10, 2, 4), 'day', zone('America/Los_Angeles')), Date.UTC(2026, 10, 1, 7))
    assert.equal(startOfLocal(Date.UTC(2026, 10, 2, 4), 'day', zone('Asia/Kolkata')), Date.UTC(2026, 10, 1, 18, 30))
  })
})
