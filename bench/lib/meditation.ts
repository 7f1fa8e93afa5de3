// A simulated meditator's account on a bench server: sessions posted over HTTP, trainings awaited.
import { simulatedUserSessions, toSessionBody } from '../../src/domains/meditation/simulator.js'
import { sleep } from './stats.js'

export interface JsonReply {
  readonly status: number
  readonly body: any // eslint-disable-line @typescript-eslint/no-explicit-any -- the server's own documented JSON
}

export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<JsonReply> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) }
}

/** Registers an account and stores `periods` simulated periods (5 per session, 15 samples each); resolves to its token. */
export async function meditator(base: string, seed: number, periods: number): Promise<string> {
  const account = await call(base, 'POST', '/v1/auth/register', {
    email: `bench-${seed}-${Date.now()}@example.com`,
    password: 'bench meditator',
  })
  if (account.status !== 201) throw new Error(`register: ${account.status} ${JSON.stringify(account.body)}`)
  const token = account.body.accessToken as string
  for (const session of simulatedUserSessions(seed, periods).sessions) {
    const stored = await call(base, 'POST', '/v1/meditation/sessions', toSessionBody(session), token)
    if (stored.status !== 201) throw new Error(`session: ${stored.status} ${JSON.stringify(stored.body)}`)
  }
  return token
}

export async function startTraining(base: string, token: string): Promise<string> {
  const job = await call(base, 'POST', '/v1/training-jobs', { kind: 'meditation' }, token)
  if (job.status !== 202) throw new Error(`training: ${job.status} ${JSON.stringify(job.body)}`)
  return job.body.id as string
}

/** Polls the job every `pollMs` until it finishes; throws unless it succeeded. */
export async function awaitTraining(base: string, token: string, id: string, pollMs = 20): Promise<JsonReply['body']> {
  for (;;) {
    const job = await call(base, 'GET', `/v1/training-jobs/${id}`, undefined, token)
    if (job.body.state === 'succeeded') return job.body
    if (job.body.state !== 'queued' && job.body.state !== 'running')
      throw new Error(`training ${job.body.state}: ${job.body.error}`)
    await sleep(pollMs)
  }
}
