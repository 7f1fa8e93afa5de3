// Every adapter of AttemptLimiter (in-process memory, Redis) must pass this same suite.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, describe, test } from 'node:test'
import { Redis } from 'ioredis'
import { REDIS, skipUnless } from '../../../test/helpers/services.js'
import { AppError } from '../../errors.js'
import { type AttemptLimiter, type AttemptLimiterOptions, createAttemptLimiter } from './attempt-limiter.js'

interface Target {
  readonly kind: 'memory' | 'redis'
  readonly skip: string | undefined
  /** Whether two limiters of one name count together (two processes on one Redis). */
  readonly isShared: boolean
  create(options: Omit<AttemptLimiterOptions, 'redis'>): AttemptLimiter
  close(): Promise<void>
}

const redisSkip = await skipUnless(REDIS)
const redisClients: Redis[] = []

const targets: Target[] = [
  {
    kind: 'memory',
    skip: undefined,
    isShared: false,
    create: (options) => createAttemptLimiter(options),
    close: async () => {},
  },
  {
    kind: 'redis',
    skip: redisSkip,
    isShared: true,
    // One client per limiter, as two API processes would each have their own connection.
    create: (options) => {
      const redis = new Redis(REDIS.url, { maxRetriesPerRequest: 2 })
      redisClients.push(redis)
      return createAttemptLimiter({ ...options, redis })
    },
    close: async () => {
      for (const redis of redisClients.splice(0)) redis.disconnect()
    },
  },
]

const MESSAGE = 'Too many attempts; try again later'
const optionsFor = (points: number, windowSeconds = 600) => ({
  name: `test-${randomBytes(6).toString('hex')}`,
  points,
  windowSeconds,
  message: MESSAGE,
})

/** The rate_limited error `consume` must throw once the budget is spent. */
async function assertLimited(limiter: AttemptLimiter, key: string, windowSeconds: number): Promise<void> {
  await assert.rejects(limiter.consume(key), (error: unknown) => {
    assert.ok(error instanceof AppError)
    assert.equal(error.code, 'rate_limited')
    assert.equal(error.message, MESSAGE)
    const retryAfter = error.retryAfterSeconds ?? 0
    assert.ok(
      retryAfter >= 1 && retryAfter <= windowSeconds,
      `Retry-After ${retryAfter} s lies within the ${windowSeconds} s window`,
    )
    return true
  })
}

for (const target of targets) {
  describe(`attempt limiter contract on ${target.kind}`, { skip: target.skip }, () => {
    after(() => target.close())

    test('allows exactly `points` attempts per key in the window, then refuses with rate_limited', async () => {
      const limiter = target.create(optionsFor(3))
      for (let i = 0; i < 3; i += 1) await limiter.consume('alice@example.com')
      await assertLimited(limiter, 'alice@example.com', 600)
      await assertLimited(limiter, 'alice@example.com', 600)
    })

    test('keys count apart: one spent key leaves another untouched', async () => {
      const limiter = target.create(optionsFor(1))
      await limiter.consume('203.0.113.7')
      await assertLimited(limiter, '203.0.113.7', 600)
      await limiter.consume('203.0.113.8')
    })

    test('reset gives a key its whole budget back, and only that key', async () => {
      const limiter = target.create(optionsFor(2))
      for (const key of ['a', 'b']) {
        await limiter.consume(key)
        await limiter.consume(key)
      }
      await limiter.reset('a')
      await limiter.consume('a')
      await limiter.consume('a')
      await assertLimited(limiter, 'a', 600)
      await assertLimited(limiter, 'b', 600)
    })

    test('limiters of different names never share a budget', async () => {
      const first = target.create(optionsFor(1))
      const second = target.create(optionsFor(1))
      await first.consume('same key')
      await second.consume('same key')
      await assertLimited(first, 'same key', 600)
    })

    test(
      target.isShared
        ? 'two limiters of one name (two processes) spend one budget'
        : 'each process keeps its own budget',
      async () => {
        const options = optionsFor(2, 60)
        const [a, b] = [target.create(options), target.create(options)]
        await a.consume('bob@example.com')
        await b.consume('bob@example.com')
        if (target.isShared) {
          await assertLimited(a, 'bob@example.com', 60)
          await assertLimited(b, 'bob@example.com', 60)
        } else {
          await a.consume('bob@example.com')
          await assertLimited(a, 'bob@example.com', 60)
          await b.consume('bob@example.com')
        }
      },
    )
  })
}
