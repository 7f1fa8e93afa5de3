import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createLogger } from '../logging/logger.js'
import { allowYoungGenerationGrowth, heapSpaceBytes, trimHeapWhenQuiet } from './heap-trim.js'

const logger = createLogger('silent')

describe('heap trim', () => {
  test('a quiet check after the heap grew collects, and gives back what it held', async () => {
    const trimmed = new Promise<{ beforeBytes: number; afterBytes: number }>((resolve) => {
      const trimmer = trimHeapWhenQuiet(logger, {
        checkMs: 20,
        quietCpuShare: Number.POSITIVE_INFINITY,
        growthBytes: 0,
        onTrim: (trim) => {
          trimmer.stop()
          resolve(trim)
        },
      })
    })
    // 32 MB of arrays that nothing holds once this block ends: the heap grows for them.
    let held: number[][] = []
    for (let i = 0; i < 32; i += 1) held.push(new Array<number>(128 * 1024).fill(i))
    assert.ok(heapSpaceBytes() > 32 * 1024 * 1024)
    held = []
    const { beforeBytes, afterBytes } = await trimmed
    assert.ok(afterBytes < beforeBytes, `heap spaces ${beforeBytes} -> ${afterBytes} bytes`)
    assert.equal(held.length, 0)
  })

  test('exposes no global gc, and the start-up hold ends without error', () => {
    const trimmer = trimHeapWhenQuiet(logger)
    trimmer.stop()
    trimmer.stop()
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined')
    allowYoungGenerationGrowth()
  })
})
