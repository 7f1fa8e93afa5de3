import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { credentials, loadPackageDefinition, Metadata, type ServiceError, status as grpcStatus } from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { COMPAT_DEVICE_NAME, COMPAT_EMAIL, ensureCompatPrincipal } from '../src/compat/heartrate/compat-device.js'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'

// Exactly what a seed client does: the seed's proto, snake_case fields, int64 as strings.
const PROTO_DIR = fileURLToPath(new URL('../proto/', import.meta.url))
const seedPackage = loadPackageDefinition(
  loadSync('heartrate/heartrate_service.proto', {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    includeDirs: [PROTO_DIR],
  }),
) as any

const OUT_OF_RANGE = 'Heart rate out of typical range for an adult'
const STORE_FAILED = 'Internal server error processing measurement'
const T0 = Math.floor(Date.now() / 1000) - 3600 // unix seconds, an hour ago
const ok = (alert_type = 'NONE') => ({ success: true, error: '', alert_triggered: alert_type !== 'NONE', alert_type })
const rejected = (error: string) => ({ success: false, error, alert_triggered: false, alert_type: 'NONE' })

type Seed = any

function seedClient(address: string): Seed {
  return new seedPackage.heartrate.HeartRateMonitor(address, credentials.createInsecure())
}

function withAuth(credential: string | undefined): Metadata {
  const metadata = new Metadata()
  if (credential !== undefined) metadata.set('authorization', credential)
  return metadata
}

function call(seed: Seed, method: string, request: object, credential?: string): Promise<any> {
  return new Promise((resolve, reject) => {
    seed[method](request, withAuth(credential), (error: ServiceError | null, response: unknown) =>
      error ? reject(error) : resolve(response),
    )
  })
}

/** Writes `requests` (then ends the client side unless `keepOpen`); resolves with every response once the server ends. */
function stream(
  seed: Seed,
  requests: object[],
  options: { credential?: string; keepOpen?: boolean } = {},
): Promise<any[]> {
  const duplex = seed.StreamHeartRate(withAuth(options.credential))
  const responses: unknown[] = []
  const done = new Promise<any[]>((resolve, reject) => {
    duplex.on('data', (response: unknown) => responses.push(response))
    duplex.on('error', reject)
    duplex.on('end', () => resolve(responses))
  })
  for (const request of requests) duplex.write(request)
  if (options.keepOpen !== true) duplex.end()
  return done
}

async function deviceKey(api: Client, token: string) {
  const reply = await api.post('/v1/devices', { name: 'chest strap', kind: 'watch' }, token)
  return { key: reply.body.apiKey as string, id: reply.body.device.id as string }
}

async function storedSamples(
  api: Client,
  token: string,
): Promise<Array<{ timestamp: string; bpm: number; deviceId: string | null }>> {
  const reply = await api.get('/v1/heart-rate/samples', token)
  assert.equal(reply.status, 200, JSON.stringify(reply.body))
  return reply.body.samples
}

const toSeconds = (iso: string) => Date.parse(iso) / 1000

for (const target of await databaseTargets()) {
  describe(`heartrate compat on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client
    let seed: Seed
    // The server's clock, pinned by a test that needs to know what "now" was; otherwise the system's.
    let pinnedNowMs: number | undefined

    before(async () => {
      db = await target.create()
      server = await startTestApp(
        { PULSEBASE_DATABASE_URL: db.url, PULSEBASE_COMPAT: 'heartrate' },
        { now: () => pinnedNowMs ?? Date.now() },
      )
      api = client(server.url)
      seed = seedClient(server.grpcAddress)
    })
    after(async () => {
      seed?.close()
      await server?.close()
      await db?.drop()
    })

    // First, while the compat account does not exist yet, so the race is real.
    test('concurrent boots create one compat user and device, and agree on them', async () => {
      const principals = await Promise.all(
        [1, 2, 3].map(() => ensureCompatPrincipal({ db: server.app.database.db, now: server.app.now })),
      )
      assert.equal(new Set(principals.map((p) => JSON.stringify(p))).size, 1)
      const users = await server.app.database.db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', COMPAT_EMAIL)
        .execute()
      assert.equal(users.length, 1)
      const devices = await server.app.database.db
        .selectFrom('devices')
        .selectAll()
        .where('user_id', '=', users[0]!.id)
        .execute()
      assert.deepEqual(
        devices.map((d) => [d.name, d.kind]),
        [[COMPAT_DEVICE_NAME, 'other']],
      )
      assert.deepEqual(principals[0], { userId: users[0]!.id, role: 'user', deviceId: devices[0]!.id })
      const login = await api.post('/v1/auth/login', { email: COMPAT_EMAIL, password: 'anything at all' })
      assert.notEqual(login.status, 200, 'the compat account cannot log in')
    })

    test('SubmitHeartRate: plausibility (20-250), the seed thresholds for alerts and exact strings; rejected samples are not stored', async () => {
      const user = await signUp(api)
      const { key } = await deviceKey(api, user.accessToken)
      const submit = (bpm: number, timestamp: number | string) => call(seed, 'SubmitHeartRate', { bpm, timestamp }, key)
      assert.deepEqual(await submit(72, T0), ok())
      assert.deepEqual(await submit(45, T0 + 1), ok('LOW_HEART_RATE'))
      assert.deepEqual(await submit(160, T0 + 2), ok('HIGH_HEART_RATE'))
      assert.deepEqual(await submit(40, String(T0 + 3)), ok('LOW_HEART_RATE'), 'the range is inclusive')
      assert.deepEqual(await submit(180, T0 + 4), ok('HIGH_HEART_RATE'))
      assert.deepEqual(await submit(50, T0 + 5), ok(), '50 and 150 are normal')
      assert.deepEqual(await submit(150, T0 + 6), ok())
      // The seed refused 39 and 181 ("out of typical range"); an athlete's real 39 and a sprint's 181
      // are stored with their alerts, and only implausible values and sensor sentinels are refused.
      assert.deepEqual(await submit(39, T0 + 7), ok('LOW_HEART_RATE'))
      assert.deepEqual(await submit(181, T0 + 8), ok('HIGH_HEART_RATE'))
      assert.deepEqual(await submit(250, T0 + 9), ok('HIGH_HEART_RATE'))
      for (const bpm of [19, 251, 255, 0, -5])
        assert.deepEqual(await submit(bpm, T0 + 10), rejected(OUT_OF_RANGE), `bpm ${bpm}`)
      assert.deepEqual(
        await submit(70, Math.floor(Date.now() / 1000) + 3600),
        rejected('timestamp is more than 60 s ahead of the server clock'),
      )

      const samples = await storedSamples(api, user.accessToken)
      assert.deepEqual(
        samples.map((s) => s.bpm),
        [72, 45, 160, 40, 180, 50, 150, 39, 181, 250],
      )
      assert.deepEqual(
        samples.map((s) => toSeconds(s.timestamp)),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => T0 + i),
        'unix seconds are stored as that second',
      )
    })

    test('SubmitHeartRate: a same-second resubmission answers success but is stored once; timestamp 0 means now', async () => {
      const user = await signUp(api)
      const { key } = await deviceKey(api, user.accessToken)
      assert.deepEqual(await call(seed, 'SubmitHeartRate', { bpm: 70, timestamp: T0 }, key), ok())
      assert.deepEqual(await call(seed, 'SubmitHeartRate', { bpm: 90, timestamp: T0 }, key), ok())
      pinnedNowMs = T0 * 1000 + 1_234_567
      try {
        assert.deepEqual(await call(seed, 'SubmitHeartRate', { bpm: 80 }, key), ok(), 'no timestamp (0)')
      } finally {
        pinnedNowMs = undefined
      }
      const samples = await storedSamples(api, user.accessToken)
      assert.deepEqual(
        samples.map((s) => s.bpm),
        [70, 80],
        'the first of the second is kept',
      )
      assert.equal(
        samples[1]!.timestamp,
        new Date(T0 * 1000 + 1_234_567).toISOString(),
        'timestamp 0 is stored as the time it arrived',
      )
    })

    test('StreamHeartRate: one response per request in order; invalid values do not end the stream', async () => {
      const user = await signUp(api)
      const { key } = await deviceKey(api, user.accessToken)
      const responses = await stream(
        seed,
        [
          { bpm: 72, timestamp: T0 },
          { bpm: 300, timestamp: T0 + 1 },
          { bpm: 45, timestamp: T0 + 2 },
          { bpm: 39, timestamp: T0 + 3 },
          { bpm: 160, timestamp: T0 + 4 },
          { bpm: 75, timestamp: T0 + 4 },
          { bpm: 76, timestamp: T0 + 5 },
        ],
        { credential: key },
      )
      assert.deepEqual(responses, [
        ok(),
        rejected(OUT_OF_RANGE),
        ok('LOW_HEART_RATE'),
        ok('LOW_HEART_RATE'),
        ok('HIGH_HEART_RATE'),
        ok(),
        ok(),
      ])
      const samples = await storedSamples(api, user.accessToken)
      assert.deepEqual(
        samples.map((s) => [toSeconds(s.timestamp) - T0, s.bpm]),
        [
          [0, 72],
          [2, 45],
          [3, 39],
          [4, 160],
          [5, 76],
        ],
        'a repeated second is stored once',
      )
    })

    test('StreamHeartRate: requests sent in several bursts are answered in order; an empty stream gets no responses', async () => {
      const user = await signUp(api)
      const { key } = await deviceKey(api, user.accessToken)
      const duplex = seed.StreamHeartRate(withAuth(key))
      const responses: any[] = []
      const ended = new Promise((resolve, reject) => {
        duplex.on('error', reject)
        duplex.on('end', resolve)
      })
      const received = (count: number) =>
        new Promise<void>((resolve) => {
          const check = () => (responses.length >= count ? resolve() : undefined)
          duplex.on('data', (response: unknown) => {
            responses.push(response)
            check()
          })
        })
      const firstTwo = received(2)
      duplex.write({ bpm: 60, timestamp: T0 })
      duplex.write({ bpm: 19, timestamp: T0 + 1 })
      await firstTwo
      for (let i = 2; i < 10; i++) duplex.write({ bpm: 60 + i, timestamp: T0 + i })
      duplex.end()
      await ended
      assert.deepEqual(responses, [ok(), rejected(OUT_OF_RANGE), ...Array.from({ length: 8 }, () => ok())])
      assert.deepEqual(
        (await storedSamples(api, user.accessToken)).map((s) => s.bpm),
        [60, 62, 63, 64, 65, 66, 67, 68, 69],
      )

      assert.deepEqual(await stream(seed, [], { credential: key }), [])
    })

    test('StreamHeartRate: a long burst with repeated seconds is answered in order, each second stored once', async () => {
      const user = await signUp(api)
      const { key } = await deviceKey(api, user.accessToken)
      const requests = Array.from({ length: 400 }, (_, i) => ({
        bpm: i % 50 === 7 ? 300 : 60 + (i % 40),
        timestamp: T0 - 1000 + Math.floor(i / 2),
      }))
      const responses = await stream(seed, requests, { credential: key })
      assert.deepEqual(
        responses,
        requests.map((r) => (r.bpm === 300 ? rejected(OUT_OF_RANGE) : ok())),
      )
      const expected = new Map<number, number>()
      for (const r of requests) if (r.bpm !== 300 && !expected.has(r.timestamp)) expected.set(r.timestamp, r.bpm)
      const samples = await storedSamples(api, user.accessToken)
      assert.deepEqual(
        samples.map((s) => [toSeconds(s.timestamp), s.bpm]),
        [...expected],
      )
    })

    test('GetHeartRateStatus: the last recent_count samples oldest first, stats over them, recent_count <= 0 means 10', async () => {
      const user = await signUp(api)
      const { key } = await deviceKey(api, user.accessToken)
      assert.deepEqual(await call(seed, 'GetHeartRateStatus', { recent_count: 5 }, key), {
        recent_measurements: [],
        alert_active: false,
        alert_type: 'NONE',
        stats: { average_bpm: 0, min_bpm: 0, max_bpm: 0 },
      })
      const bpms = [60, 62, 64, 66, 68, 70, 72, 74, 76, 78, 80, 82]
      await stream(
        seed,
        bpms.map((bpm, i) => ({ bpm, timestamp: T0 + i })),
        { credential: key },
      )

      const three = await call(seed, 'GetHeartRateStatus', { recent_count: 3 }, key)
      assert.deepEqual(three.recent_measurements, [
        { bpm: 78, timestamp: String(T0 + 9), triggered_alert: false },
        { bpm: 80, timestamp: String(T0 + 10), triggered_alert: false },
        { bpm: 82, timestamp: String(T0 + 11), triggered_alert: false },
      ])
      assert.deepEqual(three.stats, { average_bpm: 80, min_bpm: 78, max_bpm: 82 })
      for (const recent_count of [0, -4]) {
        const status = await call(seed, 'GetHeartRateStatus', { recent_count }, key)
        assert.deepEqual(
          status.recent_measurements.map((m: { bpm: number }) => m.bpm),
          bpms.slice(2),
          `recent_count ${recent_count} gives the last 10, not everything`,
        )
        assert.deepEqual(status.stats, { average_bpm: 73, min_bpm: 64, max_bpm: 82 })
      }
      assert.deepEqual((await call(seed, 'GetHeartRateStatus', {}, key)).recent_measurements.length, 10)
    })

    test('GetHeartRateStatus: recent_count is capped at 1000', async () => {
      const user = await signUp(api)
      const { key } = await deviceKey(api, user.accessToken)
      const samples = Array.from({ length: 1005 }, (_, i) => ({ timestamp: (T0 - 2000 + i) * 1000, bpm: 70 }))
      assert.equal((await api.post('/v1/heart-rate/samples', { samples }, key)).body.stored, 1005)
      const status = await call(seed, 'GetHeartRateStatus', { recent_count: 5000 }, key)
      assert.equal(status.recent_measurements.length, 1000)
      assert.equal(status.recent_measurements[0].timestamp, String(T0 - 2000 + 5))
    })

    test('GetHeartRateStatus: the alert is the open episode, and it clears after in-range samples', async () => {
      const user = await signUp(api)
      const { key } = await deviceKey(api, user.accessToken)
      const readAlert = async () => {
        const { alert_active, alert_type } = await call(seed, 'GetHeartRateStatus', { recent_count: 20 }, key)
        return { alert_active, alert_type }
      }
      const submit = (bpm: number, second: number) =>
        call(seed, 'SubmitHeartRate', { bpm, timestamp: T0 + second }, key)
      assert.deepEqual(await readAlert(), { alert_active: false, alert_type: 'NONE' })
      await submit(160, 0)
      assert.deepEqual(await readAlert(), { alert_active: true, alert_type: 'HIGH_HEART_RATE' })
      await submit(80, 1)
      await submit(80, 2)
      assert.deepEqual(
        await readAlert(),
        { alert_active: true, alert_type: 'HIGH_HEART_RATE' },
        'two in-range samples are not enough',
      )
      await submit(80, 3)
      assert.deepEqual(
        await readAlert(),
        { alert_active: false, alert_type: 'NONE' },
        'three close it, although the history holds a HIGH',
      )
      const status = await call(seed, 'GetHeartRateStatus', { recent_count: 20 }, key)
      assert.deepEqual(
        status.recent_measurements.map((m: { triggered_alert: boolean }) => m.triggered_alert),
        [true, false, false, false],
      )
      await submit(45, 4)
      assert.deepEqual(await readAlert(), { alert_active: true, alert_type: 'LOW_HEART_RATE' })
    })

    test('with no credentials calls act for the compat device; a device key or token scopes them to its owner', async () => {
      const compat = await ensureCompatPrincipal({ db: server.app.database.db, now: server.app.now })
      assert.deepEqual(await call(seed, 'SubmitHeartRate', { bpm: 99, timestamp: T0 + 100 }), ok())
      const anonymous = await call(seed, 'GetHeartRateStatus', { recent_count: 1 })
      assert.deepEqual(anonymous.recent_measurements, [
        { bpm: 99, timestamp: String(T0 + 100), triggered_alert: false },
      ])
      const row = await server.app.database.db
        .selectFrom('heart_rate_samples')
        .innerJoin('heart_rate_streams', 'heart_rate_streams.id', 'heart_rate_samples.stream_id')
        .selectAll()
        .where('ts', '=', (T0 + 100) * 1000)
        .executeTakeFirstOrThrow()
      assert.deepEqual([row.user_id, row.device_id], [compat.userId, compat.deviceId])

      const owner = await signUp(api)
      const device = await deviceKey(api, owner.accessToken)
      assert.deepEqual(
        await call(seed, 'SubmitHeartRate', { bpm: 101, timestamp: T0 + 101 }, `Bearer ${device.key}`),
        ok(),
      )
      assert.deepEqual(await stream(seed, [{ bpm: 102, timestamp: T0 + 102 }], { credential: device.key }), [ok()])
      assert.deepEqual(await call(seed, 'SubmitHeartRate', { bpm: 103, timestamp: T0 + 103 }, owner.accessToken), ok())
      const samples = await storedSamples(api, owner.accessToken)
      assert.deepEqual(
        samples.map((s) => [s.bpm, s.deviceId]),
        [
          [101, device.id],
          [102, device.id],
          [103, null],
        ],
      )
      const ownStatus = await call(seed, 'GetHeartRateStatus', { recent_count: 10 }, device.key)
      assert.deepEqual(
        ownStatus.recent_measurements.map((m: { bpm: number }) => m.bpm),
        [101, 102, 103],
      )
      const stillAnonymous = await call(seed, 'GetHeartRateStatus', { recent_count: 1 })
      assert.equal(stillAnonymous.recent_measurements[0].bpm, 99, "the owner's samples are not the compat device's")
    })

    test('a bad credential is UNAUTHENTICATED on every method', async () => {
      const unauthenticated = { code: grpcStatus.UNAUTHENTICATED }
      await assert.rejects(
        call(seed, 'SubmitHeartRate', { bpm: 70, timestamp: T0 }, 'Bearer pbd_stolen'),
        unauthenticated,
      )
      await assert.rejects(call(seed, 'GetHeartRateStatus', {}, 'not a credential'), unauthenticated)
      await assert.rejects(
        call(seed, 'CalculateExerciseZones', { age: 30, measurements: [{ bpm: 100, timestamp: 0 }] }, 'pbd_stolen'),
        unauthenticated,
      )
      await assert.rejects(stream(seed, [{ bpm: 70, timestamp: T0 }], { credential: 'pbd_stolen' }), unauthenticated)
    })

    test('a store failure answers the seed message with status OK; on a stream it answers once and ends it', async () => {
      const user = await signUp(api)
      const { key } = await deviceKey(api, user.accessToken)
      const { db: kysely } = server.app.database
      await kysely.schema.alterTable('heart_rate_samples').renameTo('heart_rate_samples_away').execute()
      try {
        assert.deepEqual(await call(seed, 'SubmitHeartRate', { bpm: 70, timestamp: T0 }, key), rejected(STORE_FAILED))
        assert.deepEqual(
          await call(seed, 'SubmitHeartRate', { bpm: 19, timestamp: T0 }, key),
          rejected(OUT_OF_RANGE),
          'an invalid value is still just invalid',
        )
        const responses = await stream(seed, [{ bpm: 70, timestamp: T0 }], { credential: key, keepOpen: true })
        assert.deepEqual(responses, [rejected(STORE_FAILED)], 'the server ended the stream although the client had not')
      } finally {
        await kysely.schema.alterTable('heart_rate_samples_away').renameTo('heart_rate_samples').execute()
      }
      assert.deepEqual(await storedSamples(api, user.accessToken), [])
    })
  })
}

describe('heartrate compat: CalculateExerciseZones', () => {
  let server: TestApp
  let seed: Seed
  const zones = (age: number, points: Array<[bpm: number, second: number]>) =>
    call(seed, 'CalculateExerciseZones', { age, measurements: points.map(([bpm, timestamp]) => ({ bpm, timestamp })) })

  before(async () => {
    server = await startTestApp({ PULSEBASE_COMPAT: 'heartrate' })
    seed = seedClient(server.grpcAddress)
  })
  after(async () => {
    seed?.close()
    await server?.close()
  })

  test('age <= 0 and no measurements are INVALID_ARGUMENT with the seed details', async () => {
    for (const age of [0, -3]) {
      await assert.rejects(zones(age, [[100, 0]]), {
        code: grpcStatus.INVALID_ARGUMENT,
        details: 'Age must be a positive integer',
      })
    }
    await assert.rejects(zones(30, []), { code: grpcStatus.INVALID_ARGUMENT, details: 'No measurements provided' })
    await assert.rejects(zones(0, []), { details: 'Age must be a positive integer' }, 'age is checked first')
  })

  test('one measurement gives zeros and its bpm as the average', async () => {
    assert.deepEqual(await zones(30, [[120, 1000]]), {
      zone1_time: 0,
      zone2_time: 0,
      zone3_time: 0,
      total_duration: 0,
      average_heart_rate: 120,
    })
  })

  test('every interval is counted (the seed stops after three)', async () => {
    // max 190: 110 -> 58% zone 1, 130 -> 68% zone 2, 150 -> 79% zone 3, 165 -> 87% zone 3
    const points: Array<[number, number]> = [
      [100, 0],
      [120, 60],
      [140, 120],
      [160, 180],
      [170, 240],
    ]
    const expected = { zone1_time: 60, zone2_time: 60, zone3_time: 120, total_duration: 240, average_heart_rate: 138 }
    assert.deepEqual(await zones(30, points), expected)
    assert.deepEqual(await zones(30, [...points].reverse()), expected, 'measurements are sorted by timestamp')
  })

  test('total_duration includes time outside the zones; intervals of zero length are skipped', async () => {
    // 61/190 and 81/190 are below zone 1; 177.5/190 is above zone 3 (0.9 and up is no zone).
    assert.deepEqual(
      await zones(30, [
        [60, 0],
        [62, 60],
        [100, 120],
      ]),
      { zone1_time: 0, zone2_time: 0, zone3_time: 0, total_duration: 120, average_heart_rate: 74 },
    )
    assert.deepEqual(
      await zones(30, [
        [175, 0],
        [180, 30],
      ]),
      { zone1_time: 0, zone2_time: 0, zone3_time: 0, total_duration: 30, average_heart_rate: 177.5 },
    )
    assert.deepEqual(
      await zones(30, [
        [110, 0],
        [110, 0],
        [110, 45],
      ]),
      { zone1_time: 45, zone2_time: 0, zone3_time: 0, total_duration: 45, average_heart_rate: 110 },
    )
  })
})

describe('heartrate compat: switched off and guarded', () => {
  test('without PULSEBASE_COMPAT=heartrate the service is UNIMPLEMENTED', async () => {
    const server = await startTestApp()
    const seed = seedClient(server.grpcAddress)
    try {
      await assert.rejects(call(seed, 'SubmitHeartRate', { bpm: 70, timestamp: T0 }), {
        code: grpcStatus.UNIMPLEMENTED,
      })
      await assert.rejects(call(seed, 'CalculateExerciseZones', { age: 30, measurements: [] }), {
        code: grpcStatus.UNIMPLEMENTED,
      })
    } finally {
      seed.close()
      await server.close()
    }
  })

  test('an account someone registered with the compat address never receives seed data', async () => {
    const server = await startTestApp({ PULSEBASE_COMPAT: 'heartrate' })
    const seed = seedClient(server.grpcAddress)
    try {
      const api = client(server.url)
      const squatter = await signUp(api, { email: COMPAT_EMAIL })
      await assert.rejects(call(seed, 'SubmitHeartRate', { bpm: 70, timestamp: T0 }), { code: grpcStatus.INTERNAL })
      assert.deepEqual(await storedSamples(api, squatter.accessToken), [])
    } finally {
      seed.close()
      await server.close()
    }
  })
})
