import type { ErrorDetail } from '../../errors.js'
import { instantDetail, parseInstant } from '../../platform/time/date-time.js'
import type { CreateGameSessionBody } from './game-sessions.schema.js'

/** How far outside [startedAt, endedAt] a sample's time may be (device clocks drift). */
const SAMPLE_SLACK_MS = 60_000
/** A request with many bad samples lists this many, not all of them. */
const MAX_PROBLEMS = 20

export type Problem = ErrorDetail & { readonly path: string; readonly message: string }

export interface CheckedTimes {
  readonly startedAt: number
  readonly endedAt: number
}

/** What the schema cannot say: times that parse and agree, distinct channels, one vector length per channel. */
export function checkUpload(body: CreateGameSessionBody, problems: Problem[]): CheckedTimes | undefined {
  const startedAt = parseInstant(body.startedAt)
  const endedAt = parseInstant(body.endedAt)
  if (startedAt === undefined) problems.push(instantDetail(body.startedAt, 'body.startedAt'))
  if (endedAt === undefined) problems.push(instantDetail(body.endedAt, 'body.endedAt'))
  if (startedAt === undefined || endedAt === undefined) return undefined
  if (endedAt < startedAt) problems.push({ path: 'body.endedAt', message: 'must not be before startedAt' })
  const seen = new Set<string>()
  body.channels.forEach((channel, c) => {
    if (seen.has(channel.name))
      problems.push({ path: `body.channels.${c}.name`, message: `channel "${channel.name}" appears twice` })
    seen.add(channel.name)
    const dims = channel.samples[0]?.v.length
    channel.samples.forEach((sample, s) => {
      if (problems.length >= MAX_PROBLEMS) return
      if (sample.v.length !== dims)
        problems.push({
          path: `body.channels.${c}.samples.${s}.v`,
          message: `has ${sample.v.length} values; this channel's first sample has ${dims}`,
        })
      if (sample.t < startedAt - SAMPLE_SLACK_MS || sample.t > endedAt + SAMPLE_SLACK_MS) {
        problems.push({
          path: `body.channels.${c}.samples.${s}.t`,
          message: 'is outside the session (startedAt to endedAt, give or take a minute); t is epoch milliseconds',
        })
      }
    })
  })
  return problems.length === 0 ? { startedAt, endedAt } : undefined
}
