// The CSI seed's REST API (CONTRACTS §2.3), mapped onto devices, sensors and the ML engine. Paths,
// statuses and plain-text bodies are the seed's, spellings included; the rules are pulsebase's.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { listTrainingJobs } from '../../domains/ml/training.service.js'
import { AppError, HTTP_STATUS } from '../../errors.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import { assertStorable, parseBoundedJson } from '../../platform/validation/input-checks.js'
import { type CsiDeps, SeedReply } from './csi-deps.js'
import { runInference, inferenceResults, testPredictionResults } from './csi-inference.js'
import { aliveServers, keepAlive } from './csi-servers.js'
import { flaskJsonify, pyJsonDumps, pyFloat, seedTime } from './csi-text.js'
import { startTraining } from './csi-train.js'
import { trainingStatus } from './csi-training.js'

export const SEED_SERVER_VERSION = '3.2.1'
export const SEED_MODEL_HANDLER_VERSION = '1.0.10'

const tags = ['compat: csi']
const NOT_JSON = new SeedReply(400, 'Error, not valid JSON')

/** The body as JSON; a JSON string holding JSON (the seed's clients double-encode) is parsed again. */
export function seedJson(request: FastifyRequest): unknown {
  const text = typeof request.body === 'string' ? request.body : ''
  let value: unknown
  try {
    value = parseBoundedJson(text)
    if (typeof value === 'string') value = parseBoundedJson(value)
  } catch {
    throw NOT_JSON
  }
  assertStorable(value, 'body')
  return value
}

function readObject(request: FastifyRequest): Record<string, unknown> {
  const value = seedJson(request)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw NOT_JSON
  return value as Record<string, unknown>
}

function handleError(error: FastifyError | SeedReply | AppError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof SeedReply) return reply.status(error.status).type(error.type).send(error.text)
  if (error instanceof AppError && error.code === 'rate_limited')
    return reply.status(429).type('text/html; charset=utf-8').send('Error, busy: try again shortly')
  if ((error as FastifyError).statusCode === 413)
    return reply.status(413).type('text/html; charset=utf-8').send('Error, request too large')
  if (error instanceof AppError && HTTP_STATUS[error.code] < 500)
    return reply.status(HTTP_STATUS[error.code]).type('text/html; charset=utf-8').send(`Error, ${error.message}`)
  request.log.error({ err: error }, 'csi compat request failed')
  return reply.status(500).type('text/html; charset=utf-8').send('Internal Server Error')
}

const text = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).type('text/html; charset=utf-8').send(body)

async function latestJob(deps: CsiDeps) {
  const owner = await deps.account()
  return (await listTrainingJobs(deps.training, owner.userId, { limit: 20 })).trainingJobs.find(
    (job) => job.kind === 'sensor-classifier',
  )
}

function registerDebugRoutes(scope: HttpServer, deps: CsiDeps): void {
  scope.post(
    '/debug/post/echo',
    { schema: { tags, summary: 'CSI seed: echoes the JSON sent' } },
    async (request, reply) => reply.type('application/json').send(flaskJsonify(seedJson(request), false)),
  )
  scope.post(
    '/debug/post/redeploy',
    { schema: { tags, summary: 'CSI seed: never redeploys or runs anything (404)' } },
    async (_request, reply) => text(reply, 404, 'Error, redeploy is not available: pulsebase does not run commands'),
  )
  scope.post(
    '/debug/post/enable_logging',
    { schema: { tags, summary: "CSI seed: switch these routes' request log" } },
    async (request, reply) => {
      const body = readObject(request)
      if (!('ENABLED' in body)) return text(reply, 401, 'Error, no ENABLED provided')
      if (body.ENABLED !== 'True' && body.ENABLED !== 'False') return text(reply, 401, 'ENABLED not a valid value')
      await deps.requestLog.set(body.ENABLED === 'True')
      return text(reply, 200, `Successfully set ENABLED to ${body.ENABLED}`)
    },
  )
  scope.get('/debug/get/time', { schema: { tags } }, async (_request, reply) =>
    text(reply, 200, seedTime(new Date(deps.now()))),
  )
  scope.get('/debug/get/version/server', { schema: { tags } }, async (_request, reply) =>
    text(reply, 200, SEED_SERVER_VERSION),
  )
  scope.get(
    '/debug/get/version/tensorflow',
    { schema: { tags, summary: 'CSI seed: the TensorFlow.js version (the seed route was broken)' } },
    async (_request, reply) => text(reply, 200, deps.tfVersion),
  )
  scope.get('/debug/get/version/tf_model_handler', { schema: { tags } }, async (_request, reply) =>
    text(reply, 200, SEED_MODEL_HANDLER_VERSION),
  )
  scope.get('/debug/get/exists', { schema: { tags } }, async (_request, reply) => text(reply, 200, 'Success'))
  scope.get(
    '/debug/get/training_failure',
    { schema: { tags, summary: "CSI seed: the latest training's failure" } },
    async (_request, reply) => {
      const job = await latestJob(deps)
      return text(
        reply,
        200,
        job?.state === 'failed' || job?.state === 'cancelled'
          ? (job.error ?? 'Training was cancelled')
          : '<TRAINING NOT FAILED YET>',
      )
    },
  )
}

function registerServerRoutes(scope: HttpServer, deps: CsiDeps): void {
  scope.get(
    '/app/get/list_of_servers',
    { schema: { tags, summary: 'CSI seed: the Pis alive (keep-alive within 30 s)' } },
    async (_request, reply) => text(reply, 200, pyJsonDumps(await aliveServers(deps.servers))),
  )
  scope.post(
    '/server/post/keep_alive',
    { schema: { tags, summary: 'CSI seed: a Pi says it is alive' } },
    async (request, reply) => {
      const body = readObject(request)
      if (typeof body.NAME !== 'string' || body.NAME.trim() === '' || body.NAME.length > 200)
        return text(reply, 401, 'Error, no name provided')
      const id = body.ID
      if (!Number.isInteger(id) || (id as number) < 0 || (id as number) > 32767)
        return text(reply, 402, 'Error, no id provided')
      await keepAlive(deps.servers, id as number, body.NAME, request.ip)
      return text(reply, 200, 'Success')
    },
  )
}

function registerTrainingRoutes(scope: HttpServer, deps: CsiDeps): void {
  scope.post(
    '/training/post/train',
    { schema: { tags, summary: 'CSI seed: train on the DATA sent' } },
    async (request, reply) => {
      const body = readObject(request)
      if (!('TYPE' in body)) return text(reply, 401, 'Error, no type provided')
      if (!('DATA' in body)) return text(reply, 402, 'Error, no data provided')
      if (body.TYPE !== 'CSI' && body.TYPE !== 'RSSI')
        return text(reply, 403, "Error, data type specified doesn't exist")
      await startTraining(deps, body.TYPE, body.DATA)
      return text(reply, 200, 'Success')
    },
  )
  scope.get('/training/get/training_status', { schema: { tags } }, async (_request, reply) =>
    text(reply, 200, trainingStatus(await latestJob(deps))),
  )
  scope.get(
    '/training/get/training_time',
    { schema: { tags, summary: 'CSI seed: seconds the latest finished training took' } },
    async (_request, reply) => {
      const owner = await deps.account()
      const done = (await listTrainingJobs(deps.training, owner.userId, { limit: 20 })).trainingJobs.find(
        (job) => job.kind === 'sensor-classifier' && job.state === 'succeeded',
      )
      return text(reply, 200, pyFloat((done?.durationMs ?? 0) / 1000))
    },
  )
}

function registerMlRoutes(scope: HttpServer, deps: CsiDeps): void {
  scope.post(
    '/ml/post/inference',
    { schema: { tags, summary: 'CSI seed: queue one frame for inference (2×S values: magnitudes, then phases)' } },
    async (request, reply) => {
      await runInference(deps, readObject(request).payload)
      return text(reply, 200, 'Success')
    },
  )
  scope.get('/ml/get/inference_results', { schema: { tags } }, async (_request, reply) => {
    const body = await inferenceResults(deps)
    return body === undefined ? text(reply, 200, 'DATA NOT AVAILABLE') : reply.type('application/json').send(body)
  })
  scope.get(
    '/ml/get/test_predicition_results',
    {
      schema: { tags, summary: "CSI seed: the model's predictions on its held-out split (path spelled as the seed's)" },
    },
    async (_request, reply) => {
      const body = await testPredictionResults(deps)
      return body === undefined ? text(reply, 200, 'DATA NOT AVAILABLE') : reply.type('application/json').send(body)
    },
  )
}

export async function registerCsiCompat(app: HttpServer, deps: CsiDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.setErrorHandler(handleError)
    // Every body is read as text and parsed by the route: the seed's clients send JSON with or without its content type, sometimes encoded twice.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body))
    scope.addHook('onResponse', async (request, reply) => {
      if (deps.requestLog.isEnabled())
        deps.logger.info({ method: request.method, url: request.url, status: reply.statusCode }, 'csi compat request')
    })
    registerDebugRoutes(scope, deps)
    registerServerRoutes(scope, deps)
    registerTrainingRoutes(scope, deps)
    registerMlRoutes(scope, deps)
  })
}
