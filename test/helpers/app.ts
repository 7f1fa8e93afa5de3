import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type App, buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import type { Clock } from '../../src/platform/time/clock.js'
import type { Logger } from 'pino'

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789'

export interface TestApp {
  readonly app: App
  /** Base URL of the listening HTTP server, e.g. http://127.0.0.1:54321 */
  readonly url: string
  readonly grpcAddress: string
  /** `mqtt://127.0.0.1:<port>` when PULSEBASE_MQTT_PORT was given (any value: a free port is bound). */
  readonly mqttUrl: string | undefined
  readonly dataDir: string
  /** Each PULSEBASE_COMPAT_PORTS adapter's own address by adapter name (`http://127.0.0.1:<port>`, or `127.0.0.1:<port>` for gRPC). */
  readonly compatAddresses: Readonly<Record<string, string>>
  close(): Promise<void>
}

/** Builds the real app from PULSEBASE_* variables, on a fresh data dir, listening on free ports; `now` pins the clock services read, `logger` takes its log lines. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { now?: Clock; logger?: Logger } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pulsebase-app-'))
  const config = loadConfig({
    PULSEBASE_DATA_DIR: dataDir,
    PULSEBASE_LOG_LEVEL: process.env.PULSEBASE_TEST_LOG_LEVEL ?? 'silent',
    PULSEBASE_HOST: '127.0.0.1',
    PULSEBASE_HTTP_PORT: '0',
    PULSEBASE_GRPC_PORT: '0',
    PULSEBASE_JWT_SECRET: TEST_JWT_SECRET,
    // Tests sign up many accounts from 127.0.0.1; the sign-up limit has its own test.
    PULSEBASE_REGISTRATIONS_PER_ADDRESS: '100000',
    ...env,
  })
  // Strict: a route answering a status its OpenAPI document does not list fails the test that meets it.
  const app = await buildApp(config, { migrate: true, strictResponses: true, ...options })
  const address = await app.http.listen({ host: '127.0.0.1', port: 0 })
  const grpcPort = await app.grpc.listen('127.0.0.1', 0)
  const mqttPort = await app.mqtt?.listen('127.0.0.1', 0)
  const compatAddresses: Record<string, string> = {}
  for (const listener of app.compatListeners) {
    const port = await listener.listen('127.0.0.1')
    compatAddresses[listener.adapter] =
      listener.adapter === 'heartrate' ? `127.0.0.1:${port}` : `http://127.0.0.1:${port}`
  }
  return {
    app,
    url: address,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    mqttUrl: mqttPort === undefined ? undefined : `mqtt://127.0.0.1:${mqttPort}`,
    dataDir,
    compatAddresses,
    async close() {
      await app.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface Reply<T = any> {
  readonly status: number
  readonly body: T
  readonly headers: Headers
}

/** A small JSON client for tests: `api.post('/v1/devices', body, token)`. */
export function client(baseUrl: string) {
  async function call(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(token !== undefined && { authorization: `Bearer ${token}` }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    const isJson = response.headers.get('content-type')?.includes('json') === true
    return { status: response.status, body: isJson && text !== '' ? JSON.parse(text) : text, headers: response.headers }
  }
  return {
    call,
    get: (path: string, token?: string, headers?: Record<string, string>) =>
      call('GET', path, undefined, token, headers),
    post: (path: string, body?: unknown, token?: string, headers?: Record<string, string>) =>
      call('POST', path, body, token, headers),
    patch: (path: string, body: unknown, token?: string) => call('PATCH', path, body, token),
    delete: (path: string, token?: string) => call('DELETE', path, undefined, token),
  }
}
export type Client = ReturnType<typeof client>

let counter = 0

/** Registers a fresh account and returns its tokens and user. */
export async function signUp(api: Client, overrides: { email?: string; password?: string } = {}) {
  counter += 1
  const email = overrides.email ?? `user${counter}-${Date.now()}@example.com`
  const password = overrides.password ?? 'correct horse battery'
  const reply = await api.post('/v1/auth/register', { email, password })
  if (reply.status !== 201) throw new Error(`register failed: ${reply.status} ${JSON.stringify(reply.body)}`)
  return {
    email,
    password,
    userId: reply.body.user.id as string,
    accessToken: reply.body.accessToken as string,
    refreshToken: reply.body.refreshToken as string,
  }
}
