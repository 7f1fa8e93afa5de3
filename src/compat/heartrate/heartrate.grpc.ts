import type { Authenticate, Principal } from '../../platform/auth/principal.js'
import { readStatus } from '../../domains/heart-rate/heart-rate.queries.js'
import type { Verdict } from '../../domains/heart-rate/heart-rate.schema.js'
import { type HeartRateDeps, recordSamples } from '../../domains/heart-rate/heart-rate.service.js'
import { computeZones, maxHeartRateFromAge, SEED_THREE_ZONES } from '../../domains/heart-rate/zones.js'
import { AppError } from '../../errors.js'
import type { ExerciseZoneRequest__Output as ExerciseZoneRequest } from '../../generated/proto/heartrate/ExerciseZoneRequest.js'
import type { ExerciseZoneResponse } from '../../generated/proto/heartrate/ExerciseZoneResponse.js'
import type { HeartRateRequest__Output as HeartRateRequest } from '../../generated/proto/heartrate/HeartRateRequest.js'
import type { HeartRateResponse } from '../../generated/proto/heartrate/HeartRateResponse.js'
import type { StatusRequest__Output as StatusRequest } from '../../generated/proto/heartrate/StatusRequest.js'
import type { StatusResponse } from '../../generated/proto/heartrate/StatusResponse.js'
import type { Logger } from '../../platform/logging/logger.js'
import { credentialFromMetadata, principalFrom } from '../../platform/grpc/grpc-auth.js'
import {
  bidiStream,
  type CallContext,
  type GrpcServer,
  loadProto,
  serviceFrom,
  unary,
} from '../../platform/grpc/grpc-server.js'
import { arrivalBatches } from '../../platform/grpc/arrival-batches.js'

// The seed's strings: its clients and tests match on them.
const OUT_OF_RANGE = 'Heart rate out of typical range for an adult'
const STORE_FAILED = 'Internal server error processing measurement'
const DEFAULT_RECENT = 10
const MAX_RECENT = 1000
const MAX_STREAM_BATCH = 500
const ALERT_TYPE = { LOW: 'LOW_HEART_RATE', HIGH: 'HIGH_HEART_RATE' } as const

/** A seed request as a pulsebase sample: unix seconds become ms, and 0 (the proto default) means now. */
interface Measurement {
  readonly bpm: number
  readonly timestamp: number
}

const toMeasurement = (request: HeartRateRequest, nowMs: number): Measurement => ({
  bpm: request.bpm,
  timestamp: request.timestamp === 0 ? nowMs : request.timestamp * 1000,
})

const failure = (error: string): HeartRateResponse => ({
  success: false,
  error,
  alertTriggered: false,
  alertType: 'NONE',
})

// A resent (device, second) is already stored: its verdict is `stored` with `alreadyStored`, so success.
function toResponse(verdict: Verdict): HeartRateResponse {
  if (verdict.status === 'rejected')
    return failure(verdict.reason === 'bpm_out_of_range' ? OUT_OF_RANGE : (verdict.message ?? 'Invalid measurement'))
  return {
    success: true,
    error: '',
    alertTriggered: verdict.alert !== undefined,
    alertType: verdict.alert === undefined ? 'NONE' : ALERT_TYPE[verdict.alert],
  }
}

/** One response per measurement, in order; undefined when the store failed (already logged). */
async function record(
  deps: HeartRateDeps,
  principal: Principal,
  measurements: readonly Measurement[],
  logger: Logger,
): Promise<HeartRateResponse[] | undefined> {
  try {
    const result = await recordSamples(deps, principal, measurements)
    return result.verdicts.map(toResponse)
  } catch (error) {
    logger.error({ err: error }, 'storing seed heart-rate measurements failed')
    return undefined
  }
}

/**
 * Splits at a repeated timestamp, so a resent second is answered like a unary resubmission
 * (already stored) rather than rejected as a duplicate within one batch.
 */
function withoutRepeats(measurements: readonly Measurement[]): Measurement[][] {
  const groups: Measurement[][] = [[]]
  let seen = new Set<number>()
  for (const measurement of measurements) {
    if (seen.has(measurement.timestamp)) {
      groups.push([])
      seen = new Set()
    }
    seen.add(measurement.timestamp)
    groups[groups.length - 1]?.push(measurement)
  }
  return groups.filter((group) => group.length > 0)
}

async function* stamped(requests: AsyncIterable<HeartRateRequest>, now: () => number): AsyncGenerator<Measurement> {
  for await (const request of requests) yield toMeasurement(request, now())
}

function toZonesResponse(request: ExerciseZoneRequest): ExerciseZoneResponse {
  if (request.age <= 0) throw new AppError('invalid_argument', 'Age must be a positive integer')
  if (request.measurements.length === 0) throw new AppError('invalid_argument', 'No measurements provided')
  const result = computeZones(
    request.measurements.map((m) => ({ timestampMs: m.timestamp * 1000, bpm: m.bpm })),
    {
      bands: SEED_THREE_ZONES,
      method: { kind: 'percent-of-max', maxHeartRate: maxHeartRateFromAge(request.age) },
      maxGapMs: Infinity,
      isLastBandOpenEnded: false,
    },
  )
  const secondsIn = (zone: number) => Math.round(result.zones.find((z) => z.zone === zone)?.seconds ?? 0)
  return {
    zone1Time: secondsIn(1),
    zone2Time: secondsIn(2),
    zone3Time: secondsIn(3),
    totalDuration: Math.round(result.totalSeconds),
    averageHeartRate: result.averageBpm,
  }
}

/**
 * The seed's `heartrate.HeartRateMonitor` on the pulsebase domain. Seed clients send no
 * credentials and act for `defaultPrincipal` (the compat device); a token or device key in the
 * `authorization` metadata scopes the call to its owner instead.
 */
export function registerHeartRateCompatGrpc(
  server: GrpcServer,
  deps: HeartRateDeps,
  authenticate: Authenticate,
  defaultPrincipal: () => Promise<Principal>,
): void {
  const authenticateCall = (ctx: CallContext): Promise<Principal> =>
    credentialFromMetadata(ctx.metadata) === undefined ? defaultPrincipal() : principalFrom(ctx, authenticate)

  server.addService(serviceFrom(loadProto('heartrate/heartrate_service.proto'), 'heartrate.HeartRateMonitor'), {
    SubmitHeartRate: unary<HeartRateRequest, HeartRateResponse>(async (request, ctx) => {
      const principal = await authenticateCall(ctx)
      const responses = await record(deps, principal, [toMeasurement(request, deps.now())], ctx.logger)
      return responses?.[0] ?? failure(STORE_FAILED)
    }),

    // Like the seed, a store failure answers once and ends the stream; invalid values do not.
    StreamHeartRate: bidiStream<HeartRateRequest, HeartRateResponse>(async function* (requests, ctx) {
      const principal = await authenticateCall(ctx)
      for await (const batch of arrivalBatches(stamped(requests, deps.now), MAX_STREAM_BATCH)) {
        for (const group of withoutRepeats(batch)) {
          const responses = await record(deps, principal, group, ctx.logger)
          if (responses === undefined) {
            yield failure(STORE_FAILED)
            return
          }
          yield* responses
        }
      }
    }),

    GetHeartRateStatus: unary<StatusRequest, StatusResponse>(async (request, ctx) => {
      const count = request.recentCount <= 0 ? DEFAULT_RECENT : Math.min(request.recentCount, MAX_RECENT)
      const current = await readStatus(deps, await authenticateCall(ctx), count)
      const open = current.activeAlert
      return {
        recentMeasurements: current.recent.map((s) => ({
          bpm: Math.round(s.bpm),
          timestamp: Math.floor(Date.parse(s.timestamp) / 1000),
          triggeredAlert: s.alert !== null,
        })),
        alertActive: open !== null,
        alertType: open === null ? 'NONE' : ALERT_TYPE[open.kind],
        stats: {
          averageBpm: current.stats.averageBpm,
          minBpm: Math.round(current.stats.minBpm),
          maxBpm: Math.round(current.stats.maxBpm),
        },
      }
    }),

    // Pure arithmetic on the request; a credential, when sent, must still be valid.
    CalculateExerciseZones: unary<ExerciseZoneRequest, ExerciseZoneResponse>(async (request, ctx) => {
      if (credentialFromMetadata(ctx.metadata) !== undefined) await principalFrom(ctx, authenticate)
      return toZonesResponse(request)
    }),
  })
}
