import { randomUUID } from 'node:crypto'

async function postJson(url: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token !== undefined && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  if (response.status !== 201) throw new Error(`POST ${url} answered ${response.status}: ${text}`)
  return JSON.parse(text) as Record<string, unknown>
}

/** Registers a fresh user; resolves with its access token. */
export async function registerUser(httpUrl: string): Promise<string> {
  const email = `bench-${randomUUID()}@example.com`
  const { accessToken } = await postJson(`${httpUrl}/v1/auth/register`, { email, password: 'bench-password-1' })
  if (typeof accessToken !== 'string') throw new Error('register answered no accessToken')
  return accessToken
}

/** Registers a fresh user and creates `count` watch devices; resolves with their API keys. */
export async function enrollDevices(httpUrl: string, count: number): Promise<string[]> {
  const accessToken = await registerUser(httpUrl)
  const keys: string[] = []
  for (let i = 0; i < count; i += 1) {
    const { apiKey } = await postJson(`${httpUrl}/v1/devices`, { name: `bench watch ${i}`, kind: 'watch' }, accessToken)
    if (typeof apiKey !== 'string') throw new Error('POST /v1/devices answered no apiKey')
    keys.push(apiKey)
  }
  return keys
}

/** Where every device's timestamps start: 30 days ago, so a 1 ms step never reaches the future. */
export function firstTimestamp(): number {
  return Date.now() - 30 * 86_400_000
}

/** A plausible resting-to-active bpm that stays inside the default alert limits. */
export function bpmFor(ts: number): number {
  return 60 + (ts % 40)
}
