import { pino, type Logger } from 'pino'

/** Paths that may hold a secret; pino replaces their values before a line is written. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'refreshToken',
  '*.refreshToken',
  'accessToken',
  '*.accessToken',
  'apiKey',
  '*.apiKey',
  'req.headers.authorization',
  'req.headers["x-device-key"]',
  'req.headers.cookie',
]

/** The one root logger; modules take children of it. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'pulsebase' } },
    destination as pino.DestinationStream | undefined,
  )
}

export type { Logger }
