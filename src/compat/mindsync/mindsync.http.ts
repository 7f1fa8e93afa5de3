// The MindSync seed's REST API (CONTRACTS §1), mapped onto the meditation and ML domains. Paths,
// status codes and message strings are the seed's; the rules are pulsebase's.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { PeriodObservation } from '../../domains/meditation/meditation.features.js'
import { SeedSessionBody } from '../../domains/meditation/meditation.schema.js'
import {
  countUserSessions,
  listSessions,
  toObservation,
  recordSession,
  type SessionStoreDeps,
} from '../../domains/meditation/meditation.service.js'
import { recommend, type RecommenderDeps } from '../../domains/meditation/recommender.js'
import { checkPeriods } from '../../domains/meditation/session-checks.js'
import { awaitTrainingJob, requestOrJoinTraining, type TrainingDeps } from '../../domains/ml/training.service.js'
import { AppError, HTTP_STATUS } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import { toAppError } from '../../platform/http/http-errors.js'
import type { HttpServer } from '../../platform/http/http-server.js'
import type { AttemptLimiter } from '../../platform/rate-limit/attempt-limiter.js'
import { jsonBodyText } from '../../platform/http/json-body.js'
import { schemaProblems } from '../../platform/validation/schema-check.js'
import { ensureMindsyncPrincipal, findMindsyncPrincipal } from './mindsync-identity.js'
import {
  MindsyncError,
  parseMindsyncSession,
  type SeedSession,
  toSeedError,
  toMindsyncSession,
} from './mindsync-session.js'

export interface MindsyncDeps {
  readonly store: SessionStoreDeps
  readonly training: TrainingDeps
  readonly recommender: RecommenderDeps
  readonly ping: () => Promise<void>
  /** The time zone of the devices this adapter creates (PULSEBASE_MINDSYNC_TIME_ZONE). */
  readonly timeZone: string
  /** How long `/train_model` waits for its training job before answering 503. */
  readonly trainingWaitMs?: number
  /** Whether an unknown device id may create its (anonymous) account: PULSEBASE_REGISTRATION. */
  readonly isRegistrationOpen: boolean
  /** Anonymous accounts created per client address, as sign-ups are. */
  readonly registrations?: AttemptLimiter
}

const tags = ['compat: mindsync']
const INVALID_JSON = Symbol('invalid json')
const LOCAL_TIMES = { isLocalTimeAllowed: true } as const

const capitalized = (name: string) => name.charAt(0).toUpperCase() + name.slice(1)
/** JSON whose numbers keep a decimal point: the seed's client reads these fields as doubles. */
const asDouble = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(n))

function readDeviceId(request: FastifyRequest): string {
  const value = (request.query as Record<string, unknown>).deviceId
  if (typeof value !== 'string' || value === '') throw new MindsyncError(400, { error: 'No device id provided.' })
  return value
}

function requireJson(request: FastifyRequest): unknown {
  const type = request.headers['content-type'] ?? ''
  if (!/^application\/json\b/i.test(type))
    throw new MindsyncError(415, { error: 'Unsupported Media Type: send Content-Type: application/json' })
  return request.body === INVALID_JSON ? undefined : request.body
}

/** The body as a pulsebase session, checked with the meditation domain's schema; the first problem in the seed's words. */
function readSession(request: FastifyRequest): { deviceId: string; session: SeedSession } {
  const { deviceId, session } = parseMindsyncSession(requireJson(request))
  const [problem] = schemaProblems(SeedSessionBody, session, 'body')
  if (problem !== undefined) throw toSeedError(problem)
  return { deviceId, session: session as SeedSession }
}

/** Runs a domain call; its validation error becomes the seed's 400. */
async function seedWorded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    const [detail] = error instanceof AppError && error.code === 'invalid_argument' ? error.details : []
    throw detail === undefined ? error : toSeedError(detail)
  }
}

function handleError(error: FastifyError | MindsyncError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof MindsyncError) return reply.status(error.status).send(error.body)
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send({ error: 'Request body is too large' })
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return reply.status(415).send({ error: 'Unsupported Media Type: send Content-Type: application/json' })
  // Refused by pulsebase's own edge checks (NUL, lone surrogates, non-finite numbers, a bad URL): the seed's body, our message.
  const appError = toAppError(error as FastifyError)
  if (appError.code !== 'internal') return reply.status(HTTP_STATUS[appError.code]).send({ error: appError.message })
  request.log.error({ err: error }, 'mindsync request failed')
  return reply.status(500).send({ error: 'Internal Server Error' })
}

async function storeSession(deps: MindsyncDeps, request: FastifyRequest, reply: FastifyReply) {
  const { deviceId, session } = readSession(request)
  let owner: Principal
  try {
    owner = await ensureMindsyncPrincipal(deps.store, deviceId, deps.timeZone, async () => {
      if (!deps.isRegistrationOpen)
        throw new AppError('permission_denied', 'Registration is closed on this server: this device id has no account')
      await deps.registrations?.consume(request.ip)
    })
  } catch (error) {
    if (error instanceof AppError) throw error
    request.log.error({ err: error }, 'mindsync device not created')
    return reply.status(500).send({ error: 'An error occurred while saving a session.' })
  }
  await seedWorded(() => recordSession(deps.store, owner, session, LOCAL_TIMES))
  return reply.status(201).send({ message: 'Meditation session created successfully' })
}

async function trainModel(deps: MindsyncDeps, request: FastifyRequest) {
  const deviceId = readDeviceId(request)
  const owner = await findMindsyncPrincipal(deps.store.db, deviceId)
  if (owner === undefined || (await countUserSessions(deps.store.db, owner.userId)) === 0) {
    return { message: `No previous sessions found for device ${deviceId}. Could not train model.` }
  }
  let jobId: string
  try {
    // A second /train_model while one runs waits for that one, as the client expects an answer once trained.
    jobId = (await requestOrJoinTraining(deps.training, owner.userId, 'meditation')).id
  } catch (error) {
    if (error instanceof AppError && error.code === 'invalid_argument')
      return { message: `Model for device "${deviceId}" not trained. Could not find enough previous sessions.` }
    throw error
  }
  let finished
  try {
    finished = await awaitTrainingJob(deps.training, owner.userId, jobId, deps.trainingWaitMs ?? 10 * 60_000)
  } catch (error) {
    if (error instanceof AppError && error.code === 'unavailable')
      throw new MindsyncError(503, { error: 'Training did not finish in time; it goes on in the background.' })
    throw error
  }
  if (finished.state !== 'succeeded')
    throw new MindsyncError(500, { error: `Model for device ${deviceId} could not be trained.` })
  return { message: `Model for device ${deviceId} trained successfully.` }
}

async function predict(deps: MindsyncDeps, request: FastifyRequest, reply: FastifyReply) {
  const { deviceId, session } = readSession(request)
  const owner = await findMindsyncPrincipal(deps.store.db, deviceId)
  if (owner === undefined || (await countUserSessions(deps.store.db, owner.userId)) < 2) {
    return { message: `Couldn't predict best combination for ${deviceId}. Not enough data available.` }
  }
  await seedWorded(() => checkPeriods(deps.store, owner, session.periods, 'body.periods', LOCAL_TIMES))
  const recent = session.periods.map(toObservation).filter((p): p is PeriodObservation => p !== null)
  try {
    const best = await recommend(deps.recommender, owner.userId, recent)
    const body = `{"bestCombination":{"beatFrequency":${asDouble(best.beatFrequency)},"visualization":${JSON.stringify(capitalized(best.visualization))},"breathingPatternMultiplier":${asDouble(best.breathingMultiplier)}}}`
    return reply.type('application/json').send(body)
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') {
      return reply
        .status(400)
        .send({ message: `Could not predict best combination for ${deviceId}. User does not have any model yet.` })
    }
    throw error
  }
}

export async function registerMindsyncCompat(app: HttpServer, deps: MindsyncDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.setErrorHandler(handleError)
    // The seed ignores a body it does not read; malformed JSON where one is read is "Invalid request body".
    // Strict UTF-8 and bounded nesting as on pulsebase's own routes, with the seed's answer when it fails.
    scope.removeContentTypeParser('application/json')
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
      if ((body as Buffer).length === 0) return done(null, undefined)
      try {
        done(null, JSON.parse(jsonBodyText(body as Buffer)))
      } catch {
        done(null, INVALID_JSON)
      }
    })

    scope.get(
      '/ready',
      { schema: { tags, summary: 'MindSync: is the database reachable' } },
      async (_request, reply) => {
        try {
          await deps.ping()
        } catch {
          return reply.status(503).send({ error: 'database not reachable' })
        }
        return { message: 'server is ready' }
      },
    )

    scope.get(
      '/meditations',
      { schema: { tags, summary: "MindSync: a device's sessions (deviceId is required here)" } },
      async (request, reply) => {
        const deviceId = readDeviceId(request)
        const owner = await findMindsyncPrincipal(deps.store.db, deviceId)
        const sessions =
          owner === undefined ? [] : await listSessions(deps.store, owner.userId, 100_000, owner.deviceId ?? '')
        if (sessions.length === 0) return reply.status(404).send({ message: 'No meditation sessions found' })
        return { meditationSessions: sessions.reverse().map((s) => toMindsyncSession(deviceId, s)) }
      },
    )
    scope.post('/meditations', { schema: { tags, summary: 'MindSync: store a session' } }, (request, reply) =>
      storeSession(deps, request, reply),
    )
    scope.post(
      '/train_model',
      { schema: { tags, summary: 'MindSync: train the device model; answers once training has finished' } },
      (request) => trainModel(deps, request),
    )
    scope.post(
      '/predict',
      { schema: { tags, summary: 'MindSync: the best next configuration for the session sent (not stored)' } },
      (request, reply) => predict(deps, request, reply),
    )
  })
}
