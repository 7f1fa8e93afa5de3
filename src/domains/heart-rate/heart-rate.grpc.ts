import { AppError } from '../../errors.js'
import { assertMatches, parseWith } from '../../platform/validation/schema-check.js'
import type { Alert as AlertMessage } from '../../generated/proto/pulsebase/v1/Alert.js'
import type { BatchResult } from '../../generated/proto/pulsebase/v1/BatchResult.js'
import type { LiveEvent as LiveEventMessage } from '../../generated/proto/pulsebase/v1/LiveEvent.js'
import type { Sample__Output as SampleMessage } from '../../generated/proto/pulsebase/v1/Sample.js'
import type { SampleBatch__Output as SampleBatch } from '../../generated/proto/pulsebase/v1/SampleBatch.js'
import type { StatusRequest__Output as StatusRequest } from '../../generated/proto/pulsebase/v1/StatusRequest.js'
import type { StatusResponse } from '../../generated/proto/pulsebase/v1/StatusResponse.js'
import type { StoredSample } from '../../generated/proto/pulsebase/v1/StoredSample.js'
import type { SubscribeRequest__Output as SubscribeRequest } from '../../generated/proto/pulsebase/v1/SubscribeRequest.js'
import type { Verdict as VerdictMessage } from '../../generated/proto/pulsebase/v1/Verdict.js'
import type { ZonesRequest__Output as ZonesRequest } from '../../generated/proto/pulsebase/v1/ZonesRequest.js'
import type { ZonesResponse } from '../../generated/proto/pulsebase/v1/ZonesResponse.js'
import { arrivalBatches } from '../../platform/grpc/arrival-batches.js'
import { principalFrom } from '../../platform/grpc/grpc-auth.js'
import {
  bidiStream,
  type CallContext,
  type GrpcServer,
  loadProto,
  serverStream,
  serviceFrom,
  unary,
} from '../../platform/grpc/grpc-server.js'
import { type LiveEvent, subscribeLive } from '../../platform/pubsub/live-events.js'
import type { PubSubPort } from '../../platform/pubsub/pubsub.port.js'
import type { Authenticate, Principal } from '../../platform/auth/principal.js'
import * as queries from './heart-rate.queries.js'
import {
  type Alert,
  BatchBody,
  type IngestResult,
  MAX_BATCH_SAMPLES,
  type Sample,
  StatusQuery,
  type Verdict,
  ZonesBody,
  ZonesQuery,
} from './heart-rate.schema.js'
import { type HeartRateDeps, type HeartRateEvents, parseRange, recordSamples } from './heart-rate.service.js'
import type { ZoneResult } from './zones.js'

/** A Stream call reads at most this many samples ahead of the commits. */
const MAX_PENDING_SAMPLES = MAX_BATCH_SAMPLES
const invalid = (message: string) => new AppError('invalid_argument', message)
const parseMs = (iso: string | null): number => (iso === null ? 0 : Date.parse(iso))

function toRaw(sample: SampleMessage): unknown {
  const rr = sample.rrIntervalsMs
  return { timestamp: sample.timestampMs, bpm: sample.bpm, rrIntervalsMs: rr.length > 0 ? rr : undefined }
}

function toVerdictMessage(verdict: Verdict, timestampMs: number): VerdictMessage {
  return {
    status: verdict.status === 'stored' ? 'STORED' : 'REJECTED',
    alert: verdict.alert ?? 'ALERT_KIND_NONE',
    alreadyStored: verdict.alreadyStored === true,
    reason: verdict.reason ?? '',
    message: verdict.message ?? '',
    timestampMs,
  }
}

function toAlertMessage(alert: Alert): AlertMessage {
  return {
    id: alert.id,
    kind: alert.kind,
    deviceId: alert.deviceId ?? '',
    openedAtMs: parseMs(alert.openedAt),
    lastAlertAtMs: parseMs(alert.lastAlertAt),
    closedAtMs: parseMs(alert.closedAt),
    peakBpm: alert.peakBpm,
    sampleCount: alert.sampleCount,
    acknowledgedAtMs: parseMs(alert.acknowledgedAt),
  }
}

function toStoredSample(sample: Sample): StoredSample {
  return {
    timestampMs: parseMs(sample.timestamp),
    bpm: sample.bpm,
    deviceId: sample.deviceId ?? '',
    rrIntervalsMs: sample.rrIntervalsMs ?? [],
    alert: sample.alert ?? 'ALERT_KIND_NONE',
  }
}

function toBatchResult(result: IngestResult, samples: readonly SampleMessage[]): BatchResult {
  return {
    stored: result.stored,
    rejected: result.rejected,
    verdicts: result.verdicts.map((verdict, i) => toVerdictMessage(verdict, samples[i]?.timestampMs ?? 0)),
    alerts: result.alerts.map(toAlertMessage),
  }
}

function toZonesResponse(result: ZoneResult): ZonesResponse {
  return { ...result, restingHeartRate: result.restingHeartRate ?? 0 }
}

/** Zone settings of a request; proto3 sends 0 for "not given". */
function readGiven(request: ZonesRequest) {
  const { age, maxHeartRate, restingHeartRate, maxGapSeconds } = request
  return {
    ...(age !== 0 && { age }),
    ...(maxHeartRate !== 0 && { maxHeartRate }),
    ...(restingHeartRate !== 0 && { restingHeartRate }),
    ...(maxGapSeconds !== 0 && { maxGapSeconds }),
  }
}

async function computeZones(deps: HeartRateDeps, owner: Principal, request: ZonesRequest): Promise<ZoneResult> {
  const given = readGiven(request)
  if (request.source === 'samples') {
    const body = parseWith(ZonesBody, { samples: (request.samples?.samples ?? []).map(toRaw), ...given })
    const { samples, ...settings } = body
    return queries.computePostedZones(deps, owner, samples, settings, 'samples')
  }
  if (request.source === 'range' && request.range) {
    const { fromMs, toMs, deviceId } = request.range
    const query = {
      ...(fromMs !== 0 && { from: String(fromMs) }),
      ...(toMs !== 0 && { to: String(toMs) }),
      ...(deviceId !== '' && { deviceId }),
    }
    const { from, to, deviceId: device, ...settings } = parseWith(ZonesQuery, { ...query, ...given })
    return queries.readZones(
      deps,
      owner,
      parseRange({ from, to, ...(device !== undefined && { deviceId: device }) }, deps.now()),
      settings,
    )
  }
  throw invalid('Zones needs a source: range or samples')
}

function toLiveEventMessage({ event, data }: LiveEvent): LiveEventMessage | undefined {
  if (event === 'heart-rate') {
    const { deviceId, samples } = data as HeartRateEvents['heart-rate']
    return { samples: { deviceId: deviceId ?? '', samples: samples.map(toStoredSample) } }
  }
  if (event === 'alert') {
    const { change, alert } = data as HeartRateEvents['alert']
    return { alert: { change, alert: toAlertMessage(alert) } }
  }
  return undefined // not an event this API carries
}

/** Commits whatever has arrived as one batch, then answers it in order, until the input ends. */
async function* streamVerdicts(
  deps: HeartRateDeps,
  authenticate: Authenticate,
  requests: AsyncIterable<SampleMessage>,
  ctx: CallContext,
) {
  const owner = await principalFrom(ctx, authenticate)
  for await (const batch of arrivalBatches(requests, MAX_PENDING_SAMPLES)) {
    if (ctx.signal.aborted) return
    const result = await recordSamples(deps, owner, batch.map(toRaw))
    for (const [i, verdict] of result.verdicts.entries()) yield toVerdictMessage(verdict, batch[i]?.timestampMs ?? 0)
  }
}

/** `pulsebase.v1.HeartRate`: ingest (one, a batch, a stream), status, zones and live events, as in heart_rate.proto. */
export function registerHeartRateGrpc(
  server: GrpcServer,
  deps: HeartRateDeps,
  authenticate: Authenticate,
  pubsub: PubSubPort,
): void {
  const service = serviceFrom(loadProto('pulsebase/v1/heart_rate.proto'), 'pulsebase.v1.HeartRate')
  server.addService(service, {
    Submit: unary<SampleMessage, VerdictMessage>(async (sample, ctx) => {
      const result = await recordSamples(deps, await principalFrom(ctx, authenticate), [toRaw(sample)])
      return toVerdictMessage(result.verdicts[0] as Verdict, sample.timestampMs)
    }),
    SubmitBatch: unary<SampleBatch, BatchResult>(async ({ samples }, ctx) => {
      const owner = await principalFrom(ctx, authenticate)
      const batch = { samples: samples.map(toRaw) }
      assertMatches(BatchBody, batch)
      return toBatchResult(await recordSamples(deps, owner, batch.samples), samples)
    }),
    Stream: bidiStream<SampleMessage, VerdictMessage>((requests, ctx) =>
      streamVerdicts(deps, authenticate, requests, ctx),
    ),
    Status: unary<StatusRequest, StatusResponse>(async ({ recent }, ctx) => {
      const owner = await principalFrom(ctx, authenticate)
      // proto3 sends 0 for "not given": the schema's default applies.
      const query = parseWith(StatusQuery, recent === 0 ? {} : { recent })
      const status = await queries.readStatus(deps, owner, query.recent)
      return {
        recent: status.recent.map(toStoredSample),
        ...(status.activeAlert !== null && { activeAlert: toAlertMessage(status.activeAlert) }),
        stats: status.stats,
      }
    }),
    Zones: unary<ZonesRequest, ZonesResponse>(async (request, ctx) => {
      const owner = await principalFrom(ctx, authenticate)
      return toZonesResponse(await computeZones(deps, owner, request))
    }),
    Subscribe: serverStream<SubscribeRequest, LiveEventMessage>(async function* (_request, ctx) {
      const owner = await principalFrom(ctx, authenticate)
      for await (const live of subscribeLive(pubsub, owner.userId, ctx.signal)) {
        const message = toLiveEventMessage(live)
        if (message !== undefined) yield message
      }
    }),
  })
}
