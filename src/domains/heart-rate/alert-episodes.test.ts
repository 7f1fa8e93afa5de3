import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type AlertRow, applySamples, compareSamples, type EpisodeSample, reconcileEpisodes } from './alert-episodes.js'

const USER = 'u1'
const CLEAR_AFTER = 3

/** A sample at second `s`: a number is its bpm with the alert the default thresholds (50/150) give. */
function sample(s: number, bpm: number, deviceId = 'd1'): EpisodeSample {
  return { ts: s * 1000, bpm, deviceId, alert: bpm < 50 ? 'LOW' : bpm > 150 ? 'HIGH' : null }
}

/** What an episode says, in seconds: [kind, opened, last alert, closed, count, peak, streak]. */
type Shape = [string, number, number, number | null, number, number, number]
const toShape = (row: AlertRow): Shape => [
  row.kind,
  row.opened_at / 1000,
  row.last_alert_at / 1000,
  row.closed_at === null ? null : row.closed_at / 1000,
  row.sample_count,
  row.peak_bpm,
  row.in_range_streak,
]

function episode(shape: Shape, id = 'stored'): AlertRow {
  const [kind, opened, last, closed, count, peak, streak] = shape
  return {
    id,
    user_id: USER,
    device_id: 'd1',
    kind: kind as 'LOW' | 'HIGH',
    opened_at: opened * 1000,
    last_alert_at: last * 1000,
    closed_at: closed === null ? null : closed * 1000,
    peak_bpm: peak,
    sample_count: count,
    in_range_streak: streak,
    acknowledged_at: null,
    updated_at: 0,
  }
}

interface Case {
  readonly name: string
  readonly open?: Shape
  readonly bpms: Array<[number, number]>
  /** Every episode the samples opened, in order. */
  readonly opened: Shape[]
  /** The open episode given, as it is after the samples (when one was given). */
  readonly given?: Shape
}

const CASES: Case[] = [
  {
    name: 'in-range samples with nothing open change nothing',
    bpms: [
      [0, 70],
      [1, 80],
    ],
    opened: [],
  },
  {
    name: 'a sample above the high threshold opens HIGH',
    bpms: [
      [0, 70],
      [1, 151],
    ],
    opened: [['HIGH', 1, 1, null, 1, 151, 0]],
  },
  { name: 'a sample below the low threshold opens LOW', bpms: [[0, 49]], opened: [['LOW', 0, 0, null, 1, 49, 0]] },
  {
    name: 'thresholds themselves are in range',
    bpms: [
      [0, 150],
      [1, 50],
    ],
    opened: [],
  },
  {
    name: 'more samples of the kind grow the episode: count, peak (highest for HIGH), last alert',
    bpms: [
      [0, 160],
      [1, 175],
      [2, 165],
    ],
    opened: [['HIGH', 0, 2, null, 3, 175, 0]],
  },
  {
    name: 'the LOW peak is the lowest',
    bpms: [
      [0, 45],
      [1, 38],
      [2, 42],
    ],
    opened: [['LOW', 0, 2, null, 3, 38, 0]],
  },
  {
    name: 'fewer than N in-range samples keep it open, counting the streak',
    bpms: [
      [0, 160],
      [1, 100],
      [2, 100],
    ],
    opened: [['HIGH', 0, 0, null, 1, 160, 2]],
  },
  {
    name: 'exactly N in-range samples in a row close it, at the time of the Nth',
    bpms: [
      [0, 160],
      [1, 100],
      [2, 100],
      [3, 100],
    ],
    opened: [['HIGH', 0, 0, 3, 1, 160, 3]],
  },
  {
    name: 'a sample of the kind resets the streak',
    bpms: [
      [0, 160],
      [1, 100],
      [2, 100],
      [3, 155],
      [4, 100],
      [5, 100],
    ],
    opened: [['HIGH', 0, 3, null, 2, 160, 2]],
  },
  {
    name: 'after a reset, N more close it',
    bpms: [
      [0, 160],
      [1, 100],
      [2, 100],
      [3, 155],
      [4, 100],
      [5, 100],
      [6, 100],
    ],
    opened: [['HIGH', 0, 3, 6, 2, 160, 3]],
  },
  {
    name: 'a sample of the other kind closes the episode at its time and opens its own',
    bpms: [
      [0, 160],
      [1, 100],
      [2, 45],
    ],
    opened: [
      ['HIGH', 0, 0, 2, 1, 160, 1],
      ['LOW', 2, 2, null, 1, 45, 0],
    ],
  },
  {
    name: 'after a close, a new crossing opens a new episode',
    bpms: [
      [0, 160],
      [1, 90],
      [2, 90],
      [3, 90],
      [4, 170],
    ],
    opened: [
      ['HIGH', 0, 0, 3, 1, 160, 3],
      ['HIGH', 4, 4, null, 1, 170, 0],
    ],
  },
  {
    name: 'an open episode continues across calls: its streak goes on',
    open: ['HIGH', 0, 0, null, 1, 160, 2],
    bpms: [[5, 100]],
    opened: [],
    given: ['HIGH', 0, 0, 5, 1, 160, 3],
  },
  {
    name: 'an open episode grows across calls',
    open: ['LOW', 0, 0, null, 1, 45, 1],
    bpms: [[5, 40]],
    opened: [],
    given: ['LOW', 0, 5, null, 2, 40, 0],
  },
  {
    name: 'an open episode switches across calls',
    open: ['LOW', 0, 0, null, 1, 45, 0],
    bpms: [[5, 180]],
    opened: [['HIGH', 5, 5, null, 1, 180, 0]],
    given: ['LOW', 0, 0, 5, 1, 45, 0],
  },
]

describe('the alert episode state machine', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const open = c.open === undefined ? undefined : episode(c.open)
      const changes = applySamples(
        USER,
        open,
        c.bpms.map(([s, bpm]) => sample(s, bpm)),
        CLEAR_AFTER,
        99,
      )
      assert.deepEqual(changes.opened.map(toShape), c.opened)
      if (c.given !== undefined) {
        assert.deepEqual(changes.updated.map(toShape), [c.given])
        assert.deepEqual(
          open === undefined ? undefined : toShape(open),
          c.open,
          'the stored row is not changed in place',
        )
      } else {
        assert.deepEqual(changes.updated, [])
      }
    })
  }

  test('a new episode belongs to the user and the device of the sample that opened it', () => {
    const [row] = applySamples(USER, undefined, [sample(0, 160, 'strap')], CLEAR_AFTER, 42).opened
    assert.deepEqual([row?.user_id, row?.device_id, row?.acknowledged_at, row?.updated_at], [USER, 'strap', null, 42])
  })

  test('samples order by time, then by device', () => {
    const sorted = [sample(2, 70, 'b'), sample(1, 70, 'b'), sample(1, 70, 'a')].sort(compareSamples)
    assert.deepEqual(
      sorted.map((s) => [s.ts, s.deviceId]),
      [
        [1000, 'a'],
        [1000, 'b'],
        [2000, 'b'],
      ],
    )
  })
})

describe('reconciling a replay with the stored episodes (backfill)', () => {
  const replay = (bpms: Array<[number, number]>) =>
    applySamples(
      USER,
      undefined,
      bpms.map(([s, bpm]) => sample(s, bpm)),
      CLEAR_AFTER,
      99,
    ).opened

  test('an episode a backfill extends keeps its id and acknowledgement', () => {
    const stored = { ...episode(['HIGH', 10, 10, 13, 1, 160, 3], 'kept'), acknowledged_at: 5 }
    const { inserted, updated, removed } = reconcileEpisodes(
      [stored],
      replay([
        [8, 170],
        [10, 160],
        [11, 90],
        [12, 90],
        [13, 90],
      ]),
    )
    assert.deepEqual([inserted, removed], [[], []])
    assert.deepEqual(
      updated.map((u) => [u.after.id, u.after.acknowledged_at, ...toShape(u.after)]),
      [['kept', 5, 'HIGH', 8, 10, 13, 2, 170, 3]],
    )
  })

  test('an unchanged episode is neither updated nor replaced', () => {
    const stored = episode(['HIGH', 10, 10, 13, 1, 160, 3])
    assert.deepEqual(
      reconcileEpisodes(
        [stored],
        replay([
          [10, 160],
          [11, 90],
          [12, 90],
          [13, 90],
        ]),
      ),
      { inserted: [], updated: [], removed: [] },
    )
  })

  test('late samples that bridge two episodes merge them: the second is removed', () => {
    const first = episode(['HIGH', 0, 0, 3, 1, 160, 3], 'first')
    const second = episode(['HIGH', 4, 4, null, 1, 170, 0], 'second')
    const merged = replay([
      [0, 160],
      [1, 90],
      [2, 90],
      [2.5, 155],
      [3, 90],
      [4, 170],
    ])
    const { inserted, updated, removed } = reconcileEpisodes([first, second], merged)
    assert.deepEqual(inserted, [])
    assert.deepEqual(
      updated.map((u) => [u.after.id, ...toShape(u.after)]),
      [['first', 'HIGH', 0, 4, null, 3, 170, 0]],
    )
    assert.deepEqual(
      removed.map((r) => r.id),
      ['second'],
    )
  })

  test('a backfilled episode with no stored counterpart is inserted', () => {
    const stored = episode(['LOW', 100, 100, null, 1, 45, 0], 'later')
    const { inserted, removed } = reconcileEpisodes(
      [stored],
      replay([
        [0, 160],
        [1, 90],
        [2, 90],
        [3, 90],
        [100, 45],
      ]),
    )
    assert.deepEqual(inserted.map(toShape), [['HIGH', 0, 0, 3, 1, 160, 3]])
    assert.deepEqual(removed, [])
  })
})
