import { randomUUID } from 'node:crypto'
import cors from '@fastify/cors'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController, type RawServerDefault } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import type { Metrics } from '../metrics/metrics.js'
import {
  handleClientError,
  handleFrameworkError,
  handleHttpError,
  handleNotFound,
  refuseUnstorableInput,
} from './http-errors.js'
import { registerJsonBodyParser } from './json-body.js'
import { lazySerializerCompiler, strictValidatorCompiler } from './validator-compiler.js'
import { documentErrors, extractComponents, refuseUndocumentedStatus } from './openapi.js'

/** A request and a reply as route handlers and hooks see them (domains name these, not Fastify's types). */
export type { FastifyReply as HttpReply, FastifyRequest as HttpRequest } from 'fastify'

export type HttpServer = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>

export interface HttpServerOptions {
  readonly logger: Logger
  readonly metrics: Metrics
  readonly bodyLimitBytes: number
  /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
  readonly isTrustProxy: boolean
  readonly version: string
  /** Browser origins allowed by CORS; empty: none (no CORS headers), `['*']`: any. */
  readonly corsOrigins?: readonly string[]
  /** A request's line, headers and body must arrive within this, its headers within `headersTimeoutMs` (Node answers 408 otherwise). */
  readonly requestTimeoutMs?: number
  readonly headersTimeoutMs?: number
  /** Answer 500 when a `/v1` route answers a status its OpenAPI document does not list (tests). */
  readonly isStrictResponses?: boolean
}

const REQUEST_ID = /^[\w.:-]{1,128}$/

/** Fastify with our error body, request ids, metrics and the OpenAPI document built from route schemas. */
export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const app = Fastify({
    loggerInstance: options.logger.child({ module: 'http' }) as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.isTrustProxy,
    // Slow clients (a body trickled a byte at a time) are cut off; Node checks at this interval.
    requestTimeout: options.requestTimeoutMs ?? 60_000,
    http: {
      requestTimeout: options.requestTimeoutMs ?? 60_000,
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs ?? 10_000),
    },
    // Our onResponse hook logs one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    // Bodies are never coerced (see validator-compiler.ts); unknown fields are rejected rather than silently dropped.
    // Both compile a route's schemas on its first request, not at start (a faster start, a smaller idle heap).
    schemaController: {
      compilersFactory: {
        buildValidator: strictValidatorCompiler as never,
        buildSerializer: lazySerializerCompiler as never,
      },
    },
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError,
  }).withTypeProvider<TypeBoxTypeProvider>()

  // Only JSON bodies (a route that takes another type adds its parser in its own scope): text/plain is 415.
  app.removeContentTypeParser('text/plain')
  registerJsonBodyParser(app)
  app.addHook('preHandler', refuseUnstorableInput)

  // Every request starts with no principal (guards set it), so a route missing its guard fails closed.
  app.decorateRequest('principal', null)
  app.setErrorHandler(handleHttpError)
  app.setNotFoundHandler(handleNotFound)
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  if (options.isStrictResponses === true) app.addHook('onSend', refuseUndocumentedStatus)
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    const labels = { method: request.method, route, status_code: String(reply.statusCode) }
    options.metrics.httpRequestDuration.observe(labels, reply.elapsedTime / 1000)
    request.log.info(
      { method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    )
  })

  if ((options.corsOrigins?.length ?? 0) > 0) {
    const origins = options.corsOrigins ?? []
    await app.register(cors, {
      origin: origins.includes('*') ? '*' : [...origins],
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-device-key', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after', 'location'],
      maxAge: 600,
    })
  }
  await app.register(swagger, {
    transform: documentErrors,
    transformObject: extractComponents as never,
    openapi: {
      info: { title: 'pulsebase', version: options.version, description: 'Body and sensor data backend' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Access token (JWT) or device API key' },
          deviceKey: { type: 'apiKey', in: 'header', name: 'X-Device-Key' },
        },
      },
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  return app
}
