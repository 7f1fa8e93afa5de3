import { createRequire } from 'node:module'
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
  // Node's clientError carries the raw bytes of the request (its Authorization header included).
  'rawPacket',
  '*.rawPacket',
  'credential',
  '*.credential',
]

/** Lines for a person at a terminal (pino-pretty, loaded only then); JSON lines for everything else. */
function defaultDestination(): pino.DestinationStream | undefined {
  if (process.stdout.isTTY !== true) return undefined
  const pretty = createRequire(import.meta.url)('pino-pretty') as (options: object) => pino.DestinationStream
  return pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' })
}

/** The one root logger; modules take children of it. JSON unless stdout is a terminal and no destination is given. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'pulsebase' } },
    (destination as pino.DestinationStream | undefined) ?? defaultDestination(),
  )
}

export type { Logger }
