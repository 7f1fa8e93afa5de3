import type { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import { AppError } from '../../errors.js'

/** Counts attempts per key in a window; `consume` throws `rate_limited` once the budget is spent. */
export interface AttemptLimiter {
  /** Counts one attempt; resolves to the attempts counted in the window so far (this one included). */
  consume(key: string): Promise<number>
  reset(key: string): Promise<void>
}

export interface AttemptLimiterOptions {
  readonly name: string
  readonly points: number
  readonly windowSeconds: number
  readonly message: string
  /** Shared across API processes when given; in-process otherwise. */
  readonly redis?: Redis
  /** Before `name` in every Redis key (the deployment's namespace); default `pulsebase:`. */
  readonly keyPrefix?: string
}

/** rate-limiter-flexible behind the AttemptLimiter port. */
export function createAttemptLimiter(options: AttemptLimiterOptions): AttemptLimiter {
  const common = {
    keyPrefix: `${options.keyPrefix ?? 'pulsebase:'}${options.name}`,
    points: options.points,
    duration: options.windowSeconds,
  }
  const limiter = options.redis
    ? new RateLimiterRedis({ ...common, storeClient: options.redis })
    : new RateLimiterMemory(common)
  return {
    async consume(key) {
      try {
        return (await limiter.consume(key)).consumedPoints
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error
        const retryAfterSeconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000))
        throw new AppError('rate_limited', options.message, [], retryAfterSeconds)
      }
    },
    async reset(key) {
      await limiter.delete(key)
    },
  }
}
