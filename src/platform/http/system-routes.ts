import { timingSafeEqual } from 'node:crypto'
import { Type } from 'typebox'
import { AppError } from '../../errors.js'
import type { Registry } from 'prom-client'
import type { HttpServer } from './http-server.js'

/** A named dependency `/readyz` checks; `check` rejects when the part does not answer. */
export interface ReadinessCheck {
  readonly name: string
  check(): Promise<void>
}

const CHECK_TIMEOUT_MS = 2000

async function runCheck(check: ReadinessCheck): Promise<'ok' | 'unavailable'> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS)
  })
  try {
    await Promise.race([check.check(), timeout])
    return 'ok'
  } catch {
    return 'unavailable'
  } finally {
    clearTimeout(timer)
  }
}

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  checks: Type.Record(Type.String(), Type.String()),
})

/** A bearer token compared in constant time, so its bytes cannot be guessed from response times. */
function isTokenMatch(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '')
  const expected = Buffer.from(token)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** `/healthz`, `/readyz`, and `/metrics` (behind `metricsToken` when one is set). */
export function registerSystemRoutes(
  app: HttpServer,
  checks: ReadinessCheck[],
  registry: Registry,
  isShuttingDown: () => boolean,
  metricsToken?: string,
) {
  const tags = ['system']
  app.get(
    '/healthz',
    {
      schema: { tags, summary: 'The process is alive', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    },
    async () => ({
      status: 'ok' as const,
    }),
  )
  app.get(
    '/readyz',
    {
      schema: {
        tags,
        summary: 'Ready when the database and queue answer',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(checks.map(async (c) => [c.name, await runCheck(c)] as const))
      const checksOut: Record<string, string> = Object.fromEntries(results)
      if (isShuttingDown()) checksOut.process = 'shutting down'
      const isReady = results.every(([, r]) => r === 'ok') && !isShuttingDown()
      return reply.status(isReady ? 200 : 503).send({ status: isReady ? 'ready' : 'unavailable', checks: checksOut })
    },
  )
  app.get(
    '/metrics',
    {
      schema: { tags, summary: 'Prometheus metrics (with PULSEBASE_METRICS_TOKEN set: Authorization: Bearer <token>)' },
    },
    async (request, reply) => {
      if (metricsToken !== undefined && !isTokenMatch(request.headers.authorization, metricsToken)) {
        throw new AppError('unauthenticated', 'GET /metrics needs "Authorization: Bearer <PULSEBASE_METRICS_TOKEN>"')
      }
      return reply.type(registry.contentType).send(await registry.metrics())
    },
  )
}
