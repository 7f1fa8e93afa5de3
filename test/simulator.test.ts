// The recommender against the simulated meditator, end to end through the server: sessions in,
// a queued training job, a recommendation out. The simulator knows the heart rate each
// configuration truly settles at, so the recommendation can be judged: it must beat the median
// random configuration for at least 8 of 10 seeded users. A recommender that learned nothing wins
// about half of them (8 or more of 10 by luck: 5.5 %).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { randomConfig, settledHeartRate } from '../src/domains/meditation/simulator.js'
import { client, signUp, startTestApp, type Client, type TestApp } from './helpers/app.js'
import { simulatedSessions, toV1Body } from './helpers/meditation.js'

const USERS = 10
const PERIODS = 40 // the seed's training size

describe('the recommender on simulated meditators', () => {
  let server: TestApp
  let api: Client
  before(async () => {
    server = await startTestApp({ PULSEBASE_ML_TRAINING_THREADS: '2' })
    await server.app.startWorker()
    api = client(server.url)
  })
  after(() => server?.close())

  async function trainedUser(seed: number) {
    const account = await signUp(api)
    const simulated = simulatedSessions(seed, PERIODS)
    for (const session of simulated.sessions)
      assert.equal((await api.post('/v1/meditation/sessions', toV1Body(session), account.accessToken)).status, 201)
    const job = await api.post('/v1/training-jobs', { kind: 'meditation' }, account.accessToken)
    assert.equal(job.status, 202, JSON.stringify(job.body))
    return { account, simulated, jobId: job.body.id as string }
  }

  test(`beats the median random configuration for at least 8 of ${USERS} users`, async () => {
    const users = await Promise.all(Array.from({ length: USERS }, (_, i) => trainedUser(1000 + i)))
    const lines: string[] = []
    let wins = 0
    for (const { account, simulated, jobId } of users) {
      for (let i = 0; ; i += 1) {
        const state = (await api.get(`/v1/training-jobs/${jobId}`, account.accessToken)).body.state
        if (state === 'succeeded') break
        assert.ok(state === 'queued' || state === 'running', `training ${state}`)
        assert.ok(i < 1200, 'training did not finish')
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      const rec = await api.post('/v1/recommendations/meditation', {}, account.accessToken)
      assert.equal(rec.status, 200, JSON.stringify(rec.body))
      const settled = settledHeartRate(simulated.user, rec.body)
      const randoms = Array.from({ length: 501 }, () =>
        settledHeartRate(simulated.user, randomConfig(simulated.random)),
      ).sort((a, b) => a - b)
      const median = randoms[250]!
      if (settled < median) wins += 1
      lines.push(
        `${rec.body.visualization} ${rec.body.beatFrequency} Hz x${rec.body.breathingMultiplier}: settles at ${settled.toFixed(1)} bpm, random median ${median.toFixed(1)}, best ${randoms[0]!.toFixed(1)}`,
      )
    }
    assert.ok(wins >= 8, `won ${wins} of ${USERS}:\n${lines.join('\n')}`)
  })
})
