// pulsebase.v1.HeartRate through a real grpc-js client against the started app. Real: everything;
// the Subscribe cleanup test wraps the app's own pub/sub in a counting window to see unsubscribes.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { credentials, loadPackageDefinition, Metadata, type ServiceError, status } from '@grpc/grpc-js'
import type { BatchResult__Output as BatchResult } from '../src/generated/proto/pulsebase/v1/BatchResult.js'
import type { HeartRateClient } from '../src/generated/proto/pulsebase/v1/HeartRate.js'
import type { LiveEvent__Output as LiveEvent } from '../src/generated/proto/pulsebase/v1/LiveEvent.js'
import type { Sample } from '../src/generated/proto/pulsebase/v1/Sample.js'
import type { StatusResponse__Output as StatusResponse } from '../src/generated/proto/pulsebase/v1/StatusResponse.js'
import type { Verdict__Output as Verdict } from '../src/generated/proto/pulsebase/v1/Verdict.js'
import type { ZonesResponse__Output as ZonesResponse } from '../src/generated/proto/pulsebase/v1/ZonesResponse.js'
import { registerHeartRateGrpc } from '../src/domains/heart-rate/heart-rate.grpc.js'
import { createSampleWriter } from '../src/domains/heart-rate/sample-writer.js'
import { createGrpcServer, loadProto } from '../src/platform/grpc/grpc-server.js'
import { createMetrics } from '../src/platform/metrics/metrics.js'
import { countingPubSub } from '../src/platform/pubsub/counting-pubsub.fixture.js'
import { waitUntil } from './helpers/poll.js'
import { userChannel } from '../src/platform/pubsub/live-events.js'
import { systemClock } from '../src/platform/time/clock.js'
import { signUp, type Client, type TestApp } from './helpers/app.js'
import { type DatabaseApp, startDatabaseApp } from './helpers/database-app.js'
import { type DatabaseTarget, databaseTargets } from './helpers/databases.js'

const T0 = Date.now() - 3_600_000 - (Date.now() % 60_000) // a whole minute, an hour ago
const at = (seconds: number) => T0 + seconds * 1000

async function deviceKey(api: Client, token: string) {
  const reply = await api.post('/v1/devices', { name: 'watch', kind: 'watch' }, token)
  return { key: reply.body.apiKey as string, id: reply.body.device.id as string }
}

function metadataFor(credential: string | undefined): Metadata {
  const metadata = new Metadata()
  if (credential !== undefined) metadata.set('authorization', `Bearer ${credential}`)
  return metadata
}

/** A real grpc-js client for pulsebase.v1.HeartRate, with the unary methods as promises. */
function connect(address: string) {
  const Ctor = (loadPackageDefinition(loadProto('pulsebase/v1/heart_rate.proto')) as any).pulsebase.v1.HeartRate
  const grpc = new Ctor(address, credentials.createInsecure()) as HeartRateClient
  const unary =
    <Res>(method: 'Submit' | 'SubmitBatch' | 'Status' | 'Zones') =>
    (request: unknown, credential?: string) =>
      new Promise<Res>((resolve, reject) => {
        ;(grpc[method] as any).call(
          grpc,
          request,
          metadataFor(credential),
          (error: ServiceError | null, response: Res) => (error ? reject(error) : resolve(response)),
        )
      })
  return {
    submit: unary<Verdict>('Submit'),
    submitBatch: unary<BatchResult>('SubmitBatch'),
    status: unary<StatusResponse>('Status'),
    zones: unary<ZonesResponse>('Zones'),
    stream: (credential?: string) => grpc.Stream(metadataFor(credential)),
    subscribe: (credential?: string) => grpc.Subscribe({}, metadataFor(credential)),
    close: () => grpc.close(),
  }
}
type HeartRateRpc = ReturnType<typeof connect>

/** What a response stream delivers; `done` settles with its status (rejects on an error status). */
function collect<T>(call: NodeJS.EventEmitter) {
  const received: T[] = []
  call.on('data', (message: T) => received.push(message))
  const done = new Promise<void>((resolve, reject) => {
    call.on('end', resolve)
    call.on('error', reject)
  })
  done.catch(() => undefined) // awaited by the tests that expect it; never unhandled
  return { received, done }
}

const isCode = (code: status, message?: RegExp) => (error: ServiceError) => {
  assert.equal(error.code, code, `expected ${status[code]}, got ${status[error.code]}: ${error.details}`)
  if (message) assert.match(error.details, message)
  return true
}

/** The app on a fresh database of `target` (alerts clear after 2 in-range samples), with a gRPC client on it. */
interface GrpcApp extends DatabaseApp {
  readonly rpc: HeartRateRpc
}

async function startGrpcApp(target: DatabaseTarget): Promise<GrpcApp> {
  const started = await startDatabaseApp(target, { PULSEBASE_HEART_RATE_ALERT_CLEAR_SAMPLES: '2' })
  const rpc = connect(started.server.grpcAddress)
  return {
    ...started,
    rpc,
    async close() {
      rpc.close()
      await started.close()
    },
  }
}

const storedBpms = async (api: Client, token: string, from: number, to: number) =>
  (await api.get(`/v1/heart-rate/samples?from=${from}&to=${to}`, token)).body.samples.map(
    (s: { bpm: number }) => s.bpm,
  ) as number[]

const outcome = (v: Verdict) =>
  v.status === 'STORED' ? `stored${v.alert === 'ALERT_KIND_NONE' ? '' : `:${v.alert}`}` : v.reason

for (const target of await databaseTargets()) {
  describe(`gRPC heart-rate ingest on ${target.kind}`, { skip: target.skip }, () => {
    let started: GrpcApp | undefined
    let api: Client
    let rpc: HeartRateRpc

    before(async () => {
      started = await startGrpcApp(target)
      ;({ api, rpc } = started)
    })
    after(async () => {
      await started?.close()
    })

    test('every method refuses a call without valid credentials', async () => {
      const sample = { timestampMs: at(0), bpm: 70 }
      await assert.rejects(rpc.submit(sample), isCode(status.UNAUTHENTICATED))
      await assert.rejects(rpc.submitBatch({ samples: [sample] }, 'pbd_unknown'), isCode(status.UNAUTHENTICATED))
      await assert.rejects(rpc.status({}), isCode(status.UNAUTHENTICATED))
      await assert.rejects(
        rpc.zones({ samples: { samples: [sample] }, maxHeartRate: 200 }),
        isCode(status.UNAUTHENTICATED),
      )
      const stream = rpc.stream()
      const streamed = collect<Verdict>(stream)
      stream.write(sample)
      stream.end()
      await assert.rejects(streamed.done, isCode(status.UNAUTHENTICATED))
      assert.deepEqual(streamed.received, [])
      await assert.rejects(collect<LiveEvent>(rpc.subscribe('nonsense')).done, isCode(status.UNAUTHENTICATED))
    })

    test('Submit answers a verdict per sample; a rejection is a verdict and stores nothing', async () => {
      const user = await signUp(api)
      const watch = await deviceKey(api, user.accessToken)
      const stored = await rpc.submit({ timestampMs: at(0), bpm: 72, rrIntervalsMs: [820, 830] }, watch.key)
      assert.deepEqual(stored, {
        status: 'STORED',
        alert: 'ALERT_KIND_NONE',
        alreadyStored: false,
        reason: '',
        message: '',
        timestampMs: at(0),
      })
      assert.deepEqual(await rpc.submit({ timestampMs: at(1), bpm: 160 }, watch.key), {
        ...stored,
        alert: 'HIGH',
        timestampMs: at(1),
      })

      const rejections: Array<[Sample, string]> = [
        [{ timestampMs: at(2), bpm: 300 }, 'bpm_out_of_range'],
        [{ timestampMs: at(3), bpm: Number.NaN }, 'bpm_not_a_number'],
        [{ timestampMs: Date.now() + 3_600_000, bpm: 70 }, 'timestamp_in_future'],
        [{ timestampMs: Date.UTC(1999, 11, 31), bpm: 70 }, 'timestamp_before_2000'],
        [{ bpm: 70 }, 'timestamp_before_2000'],
        [{ timestampMs: at(4), bpm: 70, rrIntervalsMs: [5] }, 'rr_intervals_invalid'],
      ]
      for (const [sample, reason] of rejections) {
        const verdict = await rpc.submit(sample, watch.key)
        assert.deepEqual([verdict.status, verdict.reason, verdict.alreadyStored], ['REJECTED', reason, false])
        assert.ok(verdict.message.length > 10, verdict.message)
        assert.equal(verdict.timestampMs, Number(sample.timestampMs ?? 0))
      }

      assert.deepEqual(await storedBpms(api, user.accessToken, 0, 86_400_000), [])
      assert.deepEqual(await storedBpms(api, user.accessToken, Date.UTC(1999, 11, 1), Date.UTC(2000, 0, 2)), [])
      const samples = (
        await api.get(`/v1/heart-rate/samples?from=${at(-1)}&to=${Date.now() + 7_200_000}`, user.accessToken)
      ).body.samples
      assert.deepEqual(samples, [
        {
          timestamp: new Date(at(0)).toISOString(),
          bpm: 72,
          deviceId: watch.id,
          rrIntervalsMs: [820, 830],
          alert: null,
        },
        { timestamp: new Date(at(1)).toISOString(), bpm: 160, deviceId: watch.id, rrIntervalsMs: null, alert: 'HIGH' },
      ])
      assert.equal((await rpc.submit({ timestampMs: at(0), bpm: 72 }, watch.key)).alreadyStored, true)
    })

    test('SubmitBatch: mixed verdicts in order, an idempotent retry, and a size limit', async () => {
      const user = await signUp(api)
      const samples: Sample[] = [
        { timestampMs: at(0), bpm: 72, rrIntervalsMs: [820, 830] },
        { timestampMs: at(1), bpm: 80 },
        { timestampMs: at(2), bpm: 160 },
        { timestampMs: at(3), bpm: 19 },
        { timestampMs: at(4), bpm: Number.NaN },
        { timestampMs: at(1), bpm: 71 },
        { timestampMs: at(5), bpm: 70, rrIntervalsMs: [5] },
        { timestampMs: at(6), bpm: 75 },
      ]
      const result = await rpc.submitBatch({ samples }, user.accessToken)
      assert.deepEqual(result.verdicts.map(outcome), [
        'stored',
        'stored',
        'stored:HIGH',
        'bpm_out_of_range',
        'bpm_not_a_number',
        'duplicate_in_batch',
        'rr_intervals_invalid',
        'stored',
      ])
      assert.deepEqual(
        result.verdicts.map((v) => v.timestampMs),
        samples.map((s) => s.timestampMs),
      )
      assert.deepEqual([result.stored, result.rejected], [4, 4])
      assert.deepEqual(
        result.alerts.map((a) => [a.kind, a.openedAtMs, a.closedAtMs, a.peakBpm, a.deviceId, a.acknowledgedAtMs]),
        [['HIGH', at(2), 0, 160, '', 0]],
      )
      assert.deepEqual(await storedBpms(api, user.accessToken, at(-1), at(60)), [72, 80, 160, 75])

      const retried = await rpc.submitBatch({ samples }, user.accessToken)
      assert.equal(retried.verdicts.filter((v) => v.alreadyStored).length, 4)
      assert.deepEqual(
        await storedBpms(api, user.accessToken, at(-1), at(60)),
        [72, 80, 160, 75],
        'a retried batch never duplicates',
      )

      const tooMany = Array.from({ length: 10_001 }, (_, i) => ({ timestampMs: at(100 + i), bpm: 70 }))
      await assert.rejects(
        rpc.submitBatch({ samples: tooMany }, user.accessToken),
        isCode(status.INVALID_ARGUMENT, /samples .*10000/),
      )
      await assert.rejects(
        rpc.submitBatch({ samples: [] }, user.accessToken),
        isCode(status.INVALID_ARGUMENT, /samples .*1 item/),
      )
      assert.deepEqual(await storedBpms(api, user.accessToken, at(99), at(20_000)), [])
    })

    test('the documented batch (10,000 samples of 60 RR intervals, about 5 MB) is accepted over gRPC and over REST alike', async () => {
      const user = await signUp(api)
      const rr = Array.from({ length: 60 }, (_, k) => 800 + (k % 7) * 10 + 0.125)
      const batch = (offset: number) =>
        Array.from({ length: 10_000 }, (_, i) => ({
          timestampMs: at(-40_000 + offset + i),
          bpm: 60 + (i % 40),
          rrIntervalsMs: rr,
        }))
      const viaGrpc = await rpc.submitBatch({ samples: batch(0) }, user.accessToken)
      assert.deepEqual([viaGrpc.stored, viaGrpc.rejected], [10_000, 0])
      const viaRest = await api.post(
        '/v1/heart-rate/samples',
        { samples: batch(10_000).map(({ timestampMs, ...rest }) => ({ timestamp: timestampMs, ...rest })) },
        user.accessToken,
      )
      assert.equal(viaRest.status, 200)
      assert.deepEqual([viaRest.body.stored, viaRest.body.rejected], [10_000, 0])
    })

    test('Stream: a verdict per sample, in order, each after its commit; a bad sample does not end it', async () => {
      const user = await signUp(api)
      const samples: Sample[] = Array.from({ length: 500 }, (_, i) => ({
        timestampMs: at(1000 + i),
        bpm: i === 250 ? 300 : 60 + (i % 40),
      }))
      const call = rpc.stream(user.accessToken)
      const stream = collect<Verdict>(call)

      call.write(samples[0]!)
      await waitUntil(() => stream.received.length === 1, 'the first verdict')
      assert.deepEqual(
        await storedBpms(api, user.accessToken, at(1000), at(1001)),
        [60],
        'answered only once committed',
      )
      for (const sample of samples.slice(1)) call.write(sample)
      call.end()
      await stream.done

      assert.equal(stream.received.length, 500)
      assert.deepEqual(
        stream.received.map((v) => v.timestampMs),
        samples.map((s) => s.timestampMs),
      )
      assert.deepEqual(
        stream.received.map((v, i) => (i === 250 ? v.reason : v.status)),
        samples.map((_, i) => (i === 250 ? 'bpm_out_of_range' : 'STORED')),
      )
      assert.equal((await storedBpms(api, user.accessToken, at(1000), at(1500))).length, 499)
    })

    test('Stream: an empty request stream gets no responses and an OK status', async () => {
      const user = await signUp(api)
      const call = rpc.stream(user.accessToken)
      const stream = collect<Verdict>(call)
      call.end()
      await stream.done
      assert.deepEqual(stream.received, [])
    })
  })
}

for (const target of await databaseTargets()) {
  describe(`gRPC heart-rate reads and live events on ${target.kind}`, { skip: target.skip }, () => {
    let started: GrpcApp | undefined
    let server: TestApp
    let api: Client
    let rpc: HeartRateRpc

    before(async () => {
      started = await startGrpcApp(target)
      ;({ server, api, rpc } = started)
    })
    after(async () => {
      await started?.close()
    })

    const buildBatch = (pairs: Array<[number, number]>) => ({
      samples: pairs.map(([s, bpm]) => ({ timestampMs: at(s), bpm })),
    })

    test('Stream: a client that cancels mid-stream ends the call; later calls are served', async () => {
      const user = await signUp(api)
      const call = rpc.stream(user.accessToken)
      const stream = collect<Verdict>(call)
      call.write({ timestampMs: at(0), bpm: 70 })
      await waitUntil(() => stream.received.length === 1, 'the first verdict')
      call.cancel()
      await assert.rejects(stream.done, isCode(status.CANCELLED))
      assert.equal((await rpc.submit({ timestampMs: at(1), bpm: 71 }, user.accessToken)).status, 'STORED')
    })

    test('Status: recent samples oldest first, the open episode and stats; nothing is zeros', async () => {
      const user = await signUp(api)
      assert.deepEqual(await rpc.status({}, user.accessToken), {
        recent: [],
        activeAlert: null,
        stats: { count: 0, averageBpm: 0, minBpm: 0, maxBpm: 0 },
      })

      const { alerts } = await rpc.submitBatch(
        buildBatch([
          [0, 80],
          [1, 155],
          [2, 160],
          [3, 100],
        ]),
        user.accessToken,
      )
      const reply = await rpc.status({ recent: 3 }, user.accessToken)
      assert.deepEqual(
        reply.recent.map((s) => [s.timestampMs, s.bpm, s.alert, s.deviceId]),
        [
          [at(1), 155, 'HIGH', ''],
          [at(2), 160, 'HIGH', ''],
          [at(3), 100, 'ALERT_KIND_NONE', ''],
        ],
      )
      assert.deepEqual(reply.stats, { count: 3, averageBpm: 138.33, minBpm: 100, maxBpm: 160 })
      assert.equal(reply.activeAlert?.id, alerts[0]?.id)
      assert.deepEqual(
        [
          reply.activeAlert?.kind,
          reply.activeAlert?.openedAtMs,
          reply.activeAlert?.lastAlertAtMs,
          reply.activeAlert?.closedAtMs,
          reply.activeAlert?.peakBpm,
        ],
        ['HIGH', at(1), at(2), 0, 160],
      )
      assert.equal((await rpc.status({ recent: 0 }, user.accessToken)).recent.length, 4, '0 means 10')
      for (const recent of [-1, 1001])
        await assert.rejects(rpc.status({ recent }, user.accessToken), isCode(status.INVALID_ARGUMENT, /recent/))
    })

    test('Zones over a stored range or the samples given; a max heart rate and a source are required', async () => {
      const user = await signUp(api)
      const range = { fromMs: at(0), toMs: at(100) }
      await assert.rejects(
        rpc.zones({ range }, user.accessToken),
        isCode(status.INVALID_ARGUMENT, /maximum heart rate/),
      )
      await assert.rejects(
        rpc.zones({ maxHeartRate: 200 }, user.accessToken),
        isCode(status.INVALID_ARGUMENT, /source/),
      )

      // max 200: interval means 100 and 115 bpm are zone 1, 130 zone 2, 140 and 150 zone 3; the 60 s gap is left out.
      await rpc.submitBatch(
        buildBatch([
          [0, 100],
          [5, 100],
          [10, 130],
          [15, 130],
          [20, 150],
          [80, 150],
          [85, 150],
        ]),
        user.accessToken,
      )
      const stored = await rpc.zones({ range, maxHeartRate: 200 }, user.accessToken)
      assert.deepEqual([stored.method, stored.maxHeartRate, stored.restingHeartRate], ['percent-of-max', 200, 0])
      assert.deepEqual(
        stored.zones.map((z) => z.seconds),
        [10, 5, 10, 0, 0],
      )
      assert.deepEqual([stored.zones[0]?.lowerBpm, stored.zones[0]?.upperBpm], [100, 120])
      assert.deepEqual([stored.totalSeconds, stored.excludedGapSeconds, stored.intervalCount], [25, 60, 5])
      assert.equal(
        (await rpc.zones({ range: { ...range, deviceId: 'not-a-device' }, maxHeartRate: 200 }, user.accessToken))
          .intervalCount,
        0,
      )

      const given = await rpc.zones(
        {
          samples: buildBatch([
            [0, 120],
            [10, 120],
          ]),
          age: 40,
          restingHeartRate: 60,
        },
        user.accessToken,
      )
      assert.deepEqual([given.method, given.maxHeartRate, given.restingHeartRate], ['karvonen', 180, 60]) // 220 - 40
      assert.deepEqual([given.zones[0]?.seconds, given.totalSeconds, given.averageBpm], [10, 10, 120]) // (120-60)/(180-60) = 50 %
      await assert.rejects(
        rpc.zones({ samples: buildBatch([[0, 120]]), age: 500 }, user.accessToken),
        isCode(status.INVALID_ARGUMENT, /age/),
      )
      await assert.rejects(
        rpc.zones({ range, maxHeartRate: 200, maxGapSeconds: -1 }, user.accessToken),
        isCode(status.INVALID_ARGUMENT, /maxGapSeconds/),
      )
    })

    test("Subscribe carries the caller's samples from a device and an opened alert, until cancelled", async () => {
      const user = await signUp(api)
      const watch = await deviceKey(api, user.accessToken)
      const call = rpc.subscribe(user.accessToken)
      const live = collect<LiveEvent>(call)
      const post = (seconds: number, bpm: number) =>
        api.post('/v1/heart-rate/samples', { timestamp: at(seconds), bpm }, watch.key)

      // Nothing is sent before the subscription is active, so probe with fresh samples until one arrives.
      for (let attempt = 0; live.received.length === 0; attempt++) {
        assert.ok(attempt < 50, 'Subscribe never delivered a sample')
        await post(attempt, 70)
        await waitUntil(() => live.received.length > 0, 'a live sample', { intervalMs: 5, tries: 40 }).catch(
          () => undefined,
        )
      }
      assert.equal(live.received[0]?.event, 'samples')
      assert.equal(live.received[0]?.samples?.deviceId, watch.id)

      const seen = live.received.length
      await post(100, 170)
      await waitUntil(() => live.received.slice(seen).some((e) => e.event === 'alert'), 'the alert event')
      const events = live.received.slice(seen)
      assert.deepEqual(events.find((e) => e.event === 'samples')?.samples, {
        deviceId: watch.id,
        samples: [{ timestampMs: at(100), bpm: 170, deviceId: watch.id, rrIntervalsMs: [], alert: 'HIGH' }],
      })
      const change = events.find((e) => e.event === 'alert')?.alert
      assert.equal(change?.change, 'opened')
      assert.deepEqual(
        [
          change?.alert?.kind,
          change?.alert?.deviceId,
          change?.alert?.openedAtMs,
          change?.alert?.closedAtMs,
          change?.alert?.peakBpm,
          change?.alert?.sampleCount,
        ],
        ['HIGH', watch.id, at(100), 0, 170, 1],
      )

      call.cancel()
      await assert.rejects(live.done, isCode(status.CANCELLED))
    })

    test('Subscribe unsubscribes from the pub/sub when the client cancels', async () => {
      const user = await signUp(api)
      const counting = countingPubSub(server.app.pubsub)
      const { app } = server
      const grpc = createGrpcServer({ metrics: createMetrics(), logger: app.logger })
      const writer = createSampleWriter({
        db: app.database.db,
        kind: app.database.kind,
        alertClearSamples: 2,
        now: systemClock,
      })
      registerHeartRateGrpc(
        grpc,
        {
          db: app.database.db,
          kind: app.database.kind,
          writer,
          config: app.config.heartRate,
          publish: () => undefined,
          now: systemClock,
        },
        app.authenticate,
        counting.port,
      )
      const own = connect(`127.0.0.1:${await grpc.listen('127.0.0.1', 0)}`)
      try {
        const channel = userChannel(user.userId)
        const call = own.subscribe(user.accessToken)
        const live = collect<LiveEvent>(call)
        await waitUntil(() => counting.activeSubscriptions(channel) === 1, 'the subscription is active')
        await api.post('/v1/heart-rate/samples', { timestamp: at(0), bpm: 70 }, user.accessToken)
        await waitUntil(() => live.received.length === 1, 'the live sample')
        assert.deepEqual(
          live.received[0]?.samples?.samples.map((s) => s.bpm),
          [70],
        )
        call.cancel()
        await assert.rejects(live.done, isCode(status.CANCELLED))
        await waitUntil(() => counting.activeSubscriptions(channel) === 0, 'the subscription is gone')
      } finally {
        own.close()
        await grpc.shutdown(1000)
      }
    })
  })
}
