import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { publishJob } from '../src/jobs.js'
import { TrainingEvent } from '../src/domains/ml/ml.schema.js'
import { schemaProblems } from '../src/platform/validation/schema-check.js'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { simulatedSessions, toV1Body } from './helpers/meditation.js'
import { pollUntil } from './helpers/poll.js'
import { connect } from './helpers/sockets.js'

const TERMINAL = ['succeeded', 'failed', 'cancelled']

for (const target of await databaseTargets()) {
  describe(`meditation sessions, training jobs and recommendations on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client

    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url, PULSEBASE_ML_TRAINING_THREADS: '1' })
      api = client(server.url)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    test('a session is stored whole, read back, visible to the heart-rate API, and deleted with its samples', async () => {
      const user = await signUp(api)
      const body = toV1Body(simulatedSessions(1, 5).sessions[0]!)
      const created = await api.post('/v1/meditation/sessions', body, user.accessToken)
      assert.equal(created.status, 201, JSON.stringify(created.body))
      assert.equal(created.body.periods.length, 5)
      const read = await api.get(`/v1/meditation/sessions/${created.body.id}`, user.accessToken)
      assert.equal(read.status, 200)
      assert.deepEqual(read.body, created.body)
      assert.deepEqual(read.body.periods[0].breathingPattern, body.periods[0]!.breathingPattern)
      assert.equal(read.body.periods[2].heartRates.length, 15)

      const first = body.periods[0]!.heartRates[0]!.timestamp
      const last = body.periods[4]!.heartRates[14]!.timestamp
      const range = `from=${encodeURIComponent(first)}&to=${encodeURIComponent(new Date(Date.parse(last) + 1).toISOString())}`
      const samples = await api.get(`/v1/heart-rate/samples?${range}`, user.accessToken)
      assert.equal(samples.status, 200)
      assert.equal(samples.body.samples.length, 75)

      const other = await signUp(api)
      assert.equal((await api.get(`/v1/meditation/sessions/${created.body.id}`, other.accessToken)).status, 404)
      assert.equal((await api.delete(`/v1/meditation/sessions/${created.body.id}`, other.accessToken)).status, 404)
      assert.deepEqual((await api.get('/v1/meditation/sessions', other.accessToken)).body.sessions, [])

      assert.equal((await api.delete(`/v1/meditation/sessions/${created.body.id}`, user.accessToken)).status, 204)
      assert.equal((await api.get(`/v1/meditation/sessions/${created.body.id}`, user.accessToken)).status, 404)
      assert.equal((await api.get(`/v1/heart-rate/samples?${range}`, user.accessToken)).body.samples.length, 0)
    })

    test('the session list pages newest first with a cursor; a cursor this server did not give out is a 400', async () => {
      const user = await signUp(api)
      const bodies = simulatedSessions(2, 25).sessions.map(toV1Body)
      const ids: string[] = []
      for (const body of bodies) ids.push((await api.post('/v1/meditation/sessions', body, user.accessToken)).body.id)
      const newestFirst = [...ids].reverse()
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const reply: { status: number; body: { sessions: Array<{ id: string }>; nextCursor: string | null } } =
          await api.get(
            `/v1/meditation/sessions?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
            user.accessToken,
          )
        assert.equal(reply.status, 200)
        assert.ok(reply.body.sessions.length <= 2)
        seen.push(...reply.body.sessions.map((s) => s.id))
        cursor = reply.body.nextCursor
      } while (cursor !== null)
      assert.deepEqual(seen, newestFirst)
      const whole = await api.get('/v1/meditation/sessions', user.accessToken)
      assert.deepEqual(
        [whole.body.sessions.map((s: { id: string }) => s.id), whole.body.nextCursor],
        [newestFirst, null],
      )
      for (const bad of ['bogus', Buffer.from('12:not-an-id').toString('base64url')]) {
        const reply = await api.get(`/v1/meditation/sessions?cursor=${bad}`, user.accessToken)
        assert.equal(reply.status, 400)
        assert.equal(reply.body.error.details[0].path, 'querystring.cursor')
      }
    })

    test('a bad session is refused whole with a 400 naming the field, and nothing is stored', async () => {
      const user = await signUp(api)
      const body = toV1Body(simulatedSessions(2, 5).sessions[0]!)
      const bad = { ...body, periods: [body.periods[0], { ...body.periods[1], visualization: 'disco' }] }
      const reply = await api.post('/v1/meditation/sessions', bad, user.accessToken)
      assert.equal(reply.status, 400)
      assert.match(reply.body.error.message, /periods\.1\.visualization/)
      assert.equal((await api.post('/v1/meditation/sessions', { ...body, periods: [] }, user.accessToken)).status, 400)
      assert.deepEqual((await api.get('/v1/meditation/sessions', user.accessToken)).body.sessions, [])
      assert.equal((await api.post('/v1/meditation/sessions', body)).status, 401)
    })

    test('session measurements take the one ingest path: the same checks, and the same alert episodes', async () => {
      const user = await signUp(api)
      const body = toV1Body(simulatedSessions(4, 2).sessions[0]!)
      const period = body.periods[0]!
      const old = {
        ...body,
        periods: [
          { ...period, heartRates: [{ timestamp: '1999-12-31T23:59:59Z', bpm: 70 }, ...period.heartRates.slice(1)] },
        ],
      }
      const refused = await api.post('/v1/meditation/sessions', old, user.accessToken)
      assert.equal(refused.status, 400)
      assert.deepEqual(
        refused.body.error.details.map((d: { path: string; reason: string }) => [d.path, d.reason]),
        [['body.periods.0.heartRates.0.timestamp', 'timestamp_before_2000']],
      )
      const implausible = { ...body, periods: [{ ...period, heartRates: [{ ...period.heartRates[0]!, bpm: 255 }] }] }
      assert.equal(
        (await api.post('/v1/meditation/sessions', implausible, user.accessToken)).body.error.details[0].reason,
        'bpm_out_of_range',
      )
      const leap = { ...body, date: '2026-02-29T20:00:00Z' }
      assert.equal((await api.post('/v1/meditation/sessions', leap, user.accessToken)).status, 400)
      assert.deepEqual((await api.get('/v1/meditation/sessions', user.accessToken)).body.sessions, [], 'nothing stored')

      const start = Date.parse(period.heartRates[0]!.timestamp)
      const racing = {
        ...body,
        periods: [
          {
            ...period,
            heartRates: [0, 2, 4, 6].map((s, i) => ({
              timestamp: new Date(start + s * 1000).toISOString(),
              bpm: [70, 165, 170, 168][i]!,
            })),
          },
        ],
      }
      assert.equal((await api.post('/v1/meditation/sessions', racing, user.accessToken)).status, 201)
      const alerts = (await api.get('/v1/heart-rate/alerts', user.accessToken)).body.alerts
      assert.deepEqual(
        alerts.map((a: { kind: string; openedAt: string; peakBpm: number; sampleCount: number }) => [
          a.kind,
          a.openedAt,
          a.peakBpm,
          a.sampleCount,
        ]),
        [['HIGH', new Date(start + 2000).toISOString(), 170, 3]],
      )
      const stored = await api.get(`/v1/heart-rate/samples?from=${start}&to=${start + 10_000}`, user.accessToken)
      assert.deepEqual(
        stored.body.samples.map((x: { alert: string | null }) => x.alert),
        [null, 'HIGH', 'HIGH', 'HIGH'],
      )
    })

    test('training: 400 below the minimum, then a queued job runs with live epochs, stores a versioned model, and recommends', async () => {
      const user = await signUp(api)
      const { sessions } = simulatedSessions(3, 45)
      for (const session of sessions.slice(0, 7))
        assert.equal((await api.post('/v1/meditation/sessions', toV1Body(session), user.accessToken)).status, 201)
      const early = await api.post('/v1/training-jobs', { kind: 'meditation' }, user.accessToken)
      assert.equal(early.status, 400)
      assert.equal(
        early.body.error.message,
        'Training needs at least 40 meditation periods with heart-rate measurements; there are 35',
      )
      assert.equal((await api.post('/v1/recommendations/meditation', {}, user.accessToken)).status, 404)
      for (const session of sessions.slice(7))
        assert.equal((await api.post('/v1/meditation/sessions', toV1Body(session), user.accessToken)).status, 201)

      const socket = await connect(server.url, user.accessToken)
      const events: any[] = []
      socket.on('training', (event) => events.push(event))
      await server.app.startWorker()
      const queued = await api.post('/v1/training-jobs', { kind: 'meditation' }, user.accessToken)
      assert.equal(queued.status, 202)
      assert.equal(queued.body.state, 'queued')
      const id = queued.body.id as string
      const job = await pollUntil(
        () => api.get(`/v1/training-jobs/${id}`, user.accessToken),
        (r) => TERMINAL.includes(r.body.state),
        'training to finish',
      )
      assert.equal(job.body.state, 'succeeded', JSON.stringify(job.body))
      assert.equal(job.body.attempts, 1)
      assert.ok(job.body.durationMs > 0)
      assert.ok(job.body.epochs.length >= 2)
      assert.deepEqual(
        job.body.epochs.map((e: any) => e.epoch),
        job.body.epochs.map((_: unknown, i: number) => i + 1),
      )
      assert.ok(job.body.epochs.every((e: any) => Number.isFinite(e.loss) && Number.isFinite(e.valLoss)))

      await pollUntil(
        async () => events,
        (e) => e.some((x) => x.state === 'succeeded'),
        'the succeeded event',
      )
      socket.close()
      for (const event of events)
        assert.deepEqual(
          schemaProblems(TrainingEvent, event, 'training'),
          [],
          'every training event matches its schema',
        )
      assert.deepEqual([...new Set(events.map((e) => e.state))], ['queued', 'running', 'succeeded'])
      assert.ok(events.filter((e) => e.epoch !== undefined).length >= 2)
      assert.equal(events.at(-1).modelId, job.body.modelId)

      const models = await api.get('/v1/models', user.accessToken)
      assert.equal(models.body.models.length, 1)
      const model = models.body.models[0]
      assert.deepEqual(
        [model.id, model.version, model.kind, model.trainingJobId],
        [job.body.modelId, 1, 'meditation', id],
      )
      assert.equal(model.examples, 42)
      assert.ok(model.metrics.heldOutMae > 0 && model.metrics.persistenceMae > 0, JSON.stringify(model.metrics))
      assert.equal(model.dataFrom, new Date(sessions[0]!.date).toISOString())
      assert.equal(model.dataTo, new Date(sessions.at(-1)!.date).toISOString())

      const rec = await api.post('/v1/recommendations/meditation', {}, user.accessToken)
      assert.equal(rec.status, 200, JSON.stringify(rec.body))
      assert.ok(rec.body.candidates >= 100)
      assert.ok(rec.body.beatFrequency >= 1 && rec.body.beatFrequency <= 40)
      assert.ok(
        ['arctic', 'aurora', 'circle', 'city', 'golden', 'japan', 'metropolis', 'nature', 'plants', 'skyline'].includes(
          rec.body.visualization,
        ),
      )
      assert.deepEqual([rec.body.modelId, rec.body.modelVersion], [model.id, 1])
      assert.ok(rec.body.predictedHeartRate > 30 && rec.body.predictedHeartRate < 150)

      // Same data, same model: the same answer, every time (the candidates are seeded by the model).
      const again = await Promise.all(
        [1, 2, 3].map(() => api.post('/v1/recommendations/meditation', {}, user.accessToken)),
      )
      for (const reply of again) assert.deepEqual(reply.body, rec.body)

      const feed = (await api.get('/v1/sync?limit=1000', user.accessToken)).body.changes as Array<{
        kind: string
        id: string
        change: string
        data: any
      }>
      assert.deepEqual(
        feed.filter((c) => c.kind === 'training-job').map((c) => c.change),
        ['queued', 'running', 'succeeded'],
      )
      assert.deepEqual(
        feed.filter((c) => c.kind === 'model').map((c) => [c.id, c.change, c.data.version]),
        [[model.id, 'created', 1]],
      )
      assert.equal(
        feed.filter((c) => c.kind === 'meditation-session' && c.change === 'created').length,
        sessions.length,
      )

      const second = await api.post('/v1/training-jobs', { kind: 'meditation' }, user.accessToken)
      await pollUntil(
        () => api.get(`/v1/training-jobs/${second.body.id}`, user.accessToken),
        (r) => TERMINAL.includes(r.body.state),
        'the second training',
      )
      const versions = (await api.get('/v1/models', user.accessToken)).body.models.map((m: any) => m.version)
      assert.deepEqual(versions, [2, 1])
      const models1 = await api.get('/v1/models?limit=1', user.accessToken)
      assert.deepEqual(
        [models1.body.models.map((m: any) => m.version), typeof models1.body.nextCursor],
        [[2], 'string'],
      )
      const models2 = await api.get(`/v1/models?limit=1&cursor=${models1.body.nextCursor}`, user.accessToken)
      assert.deepEqual([models2.body.models.map((m: any) => m.version), models2.body.nextCursor], [[1], null])
      const jobs1 = await api.get('/v1/training-jobs?limit=1', user.accessToken)
      assert.deepEqual(
        jobs1.body.trainingJobs.map((j: any) => j.id),
        [second.body.id],
      )
      const jobs2 = await api.get(`/v1/training-jobs?limit=1&cursor=${jobs1.body.nextCursor}`, user.accessToken)
      assert.deepEqual([jobs2.body.trainingJobs.map((j: any) => j.id), jobs2.body.nextCursor], [[id], null])
      for (const path of ['/v1/models', '/v1/training-jobs']) {
        const bogus = await api.get(`${path}?cursor=bogus`, user.accessToken)
        assert.equal(bogus.status, 400, path)
        assert.equal(bogus.body.error.details[0].path, 'querystring.cursor')
      }
      const stolen = await api.get(
        `/v1/models?limit=1&cursor=${models1.body.nextCursor}`,
        (await signUp(api)).accessToken,
      )
      assert.deepEqual(
        stolen.body,
        { models: [], nextCursor: null },
        "another user's cursor shows nothing of the first user",
      )
      assert.equal((await api.post('/v1/recommendations/meditation', {}, user.accessToken)).body.modelVersion, 2)

      const other = await signUp(api)
      assert.equal((await api.get(`/v1/training-jobs/${id}`, other.accessToken)).status, 404)
      assert.deepEqual((await api.get('/v1/models', other.accessToken)).body.models, [])
      assert.equal((await api.post(`/v1/training-jobs/${id}/cancel`, undefined, other.accessToken)).status, 404)
      assert.equal((await api.post(`/v1/training-jobs/${id}/cancel`, undefined, user.accessToken)).status, 409)
    })

    test('a running job whose worker stopped beating is failed visibly by the sweep, with its reason', async () => {
      const user = await signUp(api)
      const id = randomUUID()
      const long = Date.now() - 10 * 60_000
      await server.app.database.db
        .insertInto('ml_training_jobs')
        .values({
          id,
          user_id: user.userId,
          kind: 'meditation',
          state: 'running',
          params: '{}',
          attempts: 1,
          error: null,
          model_id: null,
          is_cancel_requested: 0,
          created_at: long,
          started_at: long,
          heartbeat_at: long,
          finished_at: null,
          duration_ms: null,
        })
        .execute()
      await server.app.startWorker()
      await publishJob(server.app.queue, 'maintenance.cleanup', {})
      const job = await pollUntil(
        () => api.get(`/v1/training-jobs/${id}`, user.accessToken),
        (r) => r.body.state !== 'running',
        'the sweep',
      )
      assert.equal(job.body.state, 'failed')
      assert.match(job.body.error, /its worker was lost/)
    })
  })
}

describe('cancelling a queued training job (no worker running)', () => {
  let server: TestApp
  let api: Client
  before(async () => {
    server = await startTestApp({ PULSEBASE_MEDITATION_MIN_PERIODS: '5' })
    api = client(server.url)
  })
  after(() => server?.close())

  test('cancel answers the cancelled job at once, a second cancel is a 409, and a later delivery leaves it cancelled', async () => {
    const user = await signUp(api)
    for (const session of simulatedSessions(4, 10).sessions)
      await api.post('/v1/meditation/sessions', toV1Body(session), user.accessToken)
    const queued = await api.post('/v1/training-jobs', { kind: 'meditation' }, user.accessToken)
    assert.equal(queued.status, 202)
    const second = await api.post('/v1/training-jobs', { kind: 'meditation' }, user.accessToken)
    assert.equal(second.status, 409)
    assert.equal(
      second.body.error.message,
      `A meditation model is already training (job ${queued.body.id}, queued); wait for it or cancel it`,
    )
    const cancelled = await api.post(`/v1/training-jobs/${queued.body.id}/cancel`, undefined, user.accessToken)
    assert.equal(cancelled.status, 200)
    assert.equal(cancelled.body.state, 'cancelled')
    assert.ok(cancelled.body.finishedAt !== null)
    const again = await api.post(`/v1/training-jobs/${queued.body.id}/cancel`, undefined, user.accessToken)
    assert.equal(again.status, 409)
    assert.equal(again.body.error.message, `Training job ${queued.body.id} has already been cancelled`)
    const next = await api.post('/v1/training-jobs', { kind: 'meditation' }, user.accessToken)
    assert.equal(next.status, 202, 'a cancelled job no longer blocks a new one')
    assert.equal(
      (await api.post(`/v1/training-jobs/${next.body.id}/cancel`, undefined, user.accessToken)).body.state,
      'cancelled',
    )
    await server.app.startWorker()
    const delivery = () =>
      server.app.database.db.selectFrom('jobs').select('status').where('queue', '=', 'ml.train').execute()
    await pollUntil(
      delivery,
      (rows) => rows.length === 2 && rows.every((r) => r.status === 'done'),
      'the ml.train deliveries to be handled',
    )
    const listed = await api.get('/v1/training-jobs', user.accessToken)
    assert.deepEqual(
      listed.body.trainingJobs.map((j: any) => [j.id, j.state, j.attempts]),
      [
        [next.body.id, 'cancelled', 0],
        [queued.body.id, 'cancelled', 0],
      ],
    )
  })
})
