// Sign-up and login abuse (issue 11, point 6): sign-ups throttled per client address, anonymous
// MindSync identities following PULSEBASE_REGISTRATION, login limits per account and address
// (someone else's failures never lock the owner out) with a progressive delay instead of a lock.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { loginDelayMs } from '../src/domains/auth/auth.service.js'
import type { Client, TestApp } from './helpers/app.js'
import { type DatabaseApp, startDatabaseApp } from './helpers/database-app.js'
import { databaseTargets } from './helpers/databases.js'
import { simulatedSessions, toMindsyncBody } from './helpers/meditation.js'

const targets = (await databaseTargets()).filter((t) => t.kind !== 'mysql')
const from = (address: string) => ({ 'x-forwarded-for': address })

test('the login delay grows per failure after three, doubling up to 5 s, and never locks', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 10, 100].map(loginDelayMs), [0, 0, 0, 0, 100, 200, 400, 800, 5000, 5000])
})

for (const target of targets) {
  describe(`sign-up and login abuse on ${target.kind}`, { skip: target.skip }, () => {
    let started: DatabaseApp | undefined
    let api: Client
    before(async () => {
      started = await startDatabaseApp(target, {
        PULSEBASE_TRUST_PROXY: 'true',
        PULSEBASE_REGISTRATIONS_PER_ADDRESS: '3',
        PULSEBASE_LOGIN_ATTEMPTS_PER_ACCOUNT: '3',
      })
      api = started.api
    })
    after(async () => {
      await started?.close()
    })

    test('sign-ups are throttled per client address, with Retry-After; another address is not', async () => {
      const register = (address: string) =>
        api.post(
          '/v1/auth/register',
          { email: `${randomUUID()}@example.com`, password: 'correct horse battery' },
          undefined,
          from(address),
        )
      const statuses = []
      for (let i = 0; i < 4; i += 1) statuses.push((await register('10.1.0.1')).status)
      assert.deepEqual(statuses, [201, 201, 201, 429])
      const limited = await register('10.1.0.1')
      assert.equal(limited.body.error.code, 'rate_limited')
      assert.ok(Number(limited.headers.get('retry-after')) > 0)
      assert.equal((await register('10.1.0.2')).status, 201)
    })

    test("ten wrong passwords from one address do not lock the owner out: their address is limited, the owner's is not", async () => {
      const user = await api
        .post(
          '/v1/auth/register',
          { email: `${randomUUID()}@example.com`, password: 'correct horse battery' },
          undefined,
          from('10.2.0.9'),
        )
        .then((r) => ({ email: r.body.user.email as string }))
      const attacker: number[] = []
      for (let i = 0; i < 4; i += 1)
        attacker.push(
          (await api.post('/v1/auth/login', { email: user.email, password: 'guess' }, undefined, from('10.2.0.1')))
            .status,
        )
      assert.deepEqual(attacker, [401, 401, 401, 429])
      const owner = await api.post(
        '/v1/auth/login',
        { email: user.email, password: 'correct horse battery' },
        undefined,
        from('10.2.0.2'),
      )
      assert.equal(owner.status, 200, 'the owner logs in from their own address')
    })
  })

  describe(`anonymous MindSync identities with registration closed on ${target.kind}`, { skip: target.skip }, () => {
    let started: DatabaseApp | undefined
    let server: TestApp
    let api: Client
    before(async () => {
      started = await startDatabaseApp(target, { PULSEBASE_REGISTRATION: 'closed', PULSEBASE_COMPAT: 'mindsync' })
      ;({ server, api } = started)
    })
    after(async () => {
      await started?.close()
    })

    test('a new MindSync device id makes no account while registration is closed', async () => {
      const deviceId = randomUUID()
      const body = toMindsyncBody(deviceId, simulatedSessions(1, 5).sessions[0]!)
      const reply = await api.post('/meditations', body)
      assert.equal(reply.status, 403, JSON.stringify(reply.body))
      assert.match(reply.body.error, /Registration is closed/)
      const users = await server.app.database.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      assert.equal(Number(users.n), 0, 'no user was created')
      assert.equal((await api.get(`/meditations?deviceId=${deviceId}`)).status, 404)
    })
  })
}
