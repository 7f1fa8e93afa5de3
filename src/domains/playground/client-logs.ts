// Client logs (the seed's `frontendLog`): lines a signed-in app sends, logged as structured entries
// tagged with the user, size-limited by schema and rate-limited per user.
import type { Logger } from 'pino'
import { Type } from 'typebox'
import type { Principal } from '../../platform/auth/principal.js'
import type { AttemptLimiter } from '../../platform/rate-limit/attempt-limiter.js'

export const MAX_CLIENT_LOG_CHARS = 2000
/** Lines one user may send per minute. */
export const CLIENT_LOGS_PER_MINUTE = 60

export const ClientLogBody = Type.Object(
  {
    message: Type.String({ minLength: 1, maxLength: MAX_CLIENT_LOG_CHARS }),
    level: Type.Optional(
      Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')], {
        default: 'info',
      }),
    ),
  },
  { additionalProperties: false },
)

export interface ClientLogs {
  record(
    owner: Principal,
    line: { message: string; level?: 'debug' | 'info' | 'warn' | 'error' | undefined },
  ): Promise<void>
}

export function createClientLogs(logger: Logger, limiter: AttemptLimiter): ClientLogs {
  return {
    async record(owner, line) {
      await limiter.consume(owner.userId)
      // The message is data in its own field, never part of the log line's format.
      logger[line.level ?? 'info']({ userId: owner.userId, clientMessage: line.message }, 'client log')
    },
  }
}
