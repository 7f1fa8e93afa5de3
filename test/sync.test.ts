import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'
import { simulatedSessions, toV1Body } from './helpers/meditation.js'

const T0 = Date.now() - 3_600_000
const at = (seconds: number) => T0 + seconds * 1000
type Change = { cursor: string; kind: string; id: string; change: string; data: any }

for (const target of await databaseTargets()) {
  describe(`the sync feed on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let server: TestApp
    let api: Client

    before(async () => {
      db = await target.create()
      server = await startTestApp({ PULSEBASE_DATABASE_URL: db.url })
      api = client(server.url)
    })
    after(async () => {
      await server?.close()
      await db?.drop()
    })

    const feed = async (token: string, since?: string) => {
      const reply = await api.get(`/v1/sync?limit=1000${since === undefined ? '' : `&since=${since}`}`, token)
      assert.equal(reply.status, 200, JSON.stringify(reply.body))
      return reply.body as { changes: Change[]; cursor: string; hasMore: boolean }
    }

    test('every user-owned change appears: devices, alerts, meditation sessions and training jobs, each with its entity as it is now', async () => {
      const user = await signUp(api)
      const watch = (await api.post('/v1/devices', { name: 'watch', kind: 'watch' }, user.accessToken)).body
      await api.patch(`/v1/devices/${watch.device.id}`, { name: 'strap', timeZone: 'Europe/Berlin' }, user.accessToken)
      await api.post(`/v1/devices/${watch.device.id}/revoke`, undefined, user.accessToken)
      const posted = await api.post(
        '/v1/heart-rate/samples',
        {
          samples: [
            [0, 160],
            [1, 90],
            [2, 90],
            [3, 90],
          ].map(([s, bpm]) => ({ timestamp: at(s as number), bpm })),
        },
        user.accessToken,
      )
      const alertId = posted.body.alerts[0].id as string
      await api.post(`/v1/heart-rate/alerts/${alertId}/acknowledge`, undefined, user.accessToken)
      const session = (
        await api.post('/v1/meditation/sessions', toV1Body(simulatedSessions(5, 2).sessions[0]!), user.accessToken)
      ).body
      await api.delete(`/v1/meditation/sessions/${session.id}`, user.accessToken)
      const { sessions } = simulatedSessions(6, 45)
      for (const s of sessions) {
        const stored = await api.post('/v1/meditation/sessions', toV1Body(s), user.accessToken)
        assert.equal(stored.status, 201, JSON.stringify(stored.body).slice(0, 300))
      }
      const requested = await api.post('/v1/training-jobs', { kind: 'meditation' }, user.accessToken)
      assert.equal(requested.status, 202, JSON.stringify(requested.body))
      const job = requested.body
      await api.post(`/v1/training-jobs/${job.id}/cancel`, undefined, user.accessToken)
      await api.delete(`/v1/devices/${watch.device.id}`, user.accessToken)

      const { changes, cursor, hasMore } = await feed(user.accessToken)
      assert.equal(hasMore, false)
      const of = (kind: string) => changes.filter((c) => c.kind === kind)
      assert.deepEqual(
        of('device').map((c) => c.change),
        ['created', 'updated', 'revoked', 'deleted'],
      )
      assert.ok(
        of('device').every((c) => c.data === null),
        'a deleted device is gone',
      )
      assert.deepEqual(
        of('alert').map((c) => [c.id, c.change]),
        [
          [alertId, 'opened'],
          [alertId, 'closed'],
          [alertId, 'acknowledged'],
        ],
      )
      assert.notEqual(of('alert')[0]?.data.acknowledgedAt, null, 'each change carries the entity as it is now')
      assert.deepEqual(
        of('meditation-session')
          .slice(0, 2)
          .map((c) => [c.id, c.change, c.data]),
        [
          [session.id, 'created', null],
          [session.id, 'deleted', null],
        ],
      )
      assert.equal(of('meditation-session').length, 2 + sessions.length)
      assert.deepEqual(
        of('training-job').map((c) => [c.id, c.change, c.data.state]),
        [
          [job.id, 'queued', 'cancelled'],
          [job.id, 'cancelled', 'cancelled'],
        ],
      )
      const cursors = changes.map((c) => c.cursor)
      assert.equal(new Set(cursors).size, cursors.length)
      assert.equal(cursor, cursors.at(-1))

      const caughtUp = await feed(user.accessToken, cursor)
      assert.deepEqual([caughtUp.changes, caughtUp.cursor], [[], cursor])
      const middle = await feed(user.accessToken, changes[4]?.cursor)
      assert.deepEqual(
        middle.changes.map((c) => c.cursor),
        cursors.slice(5),
      )
    })

    test("a new account's first changes made at once all commit, each with its own cursor", async () => {
      for (let round = 0; round < 5; round += 1) {
        const user = await signUp(api)
        const created = await Promise.all(
          ['a', 'b', 'c', 'd'].map((name) => api.post('/v1/devices', { name, kind: 'watch' }, user.accessToken)),
        )
        assert.deepEqual(
          created.map((r) => r.status),
          [201, 201, 201, 201],
          JSON.stringify(created.map((r) => r.body)),
        )
        const { changes } = await feed(user.accessToken)
        assert.deepEqual(
          changes.map((c) => c.change),
          ['created', 'created', 'created', 'created'],
        )
        assert.equal(new Set(changes.map((c) => c.cursor)).size, 4)
      }
    })

    test("a cursor of another account, one beyond the feed's end, or a made-up one is a 400 telling the client to start again", async () => {
      const mine = await signUp(api)
      const theirs = await signUp(api)
      await api.post('/v1/devices', { name: 'a', kind: 'watch' }, mine.accessToken)
      for (const name of ['b', 'c', 'd']) await api.post('/v1/devices', { name, kind: 'watch' }, theirs.accessToken)
      const their = await feed(theirs.accessToken)
      const mineNow = await feed(mine.accessToken)
      for (const since of [their.changes[0]!.cursor, their.cursor, '99', '5.deadbeef', 'nonsense']) {
        const reply = await api.get(`/v1/sync?since=${since}`, mine.accessToken)
        assert.equal(reply.status, 400, since)
        assert.equal(reply.body.error.details[0].reason, 'cursor_unknown', since)
        assert.match(reply.body.error.message, /without since/)
      }
      assert.equal((await api.get(`/v1/sync?since=${mineNow.cursor}`, mine.accessToken)).status, 200)
      assert.equal((await api.get('/v1/sync?since=0', mine.accessToken)).body.changes.length, 1, 'since=0 is the start')
      assert.equal(
        (await api.get('/v1/sync?since=1', mine.accessToken)).status,
        200,
        'a bare number (older cursors) within the feed',
      )
    })
  })
}
