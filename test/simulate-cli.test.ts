import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { runCli } from './helpers/cli.js'

// One training thread: the machine is shared with the rest of the suite.
const run = (args: string[]) => runCli(args, { PULSEBASE_ML_TRAINING_THREADS: '1' })

describe('pulsebase simulate', () => {
  test('trains and recommends for each simulated user through a throw-away server, and reports the score', async () => {
    const { code, output } = await run(['simulate', '--users', '2', '--periods', '40', '--seed', '1000'])
    assert.equal(code, 0, output)
    const lines = output.trim().split('\n')
    assert.equal(lines.length, 3, output)
    for (const [i, line] of lines.slice(0, 2).entries()) {
      assert.match(
        line,
        new RegExp(
          `^seed ${1000 + i}: \\d+ epochs in \\d+ ms, held-out MAE [\\d.]+ bpm \\(persistence [\\d.]+\\); recommends [a-z]+ \\d+ Hz x[\\d.]+, settles at [\\d.]+ bpm vs random median [\\d.]+`,
        ),
      )
    }
    assert.match(lines[2]!, /^recommendation beat the median random configuration for [0-2] of 2 simulated users$/)
  })

  test('refuses bad options with the usage and exit code 2', async () => {
    const { code, output } = await run(['simulate', '--users', '0'])
    assert.equal(code, 2)
    assert.match(output, /usage: pulsebase simulate/)
  })
})

describe('pulsebase simulate --sensors', () => {
  test('records a simulated CSI door, reads the quality report, trains and classifies live', async () => {
    const { code, output } = await run(['simulate', '--sensors', '--per-angle', '20', '--seed', '3'])
    assert.equal(code, 0, output)
    const lines = output.trim().split('\n')
    assert.equal(lines.length, 4, output)
    assert.match(lines[0]!, /^recorded 140 frames at 7 door angles \(separable\): Labels are separable/)
    assert.match(
      lines[2]!,
      /^trained in \d+ ms \(\d+ epochs\): held-out accuracy [\d.]+ % vs majority baseline 14\.3 %/,
    )
    const live = /^live: (\d+) of 20 fresh frames/.exec(lines[3]!)
    assert.ok(live !== null && Number(live[1]) >= 18, lines[3])
  })

  test('the inseparable mode is flagged by the quality report', async () => {
    const { code, output } = await run(['simulate', '--sensors', '--mode', 'inseparable', '--per-angle', '20'])
    assert.equal(code, 0, output)
    assert.match(output, /Labels are indistinguishable from chance/)
    assert.equal((await run(['simulate', '--sensors', '--mode', 'loud'])).code, 2)
  })
})
