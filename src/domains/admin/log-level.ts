import type { Logger } from 'pino'
import { Type } from 'typebox'
import { matchesSchema } from '../../platform/validation/schema-check.js'

/** Pub/sub channel on which a log level change reaches every process. */
export const LOG_LEVEL_CHANNEL = 'admin.log-level'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export const LogLevel = Type.Union(LOG_LEVELS.map((level) => Type.Literal(level)))
const LogLevelMessage = Type.Object({ level: LogLevel })

/**
 * Sets the root logger's level. Module, request and job loggers are pino children made without a
 * level of their own, so they follow it. A message that is not a level is ignored.
 */
export function applyLogLevel(root: Logger, message: unknown): void {
  if (!matchesSchema(LogLevelMessage, message)) return
  if (root.level !== message.level) {
    root.level = message.level
    root.warn({ level: message.level }, 'log level changed')
  }
}
