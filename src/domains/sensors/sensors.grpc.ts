import { AppError } from '../../errors.js'
import type { Frame__Output as FrameMessage } from '../../generated/proto/pulsebase/v1/Frame.js'
import type { FrameBatch__Output as FrameBatch } from '../../generated/proto/pulsebase/v1/FrameBatch.js'
import type { FrameBatchResult } from '../../generated/proto/pulsebase/v1/FrameBatchResult.js'
import type { FrameVerdict as FrameVerdictMessage } from '../../generated/proto/pulsebase/v1/FrameVerdict.js'
import type { StreamSummary } from '../../generated/proto/pulsebase/v1/StreamSummary.js'
import type { Authenticate } from '../../platform/auth/principal.js'
import { arrivalBatches } from '../../platform/grpc/arrival-batches.js'
import { principalFrom } from '../../platform/grpc/grpc-auth.js'
import { clientStream, type GrpcServer, loadProto, serviceFrom, unary } from '../../platform/grpc/grpc-server.js'
import { readDevice, type FramesDeps, recordFrames } from './frames.service.js'
import { type FrameVerdict, MAX_BATCH_FRAMES } from './sensors.schema.js'

/** A StreamFrames call reads at most this many batch messages ahead of the commits. */
const MAX_PENDING_BATCHES = 16
const MAX_REPORTED_REJECTIONS = 1000
const invalid = (message: string) => new AppError('invalid_argument', message)

/** The REST form of a frame, so both transports go through the same checks. A group name sent twice is refused (null), never merged. */
function toRaw(frame: FrameMessage): unknown {
  const channels: Record<string, unknown> = {}
  for (const group of frame.channels) channels[group.name] = Object.hasOwn(channels, group.name) ? null : group.values
  return { kind: frame.kind, timestamp: frame.timestampMs, channels }
}

function toVerdictMessage(verdict: FrameVerdict, frame: FrameMessage | undefined): FrameVerdictMessage {
  return {
    stored: verdict.status === 'stored',
    alreadyStored: verdict.alreadyStored === true,
    reason: verdict.reason ?? '',
    message: verdict.message ?? '',
    timestampMs: frame?.timestampMs ?? 0,
    kind: frame?.kind ?? '',
  }
}

function checkBatchSize(count: number): void {
  if (count === 0) throw invalid('The batch is empty: send 1 to 10,000 frames')
  if (count > MAX_BATCH_FRAMES) throw invalid(`The batch has ${count} frames; send at most 10,000 per message`)
}

/** `pulsebase.v1.Sensors`: frames in, one batch at a time or as a client stream (sensors.proto). */
export function registerSensorsGrpc(server: GrpcServer, deps: FramesDeps, authenticate: Authenticate): void {
  const service = serviceFrom(loadProto('pulsebase/v1/sensors.proto'), 'pulsebase.v1.Sensors')
  server.addService(service, {
    SubmitFrames: unary<FrameBatch, FrameBatchResult>(async ({ frames }, ctx) => {
      const owner = await principalFrom(ctx, authenticate)
      readDevice(owner)
      checkBatchSize(frames.length)
      const result = await recordFrames(deps, owner, frames.map(toRaw))
      return {
        stored: result.stored,
        rejected: result.rejected,
        verdicts: result.verdicts.map((v, i) => toVerdictMessage(v, frames[i])),
      }
    }),
    StreamFrames: clientStream<FrameBatch, StreamSummary>(async (requests, ctx) => {
      const owner = await principalFrom(ctx, authenticate)
      readDevice(owner)
      const summary = { stored: 0, alreadyStored: 0, rejected: 0, rejections: [] as FrameVerdictMessage[] }
      for await (const messages of arrivalBatches(requests, MAX_PENDING_BATCHES)) {
        for (const message of messages) checkBatchSize(message.frames.length)
        const frames = messages.flatMap((m) => m.frames)
        const result = await recordFrames(deps, owner, frames.map(toRaw))
        result.verdicts.forEach((verdict, i) => {
          if (verdict.status === 'stored') {
            summary.stored += 1
            if (verdict.alreadyStored === true) summary.alreadyStored += 1
            return
          }
          summary.rejected += 1
          if (summary.rejections.length < MAX_REPORTED_REJECTIONS)
            summary.rejections.push(toVerdictMessage(verdict, frames[i]))
        })
      }
      return summary
    }),
  })
}
